"""What mailkit knows about each account that a forecast reads: its grant's facts, its results over time, when
its secret was stored, and how many test messages it sent in the last 24 hours. Read in one pass over SQLite,
never touching a secret."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.oauth.store import GrantFacts, GrantStore, parse_time


@dataclass(frozen=True)
class Outcome:
    """One stored result of an account: when, which status, the reply (redacted) and whether it sent a test."""

    at: datetime
    status: str
    reply_code: int | None
    reply: str
    sent: bool


@dataclass
class AccountFacts:
    """Everything the rules look at for one account."""

    account: Account
    company_name: str
    grant: GrantFacts | None = None
    secret_set_at: datetime | None = None
    history: list[Outcome] = field(default_factory=list)  # oldest first

    def sent_since(self, moment: datetime) -> int:
        """Test messages sent (a result with a message id) since `moment`."""
        return sum(1 for o in self.history if o.sent and o.at >= moment)


def gather(inventory: Inventory, company: str | None = None, now: datetime | None = None,
           history_days: int = 400) -> list[AccountFacts]:
    """The facts of every account (or one company's), with their results of the last `history_days`."""
    names = {c.slug: c.name for c in inventory.companies()}
    grants = GrantStore(inventory)
    accounts = inventory.accounts(company)
    ids = {email.lower(): i for i, email in inventory.conn.execute("SELECT id, email FROM accounts")}
    facts = {ids[a.email.lower()]: AccountFacts(a, names.get(a.company, a.company)) for a in accounts}
    for item in facts.values():
        if item.account.auth == "oauth2":
            item.grant = grants.facts(item.account.email)
    for account_id, set_at in inventory.conn.execute(
            "SELECT account_id, set_at FROM secret_facts WHERE kind IN ('app_password', 'password')"):
        if account_id in facts:
            facts[account_id].secret_set_at = parse_time(set_at)
    since = ((now or datetime.now(UTC)) - timedelta(days=history_days)).astimezone(UTC).isoformat()
    for row in inventory.conn.execute(
            "SELECT account_id, checked_at, status, reply_code, reply, sent_message_id FROM results "
            "WHERE checked_at >= ? ORDER BY checked_at", (since,)):
        if row[0] in facts:
            moment = parse_time(row[1])
            if moment is not None:
                facts[row[0]].history.append(Outcome(moment, row[2], row[3], row[4] or "", bool(row[5])))
    return list(facts.values())


__all__ = ["AccountFacts", "Outcome", "gather"]

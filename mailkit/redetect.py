"""Detect again the provider of accounts stored as `undetected` (DNS could not answer when they were added).

Import and `account add` never wait for DNS to store a valid row; this is where detection is finished,
once per domain and concurrently, when DNS answers again (`mailkit account detect [--company]`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mailkit.inventory import Inventory
from mailkit.models import Account, build_account
from mailkit.providers import UNDETECTED, detect_domains, provider


@dataclass
class Redetected:
    """What detection found for one account: its provider now (`undetected` if still unknown) and why."""

    email: str
    company: str
    provider: str
    note: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def detect_undetected(inventory: Inventory, company: str | None = None, *, timeout: float = 3.0) -> list[Redetected]:
    """Detect every undetected account (of one company); those found get their provider's servers."""
    pending = [a for a in inventory.accounts(company) if a.provider == UNDETECTED]
    found = detect_domains({a.domain for a in pending}, timeout=timeout)
    outcome = []
    for account in pending:
        detection = found[account.domain]
        if detection.provider in (None, "custom"):  # a custom server's host is the admin's to give
            outcome.append(Redetected(account.email, account.company, UNDETECTED, detection.reason))
            continue
        inventory.upsert_account(_with_provider(account, detection.provider))
        outcome.append(Redetected(account.email, account.company, detection.provider, detection.reason))
    return outcome


def _with_provider(account: Account, key: str) -> Account:
    """The account on its provider's servers, keeping everything the admin gave that the provider allows."""
    auth = account.auth if account.auth in provider(key).auth_methods else None
    return build_account(account.email, account.company, provider_key=key, auth=auth,
                         display_name=account.display_name, login=account.login,
                         from_addresses=account.from_addresses, tags=account.tags, notes=account.notes)


__all__ = ["Redetected", "detect_undetected"]

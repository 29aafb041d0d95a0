"""Facts mailkit observed while doing something else, kept so that later commands do not contradict them.

- A sign-in answered "application-specific password required" (SMTP `534 5.7.9`, IMAP `[ALERT]
  Application-specific password required`) proves 2-Step Verification is on, wherever it was seen:
  `secret set`, `check`, an audit or the 2SV probe. It is recorded as 2SV = on with the reply, the time
  and where it was seen (source `observed`).
- A refused consent (a box left unticked, another account chosen) is the account's latest result, as a
  one-account run of kind `consent`, so `check`, `audit` and `report` show it — with when and which box
  or account — instead of `not_configured`, until a consent succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailkit.audit_store import FINISHED, AuditStore, ResultRow, now_ms
from mailkit.diagnose import Diagnosis
from mailkit.inventory import Inventory
from mailkit.status import Status
from mailkit.workspace import Workspace

OBSERVED = "observed"
CONSENT = "consent"
REFUSALS = frozenset({Status.OAUTH_SCOPE_MISSING, Status.OAUTH_WRONG_ACCOUNT})


def twostep_on_observed(inventory: Inventory, email: str, diagnosis: Diagnosis, where: str) -> bool:
    """Record 2SV = on when this diagnosis proves it; True when it did."""
    if diagnosis.status is not Status.APP_PASSWORD_REQUIRED or diagnosis.variant == "criteria":
        return False  # Microsoft's sign-in policy refusal ("criteria") is no proof of Google's 2SV
    account = inventory.find_account(email)
    if account is None:
        return False
    from mailkit.twostep.state import TwoStepStatus, record

    reply = diagnosis.raw.splitlines()[0] if diagnosis.raw else diagnosis.status.value
    record(inventory, TwoStepStatus(
        account.email, "on", None, OBSERVED, now_ms(),
        detail=f"seen during {where}: the account password was refused with 'application-specific password "
               f"required' ({reply}), which Google answers only when 2-Step Verification is on"))
    return True


@dataclass(frozen=True)
class Refusal:
    """The latest refused consent of an account: its status, what was refused, and when."""

    status: Status
    message: str
    at: str


def record_consent_refusal(workspace: Workspace, email: str, status: Status, message: str) -> None:
    """Store a refused consent as the account's latest result (inventory accounts only)."""
    if status not in REFUSALS:
        return
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(email) is None:
            return
        store = AuditStore(inventory.conn)
        account_id = inventory.account_id(email)
        run = store.start_run({"emails": [email]}, {}, [account_id], kind=CONSENT)
        store.record(run.id, ResultRow(account_id, status.value, step=CONSENT, reply=message))
        store.finish(run.id, FINISHED)


def clear_consent_refusals(workspace: Workspace, email: str) -> None:
    """A consent succeeded: the refusals before it no longer describe the account."""
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(email) is None:
            return
        with inventory.transaction() as tx:
            tx.execute("DELETE FROM runs WHERE kind = ? AND id IN (SELECT run_id FROM results WHERE account_id = ?)",
                       (CONSENT, inventory.account_id(email)))


def consent_refusal(workspace: Workspace, email: str) -> Refusal | None:
    """The refused consent that stands for this account (none once a consent succeeded)."""
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(email) is None:
            return None
        row = inventory.conn.execute(
            "SELECT x.status, x.reply, x.checked_at FROM results x JOIN runs r ON r.id = x.run_id "
            "WHERE r.kind = ? AND x.account_id = ? ORDER BY x.checked_at DESC LIMIT 1",
            (CONSENT, inventory.account_id(email))).fetchone()
    return Refusal(Status(row[0]), row[1], row[2]) if row else None


__all__ = ["CONSENT", "OBSERVED", "Refusal", "clear_consent_refusals", "consent_refusal", "record_consent_refusal",
           "twostep_on_observed"]

"""Revoking app passwords and third-party tokens of Workspace users (`asps.delete`, `tokens.delete`), each one
written to the record in SQLite: whose, which, when, why, as which admin and by whom. One failure is that item's
outcome; the others go on.

    listing = list_app_passwords(workspace, "client.example")
    done = revoke_app_passwords(workspace, "client.example", stale_app_passwords(listing.items, 90),
                                reason="stale:90")
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mailkit.google_workspace.security_records import Revocation, forget_app_password, operator, record
from mailkit.models import now_iso

if TYPE_CHECKING:
    from mailkit.google_workspace.app_passwords import AppPassword
    from mailkit.google_workspace.third_party_tokens import ThirdPartyToken
    from mailkit.twostep.directory import DirectoryClient
    from mailkit.workspace import Workspace

#: Revocation outcomes: done, already not there (someone else revoked it), or refused / unreachable.
REVOKED, GONE, FAILED = "revoked", "gone", "failed"


def stale_app_passwords(items: Iterable[AppPassword], days: float, now: datetime | None = None) -> list[AppPassword]:
    """The app passwords unused for `days` (see `AppPassword.stale`)."""
    now = now or datetime.now(UTC)
    return [a for a in items if a.stale(days, now)]


def revoke_app_passwords(workspace: Workspace, domain: str, targets: Iterable[AppPassword], reason: str, *,
                         client: DirectoryClient | None = None) -> list[Revocation]:
    """Revoke each app password; every attempt is recorded, and a revoked one leaves the stored listing."""
    from mailkit.google_workspace.app_passwords import security_client

    client = client or security_client(workspace, domain)
    done = [_attempt(domain, "app_password", a.email, str(a.code_id), a.name, reason, client.admin,
                     lambda a=a: client.delete_asp(a.email, a.code_id)) for a in targets]
    _write(workspace, done)
    return done


def revoke_tokens(workspace: Workspace, domain: str, targets: Iterable[ThirdPartyToken], reason: str, *,
                  client: DirectoryClient | None = None) -> list[Revocation]:
    """Revoke each app's tokens of its user; every attempt is recorded."""
    from mailkit.google_workspace.app_passwords import security_client

    client = client or security_client(workspace, domain)
    done = [_attempt(domain, "token", t.email, t.client_id, t.display_text, reason, client.admin,
                     lambda t=t: client.delete_token(t.email, t.client_id)) for t in targets]
    _write(workspace, done)
    return done


def _attempt(domain: str, kind: str, email: str, item_id: str, name: str, reason: str, admin: str,
             call: object) -> Revocation:
    """One delete: its outcome and, when it did not work, Google's answer (redacted by DirectoryError)."""
    from mailkit.twostep.directory import DirectoryError

    outcome, detail = REVOKED, ""
    try:
        call()  # type: ignore[operator]
    except DirectoryError as exc:
        outcome = GONE if exc.reason == "not_found" or exc.http_status == 400 else FAILED
        detail = str(exc)
    return Revocation(now_iso(), domain, email, kind, item_id, name, reason, admin, operator(), outcome, detail)


def _write(workspace: Workspace, done: list[Revocation]) -> None:
    from mailkit.schema import connect

    conn = connect(str(workspace.ensure().db_path))
    try:
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            record(conn, done)
            for item in done:
                if item.kind == "app_password" and item.outcome in (REVOKED, GONE):
                    forget_app_password(conn, item.email, int(item.item_id))
    finally:
        conn.close()


__all__ = ["FAILED", "GONE", "REVOKED", "revoke_app_passwords", "revoke_tokens", "stale_app_passwords"]

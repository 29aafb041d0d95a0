"""What mailkit keeps in SQLite about Workspace users' app passwords and tokens: the last listing of each user's
app passwords (the report's column reads it) and a record of every revocation. Names, ids and times only: the
Directory never returns an app password, and nothing here could hold one.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mailkit.models import now_iso

if TYPE_CHECKING:
    from mailkit.google_workspace.app_passwords import AppPassword
    from mailkit.workspace import Workspace


@dataclass(frozen=True)
class Revocation:
    """One app password or token revoked (or tried) through mailkit."""

    revoked_at: str
    domain: str
    email: str
    kind: str  # "app_password" or "token"
    item_id: str  # the app password's codeId, the token's client ID
    item_name: str
    reason: str  # "one", "stale:N" (unused for N days), "all"
    admin: str  # the Workspace admin the Directory call acted as
    operator: str  # who ran mailkit (the local login)
    outcome: str  # "revoked", "gone" (already not there), "failed"
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def save_listing(conn: sqlite3.Connection, domain: str, admin: str, listed: dict[str, list[AppPassword]]) -> None:
    """Replace the stored app passwords of every user listed (in one transaction)."""
    stamp = now_iso()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for email, items in listed.items():
            conn.execute("INSERT INTO workspace_asp_users (email, domain, listed_at, admin) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (email) DO UPDATE SET domain = excluded.domain, listed_at = excluded.listed_at, "
                         "admin = excluded.admin", (email, domain, stamp, admin))
            conn.execute("DELETE FROM workspace_app_passwords WHERE email = ?", (email,))
            conn.executemany("INSERT OR REPLACE INTO workspace_app_passwords VALUES (?, ?, ?, ?, ?)",
                             [(email, a.code_id, a.name, _iso(a.created), _iso(a.last_used)) for a in items])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def forget_app_password(conn: sqlite3.Connection, email: str, code_id: int) -> None:
    """A revoked app password leaves the stored listing at once (the report stays true)."""
    conn.execute("DELETE FROM workspace_app_passwords WHERE email = ? AND code_id = ?", (email, int(code_id)))


def record(conn: sqlite3.Connection, revocations: Iterable[Revocation]) -> None:
    """Append revocations to the record (never updated, never deleted)."""
    conn.executemany("INSERT INTO workspace_revocations (revoked_at, domain, email, kind, item_id, item_name, reason, "
                     "admin, operator, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(r.revoked_at, r.domain, r.email, r.kind, r.item_id, r.item_name, r.reason, r.admin,
                       r.operator, r.outcome, r.detail) for r in revocations])


def revocation_record(workspace: Workspace, email: str | None = None) -> list[Revocation]:
    """Every revocation mailkit made in this workspace, oldest first (one user's when `email` is given)."""
    from mailkit.schema import connect

    conn = connect(str(workspace.ensure().db_path))
    try:
        return read_record(conn, email)
    finally:
        conn.close()


def read_record(conn: sqlite3.Connection, email: str | None = None) -> list[Revocation]:
    """The record, oldest first (one user's when `email` is given)."""
    sql = ("SELECT revoked_at, domain, email, kind, item_id, item_name, reason, admin, operator, outcome, detail "
           "FROM workspace_revocations")
    rows = conn.execute(sql + (" WHERE email = ? ORDER BY id" if email else " ORDER BY id"),
                        (email,) if email else ())
    return [Revocation(*row) for row in rows]


def app_password_summaries(conn: sqlite3.Connection) -> dict[str, tuple[int, datetime | None]]:
    """Per listed user (lower-case address): how many app passwords the last listing found, and the latest use."""
    rows = conn.execute("SELECT u.email, COUNT(p.code_id), MAX(p.last_used_at) FROM workspace_asp_users u "
                        "LEFT JOIN workspace_app_passwords p ON p.email = u.email GROUP BY u.email")
    return {str(email).lower(): (int(count), _time(last)) for email, count, last in rows}


def operator() -> str:
    """Who is running mailkit, as the system knows them ("" when it cannot tell)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


__all__ = ["Revocation", "app_password_summaries", "forget_app_password", "operator", "read_record", "record",
           "revocation_record", "save_listing"]

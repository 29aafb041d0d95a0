"""The report's "app passwords (n, last used)" column for Workspace accounts, from the last listing of the
Directory kept in SQLite (`mailkit workspace app-passwords DOMAIN`): how many app passwords the user holds and
when one was last used. Empty for accounts that are not Workspace ones or whose domain was never listed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from mailkit.google_workspace.security_records import app_password_summaries
from mailkit.i18n import text


def app_passwords_cell(count: int, last_used: object, lang: str | None) -> str:
    """'0', '2, last used 2026-11-28' or '1, never used', in `lang`."""
    if count == 0:
        return "0"
    if last_used is None:
        return text(lang, "{n}, never used", n=count)
    return text(lang, "{n}, last used {date}", n=count, date=f"{last_used:%Y-%m-%d}")


def app_passwords_column(conn: sqlite3.Connection, emails: Iterable[str], providers: Iterable[str],
                         lang: str | None) -> list[str]:
    """The column's cell for each account (same order as `emails`)."""
    summaries = app_password_summaries(conn)
    cells = []
    for email, provider in zip(emails, providers, strict=True):
        found = summaries.get(str(email).lower()) if provider == "workspace" else None
        cells.append(app_passwords_cell(*found, lang) if found is not None else "")
    return cells


__all__ = ["app_passwords_cell", "app_passwords_column"]

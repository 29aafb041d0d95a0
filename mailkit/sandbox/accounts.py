"""The sandbox's accounts: a TOML file of `[[account]]` tables (the contract in DESIGN.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from mailkit.errors import UsageError


@dataclass(frozen=True)
class SandboxAccount:
    """One fake Google (or Microsoft 365) account and how the sandbox treats its sign-ins."""

    email: str
    password: str = ""
    two_step: bool = False
    app_passwords: tuple[str, ...] = ()
    oauth: bool = True
    workspace: bool = False
    two_step_enforced: bool = False
    web_login_required: bool = False
    daily_limit: int = 500
    send_as: tuple[str, ...] = ()
    admin: bool = False
    display_name: str = ""
    login_throttled: bool = False
    busy_replies: int = 0
    max_message_size: int = 35882577
    #: A Microsoft 365 mailbox (Outlook SMTP/IMAP and Microsoft's identity platform), not a Google one.
    microsoft: bool = False
    #: Microsoft: SMTP AUTH turned off for the mailbox or tenant (Set-CASMailbox -SmtpClientAuthenticationDisabled).
    smtp_auth_disabled: bool = False
    #: Microsoft: the tenant's Security Defaults block password (basic) sign-ins.
    security_defaults: bool = False
    #: Microsoft: basic authentication for client submission is gone (the 2026 retirement).
    basic_auth_retired: bool = False

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    def accepts_password(self, secret: str) -> bool:
        """True when a plain password sign-in would work (no 2SV)."""
        return not self.two_step and bool(self.password) and secret == self.password

    def accepts_app_password(self, secret: str) -> bool:
        """App passwords are compared as Google does: spaces ignored, case folded."""
        given = secret.replace(" ", "").lower()
        return any(given == p.replace(" ", "").lower() for p in self.app_passwords)

    def may_send_as(self, address: str) -> bool:
        address = address.lower()
        return address == self.email.lower() or address in {a.lower() for a in self.send_as}


_KNOWN = {f.name for f in fields(SandboxAccount)}


def load_accounts(path: str | Path) -> dict[str, SandboxAccount]:
    """Read the accounts file; unknown keys and bad types are errors that name the account."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the sandbox accounts file ({exc})") from exc
    tables = raw.get("account", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise UsageError(f"{path}: `account` must be [[account]] tables, one per account (see "
                         "mailkit/sandbox/default_accounts.toml)")
    accounts: dict[str, SandboxAccount] = {}
    for index, table in enumerate(tables, start=1):
        account = _account_from_table(path, index, table)
        accounts[account.email.lower()] = account
    if not accounts:
        raise UsageError(f"{path}: no [[account]] tables")
    return accounts


def _account_from_table(path: Path, index: int, table: dict) -> SandboxAccount:
    where = f"{path}: account #{index} ({table.get('email', 'no email')})"
    unknown = set(table) - _KNOWN
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KNOWN))}")
    if "@" not in str(table.get("email", "")):
        raise UsageError(f"{where}: `email` is required and must be an address")
    values = dict(table)
    for key in ("app_passwords", "send_as"):
        items = values.get(key, ())
        if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
            raise UsageError(f"{where}: `{key}` must be a list of strings")
        values[key] = tuple(values.get(key, ()))
    for key in ("email", "password", "display_name"):
        if key in values and not isinstance(values[key], str):
            raise UsageError(f"{where}: `{key}` must be a string")
    for f in fields(SandboxAccount):
        if f.name in values and f.type == "bool" and not isinstance(values[f.name], bool):
            raise UsageError(f"{where}: `{f.name}` must be true or false")
        if f.name in values and f.type == "int" and not isinstance(values[f.name], int):
            raise UsageError(f"{where}: `{f.name}` must be a whole number")
    return SandboxAccount(**values)


__all__ = ["SandboxAccount", "load_accounts"]

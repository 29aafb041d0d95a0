"""The sandbox's accounts: a TOML file of `[[account]]` tables (the contract in DESIGN.md)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mailkit.errors import UsageError


@dataclass(frozen=True)
class AppPasswordDetails:
    """What Google shows about one app password (never the password): the name the user gave it, when it was
    created and last used (epoch seconds; None = unknown / never)."""

    name: str = ""
    created: float | None = None
    last_used: float | None = None


@dataclass(frozen=True)
class ThirdPartyToken:
    """An OAuth token the user gave a third-party app, as the Directory's tokens.list shows it."""

    client_id: str
    display_text: str = ""
    scopes: tuple[str, ...] = ()
    anonymous: bool = False
    native_app: bool = False


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
    #: Microsoft: the tenant's outbound mail is stopped for going over its threshold (550 5.7.705 at MAIL FROM).
    tenant_over_threshold: bool = False
    #: Microsoft: mail from the tenant is refused for now (550 5.7.708, traffic not accepted from this IP).
    tenant_ip_blocked: bool = False
    #: When the account's password last changed (epoch seconds; a TOML date-time in the file): app passwords
    #: issued before it are revoked and OAuth grants issued before it die, as at Google.
    password_changed_at: float | None = None
    #: When the account's app passwords were created (epoch seconds; a TOML date-time in the file); unknown = new.
    app_passwords_issued_at: float | None = None
    #: Workspace: the user is suspended (the Directory says so; sign-ins are refused as Google refuses them).
    suspended: bool = False
    #: Workspace: the last sign-in (epoch seconds; a TOML date-time in the file); None = never.
    last_login: float | None = None
    #: Workspace: other addresses of the user (the Directory's `aliases`).
    aliases: tuple[str, ...] = ()
    #: Workspace: the user's organizational unit.
    org_unit: str = "/"
    #: Per app password, in the order of `app_passwords`: tables of `name`, `created`, `last_used`.
    app_password_details: tuple[AppPasswordDetails, ...] = ()
    #: Third-party apps holding OAuth tokens of the user: tables of `client_id`, `display_text`, `scopes`,
    #: `anonymous`, `native_app`.
    tokens: tuple[ThirdPartyToken, ...] = ()
    #: Google Cloud: the account holds Service Account Token Creator on the sandbox's service account, so its own
    #: cloud-platform token may have IAM Credentials sign as it (keyless domain-wide delegation). Any account: a
    #: reseller's admin is usually on a domain of its own.
    token_creator: bool = False

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

    def app_password_index(self, secret: str) -> int | None:
        """Which app password a secret is (its position in `app_passwords`), compared as Google does."""
        given = secret.replace(" ", "").lower()
        return next((i for i, p in enumerate(self.app_passwords) if given == p.replace(" ", "").lower()), None)

    def app_password_codes(self) -> list[int]:
        """A stable Directory `codeId` per app password (a positive 32-bit number, unique within the account)."""
        codes: list[int] = []
        for index in range(len(self.app_passwords)):
            digest = hashlib.sha256(f"{self.email.lower()}#{index}".encode()).digest()
            code = int.from_bytes(digest[:4], "big") % 2_000_000_000 + 1
            while code in codes:
                code += 1
            codes.append(code)
        return codes

    def app_password_details_at(self, index: int) -> AppPasswordDetails:
        """The details of the app password at `index` (defaults when the file gives none)."""
        if index < len(self.app_password_details):
            return self.app_password_details[index]
        return AppPasswordDetails(name=f"App password {index + 1}")  # created: the sandbox clock (see grants)

    def may_send_as(self, address: str) -> bool:
        address = address.lower()
        return address == self.email.lower() or address in {a.lower() for a in self.send_as}


_KNOWN = {f.name for f in fields(SandboxAccount)}


def array_of_tables(path: str | Path, name: str, one_per: str) -> list[dict] | None:
    """The accounts file's `[[name]]` tables (None when it has none) — the one reader of its `account`, `client`
    and `delegation` tables; UsageError for a file that cannot be read or a `name` that is not such tables."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the sandbox accounts file ({exc})") from exc
    tables = raw.get(name)
    if tables is None:
        return None
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise UsageError(f"{path}: `{name}` must be [[{name}]] tables, {one_per}")
    return tables


def load_accounts(path: str | Path) -> dict[str, SandboxAccount]:
    """Read the accounts file; unknown keys and bad types are errors that name the account."""
    path = Path(path)
    tables = array_of_tables(path, "account", "one per account (see mailkit/sandbox/default_accounts.toml)") or []
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
    for key in ("aliases",):
        items = values.get(key, ())
        if not isinstance(items, list | tuple) or not all(isinstance(v, str) and "@" in v for v in items):
            raise UsageError(f"{where}: `{key}` must be a list of addresses")
        values[key] = tuple(items)
    if "app_password_details" in values:
        values["app_password_details"] = _details(where, values["app_password_details"],
                                                  len(values.get("app_passwords", ())))
    if "tokens" in values:
        values["tokens"] = _tokens(where, values["tokens"])
    for key in ("email", "password", "display_name", "org_unit"):
        if key in values and not isinstance(values[key], str):
            raise UsageError(f"{where}: `{key}` must be a string")
    for key in ("password_changed_at", "app_passwords_issued_at", "last_login"):
        if key in values:
            values[key] = _epoch(where, key, values[key])
    for f in fields(SandboxAccount):
        if f.name in values and f.type == "bool" and not isinstance(values[f.name], bool):
            raise UsageError(f"{where}: `{f.name}` must be true or false")
        if f.name in values and f.type == "int" and not isinstance(values[f.name], int):
            raise UsageError(f"{where}: `{f.name}` must be a whole number")
    return SandboxAccount(**values)


def _details(where: str, tables: Any, count: int) -> tuple[AppPasswordDetails, ...]:
    """`app_password_details`: one table per app password, in the same order, at most as many."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise UsageError(f"{where}: `app_password_details` must be a list of tables (name, created, last_used)")
    if len(tables) > count:
        raise UsageError(f"{where}: `app_password_details` has {len(tables)} tables for {count} app password(s)")
    found = []
    for number, table in enumerate(tables, start=1):
        unknown = set(table) - {"name", "created", "last_used"}
        if unknown:
            raise UsageError(f"{where}: app_password_details #{number}: unknown key(s) {', '.join(sorted(unknown))}; "
                             "allowed: created, last_used, name")
        if not isinstance(table.get("name", ""), str):
            raise UsageError(f"{where}: app_password_details #{number}: `name` must be a string")
        found.append(AppPasswordDetails(
            str(table.get("name") or f"App password {number}"),
            _epoch(where, "created", table["created"]) if "created" in table else None,
            _epoch(where, "last_used", table["last_used"]) if "last_used" in table else None))
    return tuple(found)


def _tokens(where: str, tables: Any) -> tuple[ThirdPartyToken, ...]:
    """`tokens`: one table per third-party app holding a token of the account."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise UsageError(f"{where}: `tokens` must be a list of tables (client_id, display_text, scopes, anonymous, "
                         "native_app)")
    found = []
    allowed = {"client_id", "display_text", "scopes", "anonymous", "native_app"}
    for number, table in enumerate(tables, start=1):
        unknown = set(table) - allowed
        if unknown:
            raise UsageError(f"{where}: tokens #{number}: unknown key(s) {', '.join(sorted(unknown))}; "
                             f"allowed: {', '.join(sorted(allowed))}")
        scopes = table.get("scopes", [])
        if not isinstance(table.get("client_id"), str) or not table["client_id"]:
            raise UsageError(f"{where}: tokens #{number}: `client_id` is required (a string)")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise UsageError(f"{where}: tokens #{number}: `scopes` must be a list of strings")
        if not all(isinstance(table.get(k, False), bool) for k in ("anonymous", "native_app")):
            raise UsageError(f"{where}: tokens #{number}: `anonymous` and `native_app` must be true or false")
        found.append(ThirdPartyToken(table["client_id"], str(table.get("display_text", "")), tuple(scopes),
                                     bool(table.get("anonymous", False)), bool(table.get("native_app", False))))
    return tuple(found)


def _epoch(where: str, key: str, value: object) -> float:
    """A TOML date-time or date (or the same as ISO 8601 text) as epoch seconds; a date-time without a zone is UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            value = None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise UsageError(f"{where}: `{key}` must be a date-time such as 2026-11-20T09:00:00Z")
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


__all__ = ["AppPasswordDetails", "SandboxAccount", "ThirdPartyToken", "array_of_tables", "load_accounts"]

"""Where OAuth grants live: the token bundle in keyring, the non-secret facts in SQLite.

The bundle (refresh token, access token, its expiry, the client it belongs to) is a secret and
goes to keyring only. The facts (who was authorized, which scopes, when, the grant's status)
go to SQLite so reports can show them without touching a secret.

A `GrantPurpose` says what a consent is for, and so where both go: `MAIL` (an inventory
account sending over SMTP/IMAP: keyring kind `oauth_token`, table `oauth_grants`) or the
Directory purpose of `mailkit.twostep.directory` (a Workspace admin reading 2-Step
Verification: kind `directory_token`, table `directory_grants`; the admin need not be an
account in the inventory).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from mailkit.inventory import Inventory
from mailkit.models import now_iso
from mailkit.oauth.client import MAIL_SCOPE, SCOPES
from mailkit.oauth.scopes import MS_SMTP_SEND_SCOPE
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace

#: Refresh when less than this is left of the access token's life.
REFRESH_MARGIN = timedelta(minutes=5)
#: The words of the mail scope's box on Google's consent page.
MAIL_BOX = "Read, compose, send and permanently delete all your email from Gmail"
#: A refresh token issued to an OAuth client whose consent screen is External and in "Testing" lives this long.
TESTING_LIFETIME = timedelta(days=7)
#: The workspace setting (table) that says, per client fingerprint, whether the admin's client is in Testing.
TESTING_SETTING = "oauth_testing"


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO string, epoch seconds, or a naive-UTC datetime (google-auth's `expiry`)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


@dataclass(frozen=True)
class TokenBundle:
    """What keyring holds for one account. `repr` shows no token."""

    refresh_token: str = field(repr=False)
    access_token: str = field(repr=False, default="")
    expiry: datetime | None = None
    client_id: str = ""
    scopes: tuple[str, ...] = ()
    authorized_email: str = ""

    def fresh(self, now: datetime | None = None) -> bool:
        """True when the access token has more than REFRESH_MARGIN left."""
        return bool(self.access_token) and self.expiry is not None and \
            self.expiry - (now or utcnow()) > REFRESH_MARGIN

    def with_access(self, token: str, expiry: datetime | None, refresh_token: str | None = None) -> TokenBundle:
        """After a refresh: the new access token; a new refresh token only if Google sent one."""
        return replace(self, access_token=token, expiry=parse_time(expiry),
                       refresh_token=refresh_token or self.refresh_token)

    def to_json(self) -> dict[str, Any]:
        """Top-level strings are the secrets (the store masks them in all output); the rest is nested
        or numeric so that addresses, client ids and dates stay readable."""
        return {"refresh_token": self.refresh_token, "access_token": self.access_token,
                "expiry": self.expiry.timestamp() if self.expiry else None,
                "meta": {"client_id": self.client_id, "scopes": list(self.scopes),
                         "authorized_email": self.authorized_email}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenBundle:
        meta = data.get("meta") or {}
        return cls(str(data.get("refresh_token") or ""), str(data.get("access_token") or ""),
                   parse_time(data.get("expiry")), str(meta.get("client_id") or ""),
                   tuple(meta.get("scopes") or ()), str(meta.get("authorized_email") or ""))


def load_bundle(workspace: Workspace, email: str, kind: SecretKind = SecretKind.OAUTH_TOKEN) -> TokenBundle | None:
    data = secret_store(workspace).get_json(email, kind)
    return TokenBundle.from_json(data) if data else None


def save_bundle(workspace: Workspace, email: str, bundle: TokenBundle,
                kind: SecretKind = SecretKind.OAUTH_TOKEN) -> None:
    secret_store(workspace).set_json(email, kind, bundle.to_json())


def delete_bundle(workspace: Workspace, email: str, kind: SecretKind = SecretKind.OAUTH_TOKEN) -> bool:
    return secret_store(workspace).delete(email, kind)


@dataclass
class GrantFacts:
    """One row of `oauth_grants`: what may be shown about a grant."""

    email: str
    client_fingerprint: str
    authorized_email: str | None
    scopes: list[str]
    obtained_at: str
    last_refresh_at: str | None
    access_expires_at: str | None
    status: str
    #: When the refresh token ends, when that is known (Google's `refresh_token_expires_in`, or a Testing client).
    refresh_expires_at: str | None = None
    #: Whether the client was in Testing when the consent was given (None: not known).
    client_testing: bool | None = None

    @property
    def mail_scope(self) -> bool:
        """The scope SMTP needs: Gmail's full mail scope, or Microsoft's SMTP.Send."""
        return MAIL_SCOPE in self.scopes or MS_SMTP_SEND_SCOPE in self.scopes


@runtime_checkable
class GrantFactsStore(Protocol):
    """What mailkit keeps about a grant besides its token (one row per grant), whatever the grant is for:
    the mail consent of an account (`GrantStore`) or a Workspace admin's Directory consent
    (`DirectoryGrantStore`)."""

    def knows(self, email: str) -> bool: ...

    def save_consent(self, email: str, *, client_fingerprint: str, authorized_email: str, scopes: list[str],
                     access_expires_at: datetime | None) -> list[str]: ...

    def record_refresh(self, email: str, access_expires_at: datetime | None) -> None: ...

    def set_status(self, email: str, status: Status | str) -> None: ...

    def delete(self, email: str) -> None: ...

    def facts(self, email: str) -> Any: ...


class GrantStore:
    """The `oauth_grants` table, through an open inventory."""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory

    def knows(self, email: str) -> bool:
        """Facts are kept for inventory accounts only."""
        return self.inventory.find_account(email) is not None

    def save_consent(self, email: str, *, client_fingerprint: str, authorized_email: str, scopes: list[str],
                     access_expires_at: datetime | None) -> list[str]:
        """A consent just succeeded: replace the row (status ok, no refresh yet)."""
        with self.inventory.transaction() as tx:
            tx.execute(
                "INSERT INTO oauth_grants (account_id, client_fingerprint, authorized_email, scopes, obtained_at, "
                "last_refresh_at, access_expires_at, status) VALUES (?, ?, ?, ?, ?, NULL, ?, 'ok') "
                "ON CONFLICT (account_id) DO UPDATE SET client_fingerprint = excluded.client_fingerprint, "
                "authorized_email = excluded.authorized_email, scopes = excluded.scopes, "
                "obtained_at = excluded.obtained_at, last_refresh_at = NULL, "
                "access_expires_at = excluded.access_expires_at, status = 'ok'",
                (self.inventory.account_id(email), client_fingerprint, authorized_email, " ".join(scopes),
                 now_iso(), iso(access_expires_at)))
        return []  # one grant per account: it replaces no other address's

    def record_refresh(self, email: str, access_expires_at: datetime | None) -> None:
        with self.inventory.transaction() as tx:
            tx.execute("UPDATE oauth_grants SET last_refresh_at = ?, access_expires_at = ?, status = 'ok' "
                       "WHERE account_id = ?", (now_iso(), iso(access_expires_at), self.inventory.account_id(email)))

    def record_lifetime(self, email: str, refresh_expires_at: datetime | None, testing: bool | None = None) -> None:
        """What is known of the refresh token's end: a date (None leaves the one known), its client in Testing."""
        with self.inventory.transaction() as tx:
            tx.execute("UPDATE oauth_grants SET refresh_expires_at = COALESCE(?, refresh_expires_at), "
                       "client_testing = COALESCE(?, client_testing) WHERE account_id = ?",
                       (iso(refresh_expires_at), None if testing is None else int(testing),
                        self.inventory.account_id(email)))

    def set_status(self, email: str, status: Status | str) -> None:
        with self.inventory.transaction() as tx:
            tx.execute("UPDATE oauth_grants SET status = ? WHERE account_id = ?",
                       (str(status), self.inventory.account_id(email)))

    def delete(self, email: str) -> None:
        with self.inventory.transaction() as tx:
            tx.execute("DELETE FROM oauth_grants WHERE account_id = ?", (self.inventory.account_id(email),))

    def facts(self, email: str) -> GrantFacts | None:
        row = self.inventory.conn.execute(
            "SELECT a.email, g.* FROM oauth_grants g JOIN accounts a ON a.id = g.account_id WHERE a.email = ?",
            (email.strip(),)).fetchone()
        return _facts(row) if row else None


def _facts(row: sqlite3.Row) -> GrantFacts:
    testing = row["client_testing"]
    return GrantFacts(row["email"], row["client_fingerprint"], row["authorized_email"], row["scopes"].split(),
                      row["obtained_at"], row["last_refresh_at"], row["access_expires_at"], row["status"],
                      row["refresh_expires_at"], None if testing is None else bool(testing))


def client_in_testing(workspace: Workspace, fingerprint: str) -> bool | None:
    """What the admin said of this OAuth client (`mailkit oauth client --testing/--published`); None: not said."""
    value = workspace.setting(f"{TESTING_SETTING}.{fingerprint}")
    return value if isinstance(value, bool) else None


def refresh_token_end(token: dict[str, Any], testing: bool | None, now: datetime | None = None) -> datetime | None:
    """When a just-issued refresh token ends: Google's own `refresh_token_expires_in` when the token response
    carries it (a Testing client's, or a time-limited consent), else 7 days on for a client in Testing."""
    now = now or utcnow()
    seconds = token.get("refresh_token_expires_in")
    if isinstance(seconds, int | float) or (isinstance(seconds, str) and seconds.isdigit()):
        return now + timedelta(seconds=float(seconds))
    return now + TESTING_LIFETIME if testing else None


@dataclass
class DirectoryGrantFacts:
    """One row of `directory_grants`: the admin whose own consent reads a domain's Directory."""

    domain: str
    admin_email: str
    client_fingerprint: str
    scopes: list[str]
    obtained_at: str
    last_refresh_at: str | None
    access_expires_at: str | None
    status: str


class AddressKeyedGrants:
    """What the grant-facts tables of consents given by an address that need not be an inventory account share (a
    Workspace admin's Directory consent, a keyless signer's): the row found by that address (`address_column` in
    `table`), and a refresh, a status or a deletion touching that row alone."""

    table = ""
    address_column = ""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory

    def knows(self, email: str) -> bool:
        return True  # the address need not be an account in the inventory

    def record_refresh(self, email: str, access_expires_at: datetime | None) -> None:
        self._update("last_refresh_at = ?, access_expires_at = ?, status = 'ok'", now_iso(), iso(access_expires_at),
                     email=email)

    def set_status(self, email: str, status: Status | str) -> None:
        self._update("status = ?", str(status), email=email)

    def delete(self, email: str) -> None:
        with self.inventory.transaction() as tx:
            tx.execute(f"DELETE FROM {self.table} WHERE {self.address_column} = ?", (email.strip(),))

    def _update(self, assignments: str, *values: object, email: str) -> None:
        with self.inventory.transaction() as tx:
            tx.execute(f"UPDATE {self.table} SET {assignments} WHERE {self.address_column} = ?",
                       (*values, email.strip()))


class DirectoryGrantStore(AddressKeyedGrants):
    """The `directory_grants` table: one admin per Workspace domain (a newer consent replaces the older)."""

    table, address_column = "directory_grants", "admin_email"

    def save_consent(self, email: str, *, client_fingerprint: str, authorized_email: str, scopes: list[str],
                     access_expires_at: datetime | None) -> list[str]:
        """Keep `email` as its domain's admin; the admin it replaced (whose token is then of no use), if any."""
        domain = email.rpartition("@")[2].lower()
        with self.inventory.transaction() as tx:
            before = tx.execute("SELECT admin_email FROM directory_grants WHERE domain = ?", (domain,)).fetchone()
            tx.execute(
                "INSERT INTO directory_grants (domain, admin_email, client_fingerprint, scopes, obtained_at, "
                "last_refresh_at, access_expires_at, status) VALUES (?, ?, ?, ?, ?, NULL, ?, 'ok') "
                "ON CONFLICT (domain) DO UPDATE SET admin_email = excluded.admin_email, "
                "client_fingerprint = excluded.client_fingerprint, scopes = excluded.scopes, "
                "obtained_at = excluded.obtained_at, last_refresh_at = NULL, "
                "access_expires_at = excluded.access_expires_at, status = 'ok'",
                (domain, email.lower(), client_fingerprint, " ".join(scopes), now_iso(), iso(access_expires_at)))
        replaced = before["admin_email"] if before else None
        return [replaced] if replaced and replaced.lower() != email.lower() else []

    def all(self) -> list[DirectoryGrantFacts]:
        rows = self.inventory.conn.execute("SELECT * FROM directory_grants ORDER BY domain").fetchall()
        return [DirectoryGrantFacts(r["domain"], r["admin_email"], r["client_fingerprint"], r["scopes"].split(),
                                    r["obtained_at"], r["last_refresh_at"], r["access_expires_at"], r["status"])
                for r in rows]

    def facts(self, email: str) -> DirectoryGrantFacts | None:
        return next((f for f in self.all() if f.admin_email.lower() == email.strip().lower()), None)

    def admin_for(self, domain: str) -> str | None:
        """The admin whose consent reads this domain (see `pick_admin`)."""
        return pick_admin([g.admin_email for g in self.all()], domain)


def admin_of(admin: str, domain: str) -> bool:
    """True when the admin's address is in this domain."""
    return admin.rpartition("@")[2].lower() == domain.strip().lower()


def pick_admin(admins: list[str], domain: str) -> str | None:
    """The admin of this domain; with a single admin kept, that one (a secondary domain of the same Workspace)."""
    return next((a for a in admins if admin_of(a, domain)), admins[0] if len(admins) == 1 else None)


@dataclass(frozen=True)
class GrantPurpose:
    """What a consent is for: the scopes asked, the one that must be ticked (with its box's words on
    Google's page and why mailkit needs it), the keyring kind of the token bundle, the table of the
    facts, and the command that gives the consent again."""

    name: str
    scopes: tuple[str, ...]
    required_scope: str
    required_box: str
    need: str
    secret_kind: SecretKind
    store: Callable[[Inventory], GrantFactsStore]
    login_command: str
    granted: str

    def command(self, email: str) -> str:
        """The command that asks this consent again for `email`."""
        return self.login_command.format(email=email)


#: An inventory account's consent to send and read its mail (SMTP/IMAP with XOAUTH2).
MAIL = GrantPurpose("mail", SCOPES, MAIL_SCOPE, MAIL_BOX, "to send over SMTP", SecretKind.OAUTH_TOKEN,
                    GrantStore, "mailkit oauth login {email}",
                    "{email} authorized: mailkit can now send as this account with OAuth 2.0 (XOAUTH2).")


def record_lifetime(workspace: Workspace, inventory: Inventory, purpose: GrantPurpose, email: str,
                    token: dict[str, Any], fingerprint: str) -> None:
    """After a mail consent: keep when its refresh token ends and whether its client was in Testing, as far as
    the token response and the admin's word on the client tell."""
    store = purpose.store(inventory)
    if not isinstance(store, GrantStore) or not store.knows(email):
        return
    testing = client_in_testing(workspace, fingerprint)
    store.record_lifetime(email, refresh_token_end(token, testing), testing)


@contextmanager
def facts_of(workspace: Workspace, email: str, purpose: GrantPurpose = MAIL) -> Iterator[GrantFactsStore | None]:
    """The purpose's grant store in the workspace's inventory, or None when it keeps no facts for `email`."""
    with Inventory.open(workspace) as inventory:
        store = purpose.store(inventory)
        yield store if store.knows(email) else None


__all__ = ["MAIL", "MAIL_BOX", "REFRESH_MARGIN", "TESTING_LIFETIME", "TESTING_SETTING", "AddressKeyedGrants",
           "client_in_testing", "record_lifetime", "refresh_token_end", "DirectoryGrantFacts", "DirectoryGrantStore",
           "GrantFacts", "GrantFactsStore", "GrantPurpose", "GrantStore", "TokenBundle", "admin_of", "delete_bundle",
           "facts_of", "iso", "load_bundle", "parse_time", "pick_admin", "save_bundle", "utcnow"]

"""Where OAuth grants live: the token bundle in keyring, the non-secret facts in SQLite.

The bundle (refresh token, access token, its expiry, the client it belongs to) is a secret and
goes to keyring only. The facts (who was authorized, which scopes, when, the grant's status)
go to the `oauth_grants` table so reports can show them without touching a secret.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mailkit.inventory import Inventory
from mailkit.models import now_iso
from mailkit.oauth_client import MAIL_SCOPE
from mailkit.secrets import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace

#: Refresh when less than this is left of the access token's life.
REFRESH_MARGIN = timedelta(minutes=5)


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


def load_bundle(workspace: Workspace, email: str) -> TokenBundle | None:
    data = secret_store(workspace).get_json(email, SecretKind.OAUTH_TOKEN)
    return TokenBundle.from_json(data) if data else None


def save_bundle(workspace: Workspace, email: str, bundle: TokenBundle) -> None:
    secret_store(workspace).set_json(email, SecretKind.OAUTH_TOKEN, bundle.to_json())


def delete_bundle(workspace: Workspace, email: str) -> bool:
    return secret_store(workspace).delete(email, SecretKind.OAUTH_TOKEN)


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

    @property
    def mail_scope(self) -> bool:
        return MAIL_SCOPE in self.scopes


class GrantStore:
    """The `oauth_grants` table, through an open inventory."""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory

    def save_consent(self, email: str, *, client_fingerprint: str, authorized_email: str, scopes: list[str],
                     access_expires_at: datetime | None) -> None:
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

    def record_refresh(self, email: str, access_expires_at: datetime | None) -> None:
        with self.inventory.transaction() as tx:
            tx.execute("UPDATE oauth_grants SET last_refresh_at = ?, access_expires_at = ?, status = 'ok' "
                       "WHERE account_id = ?", (now_iso(), iso(access_expires_at), self.inventory.account_id(email)))

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
    return GrantFacts(row["email"], row["client_fingerprint"], row["authorized_email"], row["scopes"].split(),
                      row["obtained_at"], row["last_refresh_at"], row["access_expires_at"], row["status"])


def update_facts(workspace: Workspace, email: str, action: str, *args: Any, **kwargs: Any) -> None:
    """Open the workspace's inventory and call one GrantStore method (skipped for unknown accounts)."""
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(email) is not None:
            getattr(GrantStore(inventory), action)(email, *args, **kwargs)


__all__ = ["REFRESH_MARGIN", "GrantFacts", "GrantStore", "TokenBundle", "delete_bundle", "iso", "load_bundle",
           "parse_time", "save_bundle", "update_facts", "utcnow"]

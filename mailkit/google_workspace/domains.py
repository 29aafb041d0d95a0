"""Which Workspace domains are connected with domain-wide delegation: the `workspace_delegations` table.

One row per domain: the service account's email and client ID, the scopes mailkit asks for, the admin it acts
as for Directory reads, the signer when Google signs for it (keyless), and the last check (when, which mailbox,
which status). Never the key: that is in keyring (`mailkit.google_workspace.keys`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from mailkit.inventory import Inventory
from mailkit.models import now_iso
from mailkit.workspace import Workspace


@dataclass(frozen=True)
class DelegatedDomain:
    """A connected domain, as `mailkit workspace status` shows it."""

    domain: str
    service_account: str
    client_id: str
    scopes: list[str]
    admin: str | None
    connected_at: str
    checked_at: str | None
    checked_mailbox: str | None
    last_result: str
    #: Keyless: who has Google sign as the service account (None: its key in keyring signs).
    signer: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class DelegationStore:
    """Reads and writes `workspace_delegations` through an open inventory."""

    def __init__(self, inventory: Inventory):
        self.inventory = inventory

    def connect(self, domain: str, *, service_account: str, client_id: str, scopes: list[str],
                admin: str | None, mailbox: str, result: str, signer: str | None = None) -> DelegatedDomain:
        """Record a domain whose delegation was just proven with `mailkit workspace connect` (`signer`: keyless,
        else a key; connecting again with the other form replaces it)."""
        stamp = now_iso()
        with self.inventory.transaction() as tx:
            tx.execute(
                "INSERT INTO workspace_delegations (domain, service_account, client_id, scopes, admin_email, "
                "connected_at, checked_at, checked_mailbox, last_result, signer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (domain) DO UPDATE SET service_account = excluded.service_account, "
                "client_id = excluded.client_id, scopes = excluded.scopes, "
                "admin_email = COALESCE(excluded.admin_email, workspace_delegations.admin_email), "
                "checked_at = excluded.checked_at, checked_mailbox = excluded.checked_mailbox, "
                "last_result = excluded.last_result, signer = excluded.signer",
                (domain.lower(), service_account, client_id, " ".join(scopes), admin, stamp, stamp, mailbox, result,
                 signer))
        found = self.get(domain)
        if found is None:  # the row was just written in this transaction
            raise RuntimeError(f"the delegation of {domain} was not recorded")
        return found

    def record_check(self, domain: str, mailbox: str, result: str) -> None:
        """The outcome of minting a token for a mailbox of the domain (ok, or the status it became)."""
        with self.inventory.transaction() as tx:
            tx.execute("UPDATE workspace_delegations SET checked_at = ?, checked_mailbox = ?, last_result = ? "
                       "WHERE domain = ?", (now_iso(), mailbox, result, domain.lower()))

    def get(self, domain: str) -> DelegatedDomain | None:
        row = self.inventory.conn.execute("SELECT * FROM workspace_delegations WHERE domain = ?",
                                          (domain.strip().lower(),)).fetchone()
        return _domain(row) if row is not None else None

    def all(self) -> list[DelegatedDomain]:
        rows = self.inventory.conn.execute("SELECT * FROM workspace_delegations ORDER BY domain").fetchall()
        return [_domain(row) for row in rows]

    def delete(self, domain: str) -> bool:
        with self.inventory.transaction() as tx:
            return tx.execute("DELETE FROM workspace_delegations WHERE domain = ?",
                              (domain.strip().lower(),)).rowcount > 0


def _domain(row: sqlite3.Row) -> DelegatedDomain:
    return DelegatedDomain(row["domain"], row["service_account"], row["client_id"], row["scopes"].split(),
                           row["admin_email"], row["connected_at"], row["checked_at"], row["checked_mailbox"],
                           row["last_result"], row["signer"])


_lock = threading.Lock()
#: The connected domains per database, with the state of its files when they were read: every account of an audit
#: asks (on the event loop), and opening SQLite for each cost ~20 ms; a write to the database (WAL or main file)
#: changes the state, and the domains are read again.
_known: dict[str, tuple[tuple[int, ...], dict[str, DelegatedDomain]]] = {}


def connected_domain(workspace: Workspace, domain: str) -> DelegatedDomain | None:
    """The domain's delegation record, if it is connected."""
    return connected(workspace).get(domain.strip().lower())


def connected(workspace: Workspace) -> dict[str, DelegatedDomain]:
    """Every connected domain of the workspace, read again only after the database changed."""
    path = workspace.db_path
    state = _file_state(path)
    with _lock:
        kept = _known.get(str(path))
    if kept is not None and kept[0] == state:
        return kept[1]
    if not path.exists():
        return {}
    with Inventory.open(workspace) as inventory:
        domains = {d.domain.lower(): d for d in DelegationStore(inventory).all()}
    with _lock:
        _known[str(path)] = (state, domains)
    return domains


def _file_state(path: Path) -> tuple[int, ...]:
    """mtime and size of the database and its WAL: SQLite writes change one of them."""
    state: list[int] = []
    for each in (path, path.with_name(path.name + "-wal")):
        try:
            info = os.stat(each)
        except OSError:
            state += [0, 0]
            continue
        state += [info.st_mtime_ns, info.st_size]
    return tuple(state)


def record_check(workspace: Workspace, domain: str, mailbox: str, result: str) -> None:
    with Inventory.open(workspace) as inventory:
        DelegationStore(inventory).record_check(domain, mailbox, result)


__all__ = ["DelegatedDomain", "DelegationStore", "connected", "connected_domain", "record_check"]

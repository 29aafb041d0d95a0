"""Domain-wide delegation as a Workspace Admin console keeps it: per domain, which service-account client IDs
may act for the domain's users, and with which OAuth scopes.

The accounts file may hold top-level `[[delegation]]` tables (next to its `[[account]]` ones):

    [[delegation]]
    domain = "ferreteria-delnorte.example"
    client_id = "112233445566778899001"     # optional: the sandbox's own service account
    scopes = ["https://mail.google.com/"]

With no `[[delegation]]` table at all the sandbox behaves as before: its own service account is delegated
`DELEGATED_SCOPES` on every Workspace domain. With tables, only what they list is delegated — as in the Admin
console (Security → Access and data control → API controls → Domain-wide delegation), where one entry per
client ID names its scopes. `revoke` and `grant` change it while the sandbox runs, as an admin would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mailkit.errors import UsageError
from mailkit.sandbox.accounts import SandboxAccount, array_of_tables
from mailkit.sandbox.http_keys import DELEGATED_SCOPES

#: The `client_id` of a table that names none: the sandbox's own service account.
OWN = ""
_KEYS = {"domain", "client_id", "scopes"}


@dataclass(frozen=True)
class Delegation:
    """One Admin-console entry: a client ID authorised for these scopes on one domain."""

    domain: str
    client_id: str = OWN
    scopes: frozenset[str] = frozenset()


class DelegationTable:
    """What every domain has delegated; thread-safe (the token endpoint reads while a test revokes)."""

    def __init__(self, entries: Iterable[Delegation] | None = None, workspace_domains: Iterable[str] = ()):
        #: None: the default (own service account, DELEGATED_SCOPES, every Workspace domain).
        self._entries: dict[tuple[str, str], frozenset[str]] | None = (
            None if entries is None else {(e.domain.lower(), e.client_id): e.scopes for e in entries})
        self._workspace_domains = frozenset(d.lower() for d in workspace_domains)
        self._lock = threading.Lock()

    @property
    def default(self) -> bool:
        """True while no `[[delegation]]` table (and no change) says otherwise."""
        return self._entries is None

    def scopes_for(self, domain: str, client_id: str, own_client_id: str) -> frozenset[str]:
        """The scopes `client_id` may ask for on behalf of the users of `domain` (empty: none)."""
        with self._lock:
            entries = self._explicit()
        domain = domain.lower()
        found = entries.get((domain, client_id), frozenset())
        if client_id == own_client_id:
            found = found | entries.get((domain, OWN), frozenset())
        return found

    def allows(self, domain: str, client_id: str, own_client_id: str, scopes: Iterable[str]) -> bool:
        """True when every requested scope is delegated to this client ID on this domain."""
        return set(scopes) <= self.scopes_for(domain, client_id, own_client_id)

    def revoke(self, domain: str, client_id: str = OWN) -> None:
        """Delete the domain's entry for a client ID (the Admin console's Delete)."""
        with self._lock:
            self._entries = self._explicit()
            self._entries.pop((domain.lower(), client_id), None)

    def grant(self, domain: str, scopes: Iterable[str], client_id: str = OWN) -> None:
        """Add or overwrite the domain's entry for a client ID (the Admin console's Add new / Edit)."""
        with self._lock:
            self._entries = self._explicit()
            self._entries[(domain.lower(), client_id)] = frozenset(scopes)

    def _explicit(self) -> dict[tuple[str, str], frozenset[str]]:
        """The entries, the default spelled out per Workspace domain (the lock is held)."""
        if self._entries is not None:
            return self._entries
        return {(domain, OWN): DELEGATED_SCOPES for domain in self._workspace_domains}


def load_delegations(path: str | Path, accounts: dict[str, SandboxAccount]) -> DelegationTable:
    """The `[[delegation]]` tables of the accounts file; a bad table is a UsageError that names it."""
    path = Path(path)
    workspace_domains = {a.domain.lower() for a in accounts.values() if a.workspace}
    tables = array_of_tables(path, "delegation", "one per domain and client ID")
    if tables is None:
        return DelegationTable(None, workspace_domains)
    entries: list[Delegation] = []
    seen: set[tuple[str, str]] = set()
    for index, table in enumerate(tables, start=1):
        entry = _delegation(f"{path}: delegation #{index} ({table.get('domain', 'no domain')})", table,
                            workspace_domains)
        key = (entry.domain, entry.client_id)
        if key in seen:
            raise UsageError(f"{path}: delegation #{index} ({entry.domain}): a second entry for the same client ID; "
                             "the Admin console keeps one per client ID: merge their scopes")
        seen.add(key)
        entries.append(entry)
    return DelegationTable(entries, workspace_domains)


def _delegation(where: str, table: dict, workspace_domains: set[str]) -> Delegation:
    unknown = set(table) - _KEYS
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KEYS))}")
    domain = table.get("domain")
    if not isinstance(domain, str) or not domain.strip() or "@" in domain:
        raise UsageError(f"{where}: `domain` is required: a domain name such as example.com")
    if domain.strip().lower() not in workspace_domains:
        raise UsageError(f"{where}: no Workspace account (workspace = true) of {domain} in this file: delegation is "
                         "configured in a Workspace domain's Admin console")
    client_id = table.get("client_id", OWN)
    if not isinstance(client_id, str) or (client_id and not client_id.strip()):
        raise UsageError(f"{where}: `client_id` must be text (the service account's numeric client ID), or left "
                         "out for the sandbox's own service account")
    scopes = table.get("scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) and s.strip() for s in scopes):
        raise UsageError(f"{where}: `scopes` must be a non-empty list of OAuth scopes, e.g. "
                         "[\"https://mail.google.com/\"]")
    return Delegation(domain.strip().lower(), client_id.strip(), frozenset(s.strip() for s in scopes))


__all__ = ["OWN", "Delegation", "DelegationTable", "load_delegations"]

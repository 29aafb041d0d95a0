"""The sandbox's extra OAuth clients: `[[client]]` tables in the accounts file, one per admin's client.

A reseller's clients each bring their own OAuth client, and Google treats them by their consent screen's
publishing status: an Internal client serves its own Workspace organisation only ("Error 403: org_internal"),
a client in Testing serves its test users only ("Error 403: access_denied") and its refresh tokens die 7 days
after consent (`refresh_token_expires_in` in each token answer), a production client serves everybody.

    [[client]]
    client_id = "1111-acme.apps.googleusercontent.com"
    client_secret = "GOCSPX-..."
    publishing = "internal"          # "testing" | "production" | "internal"
    domain = "ferreteria-delnorte.example"   # internal clients: the organisation's domain
    test_users = ["citas.tallerruiz@gmail.com"]   # testing clients
    name = "Ferretería del Norte ERP"   # the app name Google's pages show (optional)

The sandbox's own client (its `client_config`) is not listed: it stays a production client, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mailkit.errors import UsageError
from mailkit.sandbox.accounts import SandboxAccount, array_of_tables

PUBLISHING = ("testing", "production", "internal")
_KNOWN = {"client_id", "client_secret", "publishing", "domain", "test_users", "name"}
DEFAULT_APP_NAME = "mailkit"


@dataclass(frozen=True)
class SandboxClient:
    """One OAuth client the sandbox accepts, and whom Google lets consent to it."""

    client_id: str
    client_secret: str = field(repr=False)
    publishing: str = "production"
    domain: str = ""
    test_users: tuple[str, ...] = ()
    name: str = DEFAULT_APP_NAME

    @property
    def testing(self) -> bool:
        return self.publishing == "testing"

    def refusal(self, account: SandboxAccount) -> str | None:
        """Google's error for this account on this client's consent page (`org_internal`, `access_denied`)."""
        if self.publishing == "internal" and not (account.workspace and account.domain.lower() == self.domain):
            return "org_internal"
        if self.testing and account.email.lower() not in self.test_users:
            return "access_denied"
        return None


def load_clients(path: str | Path) -> dict[str, SandboxClient]:
    """The `[[client]]` tables of the accounts file (none: an empty dict); a bad table is one clear error."""
    path = Path(path)
    tables = array_of_tables(path, "client", "one per OAuth client") or []
    clients: dict[str, SandboxClient] = {}
    for index, table in enumerate(tables, start=1):
        client = _client(f"{path}: client #{index} ({table.get('client_id', 'no client_id')})", table)
        if client.client_id in clients:
            raise UsageError(f"{path}: client #{index}: client_id {client.client_id} is listed twice")
        clients[client.client_id] = client
    return clients


def _client(where: str, table: dict) -> SandboxClient:
    unknown = set(table) - _KNOWN
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_KNOWN))}")
    for key in ("client_id", "client_secret"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise UsageError(f"{where}: `{key}` is required (a string)")
    publishing = table.get("publishing", "production")
    if publishing not in PUBLISHING:
        raise UsageError(f"{where}: `publishing` must be one of {', '.join(PUBLISHING)}, not {publishing!r}")
    domain = table.get("domain", "")
    if not isinstance(domain, str) or (publishing == "internal") != bool(domain.strip()):
        raise UsageError(f"{where}: `domain` (the organisation's domain) is required for an internal client, and "
                         "only there")
    users = table.get("test_users", [])
    if not isinstance(users, list) or not all(isinstance(u, str) and "@" in u for u in users):
        raise UsageError(f"{where}: `test_users` must be a list of email addresses")
    if users and publishing != "testing":
        raise UsageError(f"{where}: `test_users` only apply to a client with publishing = \"testing\"")
    name = table.get("name", DEFAULT_APP_NAME)
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where}: `name` must be a non-empty string")
    return SandboxClient(table["client_id"].strip(), table["client_secret"].strip(), publishing,
                         domain.strip().lower(), tuple(u.strip().lower() for u in users), name.strip())


__all__ = ["PUBLISHING", "SandboxClient", "load_clients"]

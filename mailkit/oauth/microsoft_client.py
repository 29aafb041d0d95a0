"""The admin's Microsoft Entra app registration: a public client (no secret), registered once per workspace,
optionally one per company (a client's own tenant).

`mailkit oauth client --microsoft --tenant T --client-id C [--company SLUG]` validates and keeps it in
`microsoft_clients.json` in the workspace (0600). In sandbox mode, with none registered, the sandbox's
own app is used, and msal's authority is the sandbox's HTTPS side (`endpoints.microsoft_authority`).

Entra steps (README): App registrations → New registration; Authentication → add platform "Mobile and
desktop applications" with redirect URI `http://localhost`, and "Allow public client flows" = Yes (the
device code needs it); API permissions → Office 365 Exchange Online (APIs my organization uses) →
delegated `SMTP.Send` and `IMAP.AccessAsUser.All`, plus `offline_access`; Grant admin consent.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailkit.endpoints import http_session, microsoft_authority, sandbox_info
from mailkit.errors import OAuthError, UsageError
from mailkit.files import write_private
from mailkit.oauth.scopes import MS_IMAP_SCOPE, MS_SMTP_SEND_SCOPE
from mailkit.status import Status
from mailkit.workspace import Workspace

#: What mailkit asks Microsoft for; msal adds `offline_access openid profile` by itself (it refuses them here).
MS_SCOPES = (MS_SMTP_SEND_SCOPE, MS_IMAP_SCOPE)
CLIENTS_FILE = "microsoft_clients.json"
DEFAULT = "*"
_ENTRA = "https://entra.microsoft.com → App registrations"
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class MicrosoftClient:
    """One Entra app (public client: no secret) and the tenant it signs in to."""

    client_id: str
    tenant: str
    company: str = ""
    source: str = ""

    @property
    def fingerprint(self) -> str:
        """A short non-secret id of the app, kept with each grant to notice an app change."""
        return hashlib.sha256(f"microsoft:{self.client_id}".encode()).hexdigest()[:16]

    @property
    def authority(self) -> str:
        return microsoft_authority(self.tenant)

    def describe(self) -> dict[str, str]:
        return {"provider": "microsoft", "client_id": self.client_id, "tenant": self.tenant,
                "company": self.company, "fingerprint": self.fingerprint, "authority": self.authority,
                "source": self.source}


def check_client_id(value: str) -> str:
    """The Application (client) ID, a GUID; UsageError naming the fix otherwise."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise UsageError(f"--client-id {value!r} is not an Application (client) ID: copy the GUID shown on the app's "
                         f"Overview page ({_ENTRA})") from None


def check_tenant(value: str) -> str:
    """A tenant: its GUID, one of its domains, or `organizations` / `common`; UsageError otherwise."""
    text = value.strip().lower()
    if text in ("organizations", "common"):
        return text
    if text == "consumers":
        raise UsageError("--tenant consumers: personal Outlook.com accounts cannot use an organization's app for "
                         "SMTP AUTH here; give the company's tenant (its GUID or domain)")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        if _DOMAIN.match(text):
            return text
    raise UsageError(f"--tenant {value!r} is not a tenant: give the Directory (tenant) ID GUID from the app's Overview "
                     "page, a domain of the tenant (contoso.com), or 'organizations'")


def _path(workspace: Workspace) -> Path:
    return workspace.home / CLIENTS_FILE


def _read(workspace: Workspace) -> dict[str, dict[str, str]]:
    path = _path(workspace)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not readable ({type(exc).__name__}): register the Microsoft app again with "
                         "`mailkit oauth client --microsoft --tenant T --client-id C`") from exc
    return data if isinstance(data, dict) else {}


def register_microsoft_client(workspace: Workspace, client_id: str, tenant: str, company: str = "") -> MicrosoftClient:
    """Validate and keep the app for the workspace (or one company); the registered client."""
    entry = {"client_id": check_client_id(client_id), "tenant": check_tenant(tenant)}
    if company:
        from mailkit.inventory import Inventory

        with Inventory.open(workspace) as inventory:
            known = {c.slug for c in inventory.companies()}
        if company not in known:
            raise UsageError(f"--company {company!r}: no such company; see `mailkit company list`")
    clients = _read(workspace.ensure())
    clients[company or DEFAULT] = entry
    write_private(_path(workspace), json.dumps(clients, indent=2, sort_keys=True) + "\n")
    return MicrosoftClient(entry["client_id"], entry["tenant"], company, str(_path(workspace)))


def microsoft_client(workspace: Workspace, company: str = "") -> MicrosoftClient:
    """The company's app, else the workspace's, else (sandbox mode) the sandbox's; OAuthError when none."""
    clients = _read(workspace)
    for key in ([company] if company else []) + [DEFAULT]:
        entry = clients.get(key)
        if isinstance(entry, dict) and entry.get("client_id"):
            return MicrosoftClient(str(entry["client_id"]), str(entry.get("tenant") or "organizations"),
                                   "" if key == DEFAULT else key, str(_path(workspace)))
    info = sandbox_info()
    if info is not None and info.microsoft is not None:
        return MicrosoftClient(info.microsoft.client_id, info.microsoft.tenant, "", str(info.path))
    raise OAuthError("no Microsoft app registered: register one in Microsoft Entra (public client, redirect URI "
                     "http://localhost, delegated SMTP.Send and IMAP.AccessAsUser.All) and run `mailkit oauth client "
                     "--microsoft --tenant TENANT --client-id APP_ID`", Status.NOT_CONFIGURED)


def msal_app(client: MicrosoftClient, cache: Any = None) -> Any:
    """msal's PublicClientApplication for this app, on `cache` (a SerializableTokenCache). In sandbox mode msal
    talks to the sandbox only: its CA, no instance discovery at login.microsoftonline.com."""
    import msal
    import requests

    from mailkit.endpoints import http_failure_status

    sandboxed = sandbox_info() is not None
    extra: dict[str, Any] = {"http_client": http_session(), "instance_discovery": False} if sandboxed else {}
    try:  # msal reads the tenant's OpenID configuration here
        return msal.PublicClientApplication(client.client_id, authority=client.authority, token_cache=cache, **extra)
    except ValueError:
        raise OAuthError(f"Microsoft does not know the tenant {client.tenant!r}: check --tenant of `mailkit oauth "
                         "client --microsoft` (the Directory (tenant) ID or a verified domain of the tenant)",
                         Status.NOT_CONFIGURED) from None
    except requests.RequestException as exc:
        raise OAuthError(f"could not reach Microsoft's sign-in service ({type(exc).__name__})",
                         http_failure_status(exc)) from None


__all__ = ["MS_SCOPES", "MicrosoftClient", "check_client_id", "check_tenant", "microsoft_client", "msal_app",
           "register_microsoft_client"]

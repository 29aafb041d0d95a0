"""The admin's OAuth client: Google's "Desktop app" client JSON, registered once per workspace.

`mailkit oauth client FILE` validates the JSON and keeps a private copy in the workspace. A
desktop client's secret is not confidential (it ships inside installed apps), but mailkit still
never prints it. In sandbox mode, with no client registered, the sandbox's own client is used,
and Google's URLs are replaced by the sandbox's whatever the JSON says.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailkit.endpoints import GoogleEndpoints, google_endpoints, sandbox_info
from mailkit.errors import OAuthError, UsageError
from mailkit.files import write_private
from mailkit.oauth.scopes import EMAIL_SCOPE, MAIL_SCOPE, OPENID_SCOPE
from mailkit.secrets.redaction import remember
from mailkit.status import Status
from mailkit.workspace import Workspace

#: What mailkit asks for: full Gmail (SMTP/IMAP need it) plus who the authorized account is.
SCOPES = (MAIL_SCOPE, OPENID_SCOPE, EMAIL_SCOPE)

_CONSOLE = "https://console.cloud.google.com/apis/credentials"
WEB_CLIENT_HELP = (
    "this is a 'Web application' OAuth client; mailkit receives Google's answer on a loopback address "
    "(http://127.0.0.1:<port>/), which Google allows only for 'Desktop app' clients — a web client ends in "
    f"'Error 400: redirect_uri_mismatch'. In {_CONSOLE} choose Create credentials → OAuth client ID → "
    "Application type 'Desktop app', download its JSON and register that file."
)


@dataclass(frozen=True)
class OAuthClient:
    """One OAuth client and the endpoints to use with it. `repr` never shows the secret."""

    client_id: str
    client_secret: str = field(repr=False)
    auth_uri: str
    token_uri: str
    revoke_uri: str
    userinfo_uri: str
    project_id: str = ""
    source: str = ""

    @property
    def fingerprint(self) -> str:
        """A short non-secret id of the client, kept with each grant to notice a client change."""
        return hashlib.sha256(self.client_id.encode("utf-8")).hexdigest()[:16]

    def flow_config(self) -> dict[str, Any]:
        """The `installed` config google-auth-oauthlib's flow reads, with the endpoints to use."""
        return {"installed": {
            "client_id": self.client_id, "client_secret": self.client_secret, "auth_uri": self.auth_uri,
            "token_uri": self.token_uri, "redirect_uris": ["http://127.0.0.1"],
        }}

    def describe(self) -> dict[str, str]:
        """What may be shown to the admin: everything but the secret."""
        return {"client_id": self.client_id, "project_id": self.project_id, "fingerprint": self.fingerprint,
                "auth_uri": self.auth_uri, "token_uri": self.token_uri, "source": self.source}


def parse_client_config(data: object, source: str = "") -> OAuthClient:
    """Validate Google's client JSON (`installed` format) into an OAuthClient; UsageError says the fix."""
    if not isinstance(data, dict):
        raise UsageError(f"{source or 'OAuth client'}: not a Google OAuth client JSON (expected an object)")
    if "web" in data and "installed" not in data:
        raise UsageError(f"{source or 'OAuth client'}: {WEB_CLIENT_HELP}")
    section = data.get("installed")
    if not isinstance(section, dict):
        raise UsageError(f"{source or 'OAuth client'}: no 'installed' section: download the JSON of a "
                         f"'Desktop app' OAuth client from {_CONSOLE}")
    missing = [k for k in ("client_id", "client_secret") if not str(section.get(k) or "").strip()]
    if missing:
        raise UsageError(f"{source or 'OAuth client'}: the 'installed' section lacks {', '.join(missing)}")
    remember(str(section["client_secret"]))
    defaults = GoogleEndpoints()
    client = OAuthClient(
        client_id=str(section["client_id"]).strip(), client_secret=str(section["client_secret"]).strip(),
        auth_uri=str(section.get("auth_uri") or defaults.auth_uri),
        token_uri=str(section.get("token_uri") or defaults.token_uri),
        revoke_uri=defaults.revoke_uri, userinfo_uri=defaults.userinfo_uri,
        project_id=str(section.get("project_id") or ""), source=source)
    for name in ("auth_uri", "token_uri"):
        if not getattr(client, name).startswith("https://"):
            raise UsageError(f"{source or 'OAuth client'}: {name} must be an https:// URL")
    return client


def load_client_file(path: str | os.PathLike[str]) -> OAuthClient:
    """Read and validate a client JSON file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a JSON file ({type(exc).__name__})") from exc
    return parse_client_config(data, str(path))


def register_client(workspace: Workspace, path: str | os.PathLike[str]) -> OAuthClient:
    """Validate the admin's client JSON and keep a copy readable by the owner only (0600)."""
    load_client_file(path)
    target = workspace.ensure().oauth_client_path
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    write_private(target, json.dumps({"installed": data["installed"]}, indent=2))
    return _routed(load_client_file(target))


def active_client(workspace: Workspace) -> OAuthClient:
    """The registered client (or the sandbox's, in sandbox mode when none is); OAuthError when neither."""
    path = workspace.oauth_client_path
    info = sandbox_info()
    if path.exists():
        return _routed(load_client_file(path))
    if info is not None:
        return _routed(load_client_file(info.client_config))
    raise OAuthError(
        "no OAuth client registered: create a 'Desktop app' OAuth client in Google Cloud console, download "
        "its JSON and run `mailkit oauth client FILE`", Status.NOT_CONFIGURED)


def _routed(client: OAuthClient) -> OAuthClient:
    """In sandbox mode every Google URL goes to the sandbox; otherwise the JSON's URLs stand."""
    if sandbox_info() is None:
        return client
    ends = google_endpoints()
    return OAuthClient(client.client_id, client.client_secret, ends.auth_uri, ends.token_uri, ends.revoke_uri,
                       ends.userinfo_uri, client.project_id, client.source)


__all__ = ["EMAIL_SCOPE", "MAIL_SCOPE", "SCOPES", "WEB_CLIENT_HELP", "OAuthClient", "active_client",
           "load_client_file", "parse_client_config", "register_client"]

"""What the sandbox's HTTP endpoints share: parsed requests, responses, Google-shaped errors and
the state they all read (accounts, grants, keys).

Endpoints are plain functions `(HttpContext, Request) -> Response`, so the wire plumbing lives
in one place (`mailkit.sandbox.http`) and each endpoint module keeps to its job.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailkit.endpoints import GoogleEndpoints
from mailkit.oauth.scopes import DIRECTORY_MANAGE_SCOPE, DIRECTORY_SCOPE, EMAIL_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.clients import SandboxClient
from mailkit.sandbox.grants import Grant, GrantRegistry
from mailkit.sandbox.quota import QueryWindow
from mailkit.sandbox.signin import find_account

if TYPE_CHECKING:
    from mailkit.sandbox.delegation import DelegationTable
    from mailkit.sandbox.http_keys import RsaKey, ServiceAccount

APP_NAME = "mailkit sandbox"
GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_TOKEN_URI = GoogleEndpoints.token_uri  # the audience of a service account's JWT
DIRECTORY_SCOPES = frozenset({DIRECTORY_SCOPE, DIRECTORY_MANAGE_SCOPE})
EMAIL_SCOPES = frozenset({"email", EMAIL_SCOPE})
_AUTH_HELP = ("Expected OAuth 2 access token, login cookie or other valid authentication credential. "
              "See https://developers.google.com/identity/sign-in/web/devconsole-project.")


@dataclass
class Request:
    """One HTTP request, already parsed: query and form values keep every repeat (checkboxes)."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    form: dict[str, list[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The body as sent: JSON APIs (IAM Credentials) must tell a body that is not JSON from a missing field.
    body: bytes = b""

    def get(self, name: str, default: str = "") -> str:
        """The first value of a field, from the body first, then the query string."""
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str:
        return str(self.headers.get(name) or "")

    def bearer(self) -> str:
        """The access token of `Authorization: Bearer ...` (or Google's `access_token=` parameter)."""
        scheme, _, value = self.header("Authorization").strip().partition(" ")
        if scheme.lower() == "bearer":
            return value.strip()
        return self.get("access_token")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, indent=2).encode("utf-8") + b"\n"
    extra = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}
    return Response(status, body, "application/json; charset=utf-8", {**extra, **(headers or {})})


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), "text/html; charset=utf-8", {"X-Frame-Options": "DENY"})


def redirect(location: str) -> Response:
    return Response(302, b"", "text/html; charset=utf-8", {"Location": location})


def oauth_error(status: int, error: str, description: str) -> Response:
    """The token endpoint's error shape: `{"error": ..., "error_description": ...}`."""
    return json_response({"error": error, "error_description": description}, status)


def api_error(code: int, message: str, reason: str, *, status: str = "", item_message: str = "",
              location: str = "", headers: dict[str, str] | None = None, domain: str = "global") -> Response:
    """The error shape of googleapis.com APIs (Directory, userinfo)."""
    item: dict[str, str] = {"message": item_message or message, "domain": domain, "reason": reason}
    if location:
        item.update(location=location, locationType="header" if location == "Authorization" else "parameter")
    error: dict[str, Any] = {"code": code, "message": message, "errors": [item]}
    if status:
        error["status"] = status
    return json_response({"error": error}, code, headers)


def unauthenticated_words(token_given: bool) -> tuple[str, str]:
    """googleapis.com's message and WWW-Authenticate challenge for a missing, or a bad/expired/revoked, token."""
    challenge = 'Bearer realm="https://accounts.google.com/"'
    if not token_given:
        return f"Request is missing required authentication credential. {_AUTH_HELP}", challenge
    return (f"Request had invalid authentication credentials. {_AUTH_HELP}",
            challenge + ', error="invalid_token"')


def unauthenticated(token_given: bool) -> Response:
    """401 for a missing or a bad/expired/revoked access token, as googleapis.com words it."""
    message, challenge = unauthenticated_words(token_given)
    if not token_given:
        return api_error(401, message, "required", status="UNAUTHENTICATED", item_message="Login Required.",
                         location="Authorization", headers={"WWW-Authenticate": challenge})
    return api_error(401, message, "authError", status="UNAUTHENTICATED", item_message="Invalid Credentials",
                     location="Authorization", headers={"WWW-Authenticate": challenge})


def account_id(email: str) -> str:
    """A stable 21-digit numeric id for an address, like Google's `sub` and Directory `id`."""
    digest = hashlib.sha256(email.lower().encode("utf-8")).digest()
    return str(10**20 + int.from_bytes(digest[:8], "big") % 10**20)


@dataclass(frozen=True)
class CodeOptions:
    """What the token exchange of one authorization code must remember from the consent."""

    send_refresh_token: bool
    nonce: str = ""
    email_unticked: bool = False


@dataclass
class HttpContext:
    """The state every endpoint reads; thread-safe where endpoints write."""

    accounts: dict[str, SandboxAccount]
    grants: GrantRegistry
    client_id: str
    client_secret: str
    id_key: RsaKey
    service_account: ServiceAccount
    base_url: str = ""
    #: Microsoft's identity platform (mailkit.sandbox.ms_identity.MicrosoftIdentity), when the sandbox serves it.
    microsoft: Any = None
    #: `http://127.0.0.1:P`, where the browser pages are served without TLS ("" when they are not).
    pages_url: str = ""
    state_dir: str = ""
    #: The accounts file's `[[client]]` tables (mailkit.sandbox.clients), accepted beside the sandbox's own client.
    clients: dict[str, SandboxClient] = field(default_factory=dict)
    #: Domain-wide delegation per domain and client ID (`[[delegation]]`); None: the sandbox's default.
    delegations: DelegationTable | None = None
    #: The sandbox's faults (mailkit.sandbox.faults.Faults): `directory_per_second` is the Directory's quota.
    faults: Any = None
    directory_window: QueryWindow = field(default_factory=QueryWindow)
    _codes: dict[str, CodeOptions] = field(default_factory=dict)
    _used_codes: set[str] = field(default_factory=set)
    _email_hidden: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def account(self, email: str) -> SandboxAccount | None:
        return find_account(self.accounts, email)

    def client(self, client_id: str) -> SandboxClient | None:
        """The OAuth client with this ID: the sandbox's own (a production client) or one of `clients`."""
        if client_id == self.client_id:
            return SandboxClient(self.client_id, self.client_secret)
        return self.clients.get(client_id)

    def remember_code(self, code: str, options: CodeOptions) -> None:
        with self._lock:
            self._codes[code] = options

    def take_code(self, code: str) -> CodeOptions | None:
        """The options of a code, once; None when unknown. `code_was_used` tells a replay apart."""
        with self._lock:
            options = self._codes.pop(code, None)
            if options is not None:
                self._used_codes.add(code)
            return options

    def code_was_used(self, code: str) -> bool:
        with self._lock:
            return code in self._used_codes

    def hide_email(self, grant: Grant) -> None:
        """The user unticked the email box: `openid` alone then reveals no address, as at Google."""
        with self._lock:
            self._email_hidden.add(grant.refresh_token)

    def shows_email(self, grant: Grant) -> bool:
        """Whether ID tokens and userinfo carry the address: an email scope, or `openid` asked alone."""
        scopes = set(grant.scopes)
        with self._lock:
            hidden = grant.refresh_token in self._email_hidden
        return bool(scopes & EMAIL_SCOPES) or ("openid" in scopes and not hidden)

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"


__all__ = [
    "APP_NAME", "DIRECTORY_SCOPES", "EMAIL_SCOPES", "GOOGLE_ISSUER", "GOOGLE_TOKEN_URI", "CodeOptions",
    "HttpContext", "Request", "Response", "account_id", "api_error", "html_response", "json_response",
    "oauth_error", "redirect", "unauthenticated", "unauthenticated_words",
]

"""Reading 2-Step Verification from the Admin SDK Directory API (Google Workspace).

Authorised by a service account with domain-wide delegation impersonating an admin of the
client's domain (the JSON key's path and the admins live in the workspace settings
`directory.service_account` and `directory.admin`), or by an admin's own OAuth consent to the
read-only Directory scope (`mailkit twostep setup --admin-oauth ADMIN`: `ConsentFlow` with the
`DIRECTORY_ADMIN` purpose; the token in keyring under the kind `directory_token`, the facts in
the `directory_grants` table, one admin per domain). When both name an admin of a domain, the
service account is used. A bulk check lists a domain's users page by page (500 a page) instead
of asking user by user. google-auth, requests and Google's API errors become a `DirectoryError`
here, with a `reason` and a message that says what to fix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mailkit.endpoints import google_endpoints, http_session, sandbox_info
from mailkit.errors import MailkitError, OAuthError
from mailkit.google_quota import (
    PASSING_STATUSES,
    Backoff,
    error_of,
    error_reasons,
    is_rate_limited,
    send_with_backoff,
)
from mailkit.models import normalize_email
from mailkit.oauth.scopes import DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE, EMAIL_SCOPE, OPENID_SCOPE
from mailkit.oauth.store import DirectoryGrantStore, GrantPurpose, admin_of, delete_bundle, pick_admin
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import SecretKind
from mailkit.status import Status
from mailkit.workspace import Workspace

#: How a DirectoryClient is authorised.
SERVICE_ACCOUNT, ADMIN_OAUTH = "service_account", "admin_oauth"
#: The words of the Directory scope's box on Google's consent page.
DIRECTORY_BOX = "See info about users on your domain"
#: A Workspace admin's own consent to read the Directory; the admin need not be an inventory account.
DIRECTORY_ADMIN = GrantPurpose(
    "directory", (DIRECTORY_SCOPE, OPENID_SCOPE, EMAIL_SCOPE), DIRECTORY_SCOPE, DIRECTORY_BOX,
    "to read 2-Step Verification from the Admin SDK Directory API", SecretKind.DIRECTORY_TOKEN, DirectoryGrantStore,
    "mailkit twostep setup --admin-oauth {email}",
    "{email} authorized: mailkit can now read the 2-Step Verification of {domain}'s users from the Directory "
    "(when {email} is an admin there).")
PAGE_SIZE = 500
USER_FIELDS = "primaryEmail,isEnrolledIn2Sv,isEnforcedIn2Sv"
DELEGATION_HELP = ("in the client's Admin console open Security → Access and data control → API controls → "
                   "Domain-wide delegation, and authorise the service account's client ID for the scope "
                   f"{DIRECTORY_SCOPE}")


class DirectoryError(MailkitError):
    """The Directory API could not be read. `reason`: not_admin, insufficient_scope, delegation,
    unknown_admin, unauthenticated, reauth_required, not_found, bad_key, not_configured, network, api_error."""

    def __init__(self, message: str, *, reason: str, http_status: int | None = None):
        self.reason, self.http_status = reason, http_status
        super().__init__(redact(message))


@dataclass(frozen=True)
class DirectoryUser:
    """The 2SV facts of one Workspace user, as the Directory API reports them."""

    email: str
    enrolled: bool
    enforced: bool


@dataclass
class DirectorySettings:
    """Where the admin's credentials come from (workspace settings; never a secret itself)."""

    service_account: Path | None = None
    admins: list[str] = field(default_factory=list)

    def admin_for(self, domain: str) -> str | None:
        """The service account's admin for this domain (see `pick_admin`)."""
        return pick_admin(self.admins, domain)


def directory_settings(workspace: Workspace) -> DirectorySettings:
    """Read `directory.service_account` and `directory.admin` (one or more addresses)."""
    path = workspace.setting("directory.service_account")
    admins = str(workspace.setting("directory.admin", "") or "").replace(";", ",").replace(" ", ",")
    return DirectorySettings(Path(path).expanduser() if path else None, [a for a in admins.split(",") if a])


def read_service_account(path: Path) -> dict[str, Any]:
    """The service-account JSON key; a clear error when the file is not one."""
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DirectoryError(f"{path} does not exist: give the JSON key of the service account", reason="bad_key") \
            from exc
    except (OSError, ValueError) as exc:
        raise DirectoryError(f"{path} is not a readable JSON key ({type(exc).__name__})", reason="bad_key") from exc
    missing = [k for k in ("client_email", "private_key", "token_uri") if not isinstance(info, dict) or k not in info]
    if not isinstance(info, dict) or info.get("type") != "service_account" or missing:
        raise DirectoryError(f"{path} is not a service-account key (expected \"type\": \"service_account\" with "
                             "client_email and private_key; an OAuth client JSON is a different file)",
                             reason="bad_key")
    return info


def configure_directory(workspace: Workspace, *, service_account: Path | None = None,
                        admin: str | None = None) -> DirectorySettings:
    """Save the key's path and add an admin (replacing the admin of the same domain)."""
    if service_account is not None:
        path = Path(service_account).expanduser().resolve()
        read_service_account(path)
        workspace.set_setting("directory.service_account", str(path))
    if admin is not None:
        email = normalize_email(admin, "admin")
        domain = email.rpartition("@")[2]
        others = [a for a in directory_settings(workspace).admins if not admin_of(a, domain)]
        workspace.set_setting("directory.admin", ", ".join([*others, email]))
    return directory_settings(workspace)


def service_account_credentials(key_file: Path, admin: str, scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)) -> Any:
    """google-auth credentials of the service account acting as `admin` (domain-wide delegation)."""
    from google.oauth2 import service_account

    info = read_service_account(key_file)
    if sandbox_info() is not None:
        info = {**info, "token_uri": google_endpoints().token_uri}
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes), subject=admin)
    except (ValueError, KeyError) as exc:
        raise DirectoryError(f"{key_file}: the private key cannot be loaded ({type(exc).__name__})",
                             reason="bad_key") from exc


class DirectoryClient:
    """users.get / users.list over one authorised HTTPS session. `calls` lists each API request made;
    `via` says how it is authorised (SERVICE_ACCOUNT or ADMIN_OAUTH)."""

    def __init__(self, credentials: Any, *, admin: str = "", timeout: float = 30.0, via: str = SERVICE_ACCOUNT,
                 scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)):
        self.credentials = credentials
        self.base = google_endpoints().directory_uri.rstrip("/")
        self.admin, self.timeout, self.via, self.scopes = admin, timeout, via, tuple(scopes)
        self.calls: list[str] = []  # every HTTP exchange with the Directory API, as "GET /users?... -> 200"
        self.token_calls: list[str] = []  # and with the token endpoint
        self.backoff = Backoff()  # for Google's quota answers (403 userRateLimitExceeded, 429) and 5xx
        self._threads = threading.local()

    @property
    def session(self) -> Any:
        """This thread's authorised session (a listing asks per user from several threads; a requests Session is
        not meant to be shared between threads). The credentials are shared: one token for all of them."""
        session = getattr(self._threads, "session", None)
        if session is None:
            from google.auth.transport.requests import AuthorizedSession, Request

            token_session = http_session()
            session = AuthorizedSession(self.credentials, auth_request=Request(token_session))
            session.trust_env, session.verify = token_session.trust_env, token_session.verify
            session.hooks["response"].append(_recorder(self.calls))
            token_session.hooks["response"].append(_recorder(self.token_calls))
            self._threads.session = session
        return session

    @classmethod
    def for_domain(cls, workspace: Workspace, domain: str, *,
                   scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)) -> DirectoryClient:
        """The client the workspace gives for a domain: the service account, unless only an admin's own
        consent names an admin of this very domain; DirectoryError(not_configured) when there is neither. A domain
        connected with `mailkit workspace connect --admin` comes first: its key in keyring, acting as that admin.
        `scopes`: what the service account asks for (an admin's own consent holds the read-only scope only)."""
        from mailkit.google_workspace.delegation import directory_credentials

        connected = directory_credentials(workspace, domain, scopes)
        if connected is not None:
            return cls(connected[0], admin=connected[1], scopes=scopes)
        settings = directory_settings(workspace)
        delegated = settings.admin_for(domain) if settings.service_account is not None else None
        consented = oauth_admin_for(workspace, domain)
        if settings.service_account is not None and delegated is not None and (
                admin_of(delegated, domain) or consented is None or not admin_of(consented, domain)):
            return cls(service_account_credentials(settings.service_account, delegated, scopes), admin=delegated,
                       scopes=scopes)
        if consented is not None:
            client = cls.for_admin_oauth(workspace, consented)
            client.scopes = tuple(scopes)  # what the caller needs, for the error when the consent lacks it
            return client
        raise DirectoryError(f"no Directory access configured for {domain}: run `mailkit workspace connect {domain} "
                             f"--service-account KEY.json --admin ADMIN@{domain}` (a service account with "
                             f"domain-wide delegation) or `mailkit twostep setup --admin-oauth ADMIN@{domain}` "
                             "(the admin's own consent)", reason="not_configured")

    @classmethod
    def for_admin_oauth(cls, workspace: Workspace, admin: str) -> DirectoryClient:
        """The client of an admin's own consent; its token refreshes through mailkit's TokenSource (one
        refresh however many ask, kept in keyring)."""
        from mailkit.oauth.tokens import TokenSource

        source = TokenSource(admin, workspace, purpose=DIRECTORY_ADMIN)
        try:
            credentials = source.credentials()
        except OAuthError as exc:
            raise DirectoryError(str(exc), reason="not_configured") from exc
        return cls(credentials, admin=source.email, via=ADMIN_OAUTH)

    def get_user(self, email: str) -> DirectoryUser:
        """users.get for one address."""
        return _user(self._get(f"/users/{email}", {"fields": USER_FIELDS, "projection": "basic"}, email))

    def list_domain(self, domain: str, *, page_size: int = PAGE_SIZE) -> dict[str, DirectoryUser]:
        """users.list for a whole domain, every page; keyed by lower-case address."""
        users: dict[str, DirectoryUser] = {}
        params = {"domain": domain, "maxResults": str(page_size), "fields": f"users({USER_FIELDS}),nextPageToken"}
        while True:
            page = self._get("/users", params, domain)
            for raw in page.get("users", []):
                user = _user(raw)
                users[user.email.lower()] = user
            token = page.get("nextPageToken")
            if not token:
                return users
            params = {**params, "pageToken": token}

    def list_users(self, domain: str, fields: str, *, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """users.list for a whole domain, page by page: the raw user resources with `fields` (inside `users(...)`)."""
        params = {"domain": domain, "maxResults": str(page_size), "fields": f"users({fields}),nextPageToken"}
        while True:
            page = self._get("/users", params, domain)
            yield from (u for u in page.get("users", []) if isinstance(u, dict))
            token = page.get("nextPageToken")
            if not token:
                return
            params = {**params, "pageToken": str(token)}

    def list_asps(self, user: str) -> list[dict[str, Any]]:
        """asps.list: the user's app passwords (names, ids and times; Google never returns a password)."""
        return _items(self._get(f"/users/{_part(user)}/asps", {}, user))

    def delete_asp(self, user: str, code_id: int) -> None:
        """asps.delete: revoke one app password of the user."""
        self._request("DELETE", f"/users/{_part(user)}/asps/{int(code_id)}", {}, user)

    def list_tokens(self, user: str) -> list[dict[str, Any]]:
        """tokens.list: the third-party apps holding OAuth tokens of the user."""
        return _items(self._get(f"/users/{_part(user)}/tokens", {}, user))

    def delete_token(self, user: str, client_id: str) -> None:
        """tokens.delete: every token the user gave that client ends."""
        self._request("DELETE", f"/users/{_part(user)}/tokens/{_part(client_id)}", {}, user)

    def _get(self, path: str, params: dict[str, str], target: str) -> dict[str, Any]:
        """One GET and its JSON body."""
        response = self._request("GET", path, params, target)
        try:
            return response.json()
        except ValueError as exc:
            raise DirectoryError("the Directory API answered with something that is not JSON",
                                 reason="api_error", http_status=200) from exc

    def _request(self, method: str, path: str, params: dict[str, str], target: str) -> Any:
        """One request; every failure becomes a DirectoryError (this is the one boundary)."""
        import requests
        from google.auth import exceptions as auth_errors

        try:
            response = send_with_backoff(
                lambda: self.session.request(method, self.base + path, params=params, timeout=self.timeout),
                self.backoff)
        except auth_errors.RefreshError as exc:
            raise _refresh_error(exc, self.admin, self.scopes) from exc
        except OAuthError as exc:  # the admin's own token could not be refreshed
            raise DirectoryError(str(exc), reason=_OAUTH_REASONS.get(exc.status, "unauthenticated")) from exc
        except (auth_errors.TransportError, requests.RequestException) as exc:
            raise DirectoryError(f"cannot reach the Directory API: {type(exc).__name__}: {exc}",
                                 reason="network") from exc
        if response.status_code not in (200, 204):
            security = "/asps" in path or "/tokens" in path  # a user's security, not the users themselves
            raise _api_error(response, self.admin, target, self.via, self.scopes, security=security,
                             attempts=self.backoff.attempts)
        return response


def oauth_admin_for(workspace: Workspace, domain: str) -> str | None:
    """The admin whose own consent reads this domain's Directory (or the only one kept), if any."""
    from mailkit.inventory import Inventory

    with Inventory.open(workspace) as inventory:
        return DirectoryGrantStore(inventory).admin_for(domain)


def confirm_admin_oauth(workspace: Workspace, admin: str) -> DirectoryUser:
    """Prove an admin's consent works by reading the admin's own user. A token that Google refuses
    because its owner is not an admin can read nothing: it is forgotten, and the error raised."""
    try:
        return DirectoryClient.for_admin_oauth(workspace, admin).get_user(admin)
    except DirectoryError as exc:
        if exc.reason == "not_admin":
            forget_admin_oauth(workspace, admin)
        raise


def forget_admin_oauth(workspace: Workspace, admin: str) -> bool:
    """Delete an admin's Directory token from keyring and its facts; False when there was no token."""
    from mailkit.inventory import Inventory

    with Inventory.open(workspace) as inventory:
        DirectoryGrantStore(inventory).delete(admin)
    return delete_bundle(workspace, admin, SecretKind.DIRECTORY_TOKEN)


_OAUTH_REASONS = {Status.OAUTH_REAUTH_REQUIRED: "reauth_required", Status.NOT_CONFIGURED: "not_configured",
                  Status.TLS_ERROR: "network", Status.TIMEOUT: "network", Status.CONNECTION_REFUSED: "network",
                  Status.CONNECTION_LOST: "network"}


def _recorder(calls: list[str]) -> Any:
    def hook(response: Any, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(response.request.url)
        calls.append(redact(f"{response.request.method} {parts.path}?{parts.query} -> {response.status_code}"))
        return response

    return hook


def _user(raw: dict[str, Any]) -> DirectoryUser:
    return DirectoryUser(str(raw.get("primaryEmail", "")), bool(raw.get("isEnrolledIn2Sv")),
                         bool(raw.get("isEnforcedIn2Sv")))


def delegation_help(scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)) -> str:
    """Where in the Admin console the service account gets these scopes (the text to paste, comma-separated)."""
    return DELEGATION_HELP.replace(DIRECTORY_SCOPE, ",".join(scopes)) if scopes else DELEGATION_HELP


def _items(page: dict[str, Any]) -> list[dict[str, Any]]:
    """A list response's `items` (Google leaves the key out when there are none)."""
    items = page.get("items") if isinstance(page, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _part(value: str) -> str:
    """One path segment (an address, an id, a client ID), escaped."""
    from urllib.parse import quote

    return quote(str(value), safe="@")


def _refresh_error(exc: Exception, admin: str, scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)) -> DirectoryError:
    """The token endpoint refused the service account's assertion."""
    text = str(exc.args[0] if exc.args else exc)
    if "unauthorized_client" in text:
        return DirectoryError(f"Google refused to let the service account act as {admin} ({text}): "
                              f"{delegation_help(scopes)}", reason="delegation")
    if "invalid email" in text.lower() or "user id" in text.lower():
        return DirectoryError(f"{admin} is not a user Google knows ({text}): check `mailkit twostep setup --admin`",
                              reason="unknown_admin")
    return DirectoryError(f"the service account could not get a token ({text}): check the key file, or create a "
                          "new key if this one was deleted", reason="bad_key")


def _api_error(response: Any, admin: str, target: str, via: str = SERVICE_ACCOUNT,
               scopes: tuple[str, ...] = (DIRECTORY_SCOPE,), *, security: bool = False,
               attempts: int = 1) -> DirectoryError:
    """Google's `{"error": {"code", "message", "errors": [{"reason"}]}}` -> a DirectoryError that says why."""
    message = str(error_of(response).get("message") or response.reason or "")
    reasons = error_reasons(response)
    status = response.status_code
    quoted = f"{status} {message}".strip()
    domain = target.rpartition("@")[2]
    oauth = via == ADMIN_OAUTH
    quota = is_rate_limited(response)
    if quota or status in PASSING_STATUSES:
        why = ("the Directory API quota of the Google Cloud project is used up" if quota
               else "the Directory API kept failing on Google's side")
        fix = ("wait a minute and run it again, or raise \"Queries per minute per user\" on the Admin SDK API's "
               "Quotas page of the service account's Google Cloud project" if quota else "run it again later")
        return DirectoryError(f"{why} ({quoted}, {attempts} tries with growing waits): {fix}",
                              reason="rate_limited" if quota else "api_error", http_status=status)
    if status == 403 and "insufficientPermissions" in reasons and security:
        wanted = tuple(dict.fromkeys([*scopes, DIRECTORY_SECURITY_SCOPE]))
        fix = ("an admin's own consent only reads users: set up a service account with domain-wide delegation "
               f"(`mailkit twostep setup --service-account KEY.json --admin ADMIN@{domain}`) and "
               + delegation_help(wanted)) if oauth else delegation_help(wanted)
        return DirectoryError(f"the token lacks the scope {DIRECTORY_SECURITY_SCOPE} ({quoted}): {fix}",
                              reason="insufficient_scope", http_status=status)
    if status == 403 and "insufficientPermissions" in reasons:
        fix = (f"run `{DIRECTORY_ADMIN.command(admin)}` and leave the box '{DIRECTORY_BOX}' ticked" if oauth
               else DELEGATION_HELP)
        return DirectoryError(f"the token lacks the Directory read scope ({quoted}): {fix}",
                              reason="insufficient_scope", http_status=status)
    if status == 403:
        setup = f"--admin-oauth ADMIN@{domain}" if oauth else f"--admin ADMIN@{domain}"
        return DirectoryError(f"{admin or 'the signed-in user'} may not read the users of {domain}: Google answered "
                              f"{quoted}, so {admin or 'that user'} is not an admin there. The Directory needs a "
                              "super admin (or an admin with the Users read privilege) of that Workspace domain: "
                              f"run `mailkit twostep setup {setup}`", reason="not_admin", http_status=status)
    if status == 401:
        return DirectoryError(f"the Directory API did not accept the token ({quoted})", reason="unauthenticated",
                              http_status=status)
    if status == 404:
        return DirectoryError(f"{target} is not in the Workspace directory ({quoted})", reason="not_found",
                              http_status=status)
    return DirectoryError(f"the Directory API failed for {target}: {quoted}", reason="api_error", http_status=status)


__all__ = ["ADMIN_OAUTH", "DIRECTORY_ADMIN", "DIRECTORY_BOX", "DIRECTORY_SCOPE", "SERVICE_ACCOUNT",
           "DirectoryClient", "DirectoryError", "DirectorySettings", "DirectoryUser", "configure_directory",
           "confirm_admin_oauth", "delegation_help", "directory_settings", "forget_admin_oauth", "oauth_admin_for",
           "read_service_account", "service_account_credentials"]

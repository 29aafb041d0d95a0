"""OAuth 2.0 for Google accounts: access tokens for XOAUTH2, refresh, revoke, and the status of grants.

The consent itself is `mailkit.oauth.flow.ConsentFlow`; the client JSON is `mailkit.oauth.client`;
where tokens and facts are kept is `mailkit.oauth.store`. This module is what the SMTP/IMAP checks
use: `TokenSource.for_account(account, workspace).access_token()`. A Workspace admin's Directory
token is read the same way, with that purpose: `TokenSource(admin, workspace,
purpose=DIRECTORY_ADMIN).credentials()` gives google-auth credentials whose refreshes go through here.

An access token is refreshed when less than 5 minutes of it are left, once per account however
many tasks ask at the same moment: an asyncio lock per account and event loop lets one task of
each loop through, and a thread lock lets one of those (or one sync caller) do the refresh;
the others then find the fresh token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import weakref
from typing import Any

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials

from mailkit.endpoints import http_failure_status, requests_verify
from mailkit.errors import OAuthError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.oauth.client import MAIL_SCOPE, SCOPES, OAuthClient, active_client, register_client
from mailkit.oauth.clients import client_for_refresh, grant_clients, observe, short_id
from mailkit.oauth.flow import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
from mailkit.oauth.store import (
    MAIL,
    GrantFacts,
    GrantPurpose,
    GrantStore,
    TokenBundle,
    delete_bundle,
    facts_of,
    iso,
    load_bundle,
    refresh_token_end,
    save_bundle,
)
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import in_keyring_thread
from mailkit.status import Status
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.oauth")

REAUTH_REASONS = (
    "access was removed in the Google account (myaccount.google.com → Security → Third-party access), the "
    "account password was changed, the OAuth consent screen is External and in 'Testing' status (refresh "
    "tokens then die after 7 days), too many tokens were issued for this client and account (the oldest are "
    "dropped), or the token went unused for 6 months"
)

_registry_lock = threading.Lock()
_thread_locks: dict[tuple[str, str], threading.Lock] = {}
_async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


def _thread_lock(key: tuple[str, str]) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(key, threading.Lock())


def _async_lock(key: tuple[str, str]) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    with _registry_lock:
        return _async_locks.setdefault(loop, {}).setdefault(key, asyncio.Lock())


class TokenSource:
    """Fresh access tokens for one account (and purpose), refreshed from the refresh token kept in keyring."""

    token_source = "consent"  # where its tokens come from, as results record it

    def __init__(self, email: str, workspace: Workspace, *, purpose: GrantPurpose = MAIL):
        self.email = email.strip().lower()
        self.workspace = workspace
        self.purpose = purpose
        self._key = (str(workspace.home.resolve()), f"{self.email}/{purpose.secret_kind}")
        self._login = f"`{purpose.command(self.email)}`"

    @classmethod
    def for_account(cls, account: Account, workspace: Workspace) -> TokenSource:
        """The account's source: Google's (this class), msal's for a Microsoft 365 mailbox, or domain-wide
        delegation's for a mailbox of a connected Workspace domain (the same interface)."""
        from mailkit.google_workspace.delegation import delegated_source
        from mailkit.oauth.microsoft import MicrosoftTokenSource, is_microsoft

        if is_microsoft(account):
            return MicrosoftTokenSource(account, workspace)  # type: ignore[return-value]
        delegated = delegated_source(account, workspace)  # a Workspace domain connected with domain-wide delegation
        return delegated if delegated is not None else cls(account.email, workspace)  # type: ignore[return-value]

    def configured(self) -> bool:
        """True when a token bundle is in keyring (it may still turn out to be revoked)."""
        bundle = load_bundle(self.workspace, self.email, self.purpose.secret_kind)
        return bundle is not None and bool(bundle.refresh_token)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """A valid access token; OAuthError (with its status) when none can be had. The keyring read
        runs in a worker thread: it blocks, and an encrypted file keyring derives a key per entry."""
        seen = await in_keyring_thread(self._bundle)
        if not force_refresh and seen.fresh():
            return seen.access_token
        async with _async_lock(self._key):
            return await asyncio.to_thread(self._refresh_once, seen.access_token, force_refresh)

    def access_token_sync(self, *, force_refresh: bool = False, rejected: str | None = None) -> str:
        """The same for synchronous callers (threads). `rejected`: the token a server just refused, to be
        replaced unless another caller already did."""
        seen = self._bundle()
        force_refresh = force_refresh or (rejected is not None and rejected == seen.access_token)
        if not force_refresh and seen.fresh():
            return seen.access_token
        return self._refresh_once(rejected or seen.access_token, force_refresh)

    def credentials(self) -> Credentials:
        """google-auth credentials (for google-auth's AuthorizedSession) that refresh through this source."""
        return _SourceCredentials(self, self._bundle())

    def _bundle(self) -> TokenBundle:
        bundle = load_bundle(self.workspace, self.email, self.purpose.secret_kind)
        if bundle is None or not bundle.refresh_token:
            raise OAuthError(f"no OAuth token stored for {self.email}: run {self._login}", Status.NOT_CONFIGURED)
        return bundle

    def _refresh_once(self, seen: str, force: bool) -> str:
        """Refresh unless another caller did while this one waited for the lock."""
        with _thread_lock(self._key):
            bundle = self._bundle()
            if bundle.fresh() and (not force or bundle.access_token != seen):
                return bundle.access_token
            return self._refresh(bundle)

    def _refresh(self, bundle: TokenBundle) -> str:
        client = client_for_refresh(self.workspace, self.email, bundle.client_id)
        if bundle.client_id and bundle.client_id != client.client_id:
            self._mark(Status.OAUTH_REAUTH_REQUIRED)
            raise OAuthError(f"the OAuth token of {self.email} was issued to another OAuth client than the one "
                             f"registered now ({short_id(bundle.client_id)} is no longer registered; the account's "
                             f"client is {short_id(client.client_id)}): run {self._login}",
                             Status.OAUTH_REAUTH_REQUIRED)
        credentials = Credentials(None, refresh_token=bundle.refresh_token, token_uri=client.token_uri,
                                  client_id=client.client_id, client_secret=client.client_secret)
        with requests.Session() as session:
            request = _VerifyingRequest(session)
            try:
                credentials.refresh(request)
            except RefreshError as exc:
                raise self._refresh_error(exc) from None
            except TransportError as exc:
                raise OAuthError(f"could not reach Google's token endpoint to refresh the token of {self.email}: "
                                 f"{redact(exc)}", http_failure_status(exc)) from None
        fresh = bundle.with_access(credentials.token, credentials.expiry, credentials.refresh_token)
        save_bundle(self.workspace, self.email, fresh, self.purpose.secret_kind)
        with facts_of(self.workspace, self.email, self.purpose) as facts:
            if facts is not None:
                facts.record_refresh(self.email, fresh.expiry)
            if isinstance(facts, GrantStore) and request.grant_answer:  # Google said when the refresh token ends
                facts.record_lifetime(self.email, refresh_token_end(request.grant_answer, None))
        if request.grant_answer:
            observe(self.workspace, client.fingerprint, request.grant_answer)
        log.info("refreshed the OAuth access token of %s (valid until %s)", self.email, iso(fresh.expiry))
        return fresh.access_token

    def _refresh_error(self, exc: RefreshError) -> OAuthError:
        data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
        error = str(data.get("error") or str(exc.args[0] if exc.args else "").partition(":")[0])
        description = str(data.get("error_description") or "")
        detail = f"{error}: {description}" if description else error
        if error == "invalid_grant":
            self._mark(Status.OAUTH_REAUTH_REQUIRED)
            return OAuthError(f"the stored refresh token of {self.email} no longer works ({detail}). Likely: "
                              f"{REAUTH_REASONS}. Authorize again: {self._login}",
                              Status.OAUTH_REAUTH_REQUIRED)
        if error in {"invalid_client", "deleted_client", "unauthorized_client"}:
            return OAuthError(f"Google refused mailkit's OAuth client ({detail}): register the right 'Desktop app' "
                              "client with `mailkit oauth client FILE`, then log in again", Status.NOT_CONFIGURED)
        return OAuthError(f"refreshing the token of {self.email} failed: {redact(detail)}", Status.OAUTH_TOKEN_INVALID)

    def _mark(self, status: Status) -> None:
        with facts_of(self.workspace, self.email, self.purpose) as facts:
            if facts is not None:
                facts.set_status(self.email, status)


class _SourceCredentials(Credentials):
    """google-auth credentials holding the stored access token; a refresh (when it is near its end, or
    after a 401) asks the TokenSource, so it is one refresh per account however many sessions ask."""

    def __init__(self, source: TokenSource, bundle: TokenBundle):
        super().__init__(bundle.access_token or None, expiry=_naive(bundle), scopes=list(bundle.scopes))
        self._source = source

    def refresh(self, request: Any) -> None:
        self.token = self._source.access_token_sync(rejected=self.token)
        self.expiry = _naive(self._source._bundle())


def _naive(bundle: TokenBundle) -> Any:
    """google-auth compares `expiry` as naive UTC."""
    return bundle.expiry.replace(tzinfo=None) if bundle.expiry else None


class _VerifyingRequest(Request):
    """google-auth's transport with `verify=` on each call: a Session's own `verify` loses to
    REQUESTS_CA_BUNDLE, and in sandbox mode only the sandbox's CA can work."""

    def __init__(self, session: requests.Session):
        super().__init__(session)
        #: The token endpoint's answer when it said when the refresh token ends (`refresh_token_expires_in`).
        self.grant_answer: dict[str, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("verify", requests_verify())
        response = super().__call__(*args, **kwargs)
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            answer = json.loads(response.data)
            if isinstance(answer, dict) and answer.get("refresh_token_expires_in") is not None:
                self.grant_answer = {"refresh_token_expires_in": answer["refresh_token_expires_in"]}
        return response


def revoke(account: Account, workspace: Workspace, *, timeout: float = 15.0) -> dict[str, Any]:
    """Revoke the grant at Google, then forget it here (also when Google already had forgotten it). A Microsoft
    365 mailbox's grant is forgotten here (`mailkit.oauth.microsoft.forget`: Microsoft revokes no single token)."""
    from mailkit.oauth.microsoft import forget, is_microsoft

    if is_microsoft(account):
        return forget(account, workspace)
    bundle = load_bundle(workspace, account.email)
    outcome = {"email": account.email, "revoked_at_google": False, "deleted_locally": False, "detail": ""}
    if bundle is not None:
        token = bundle.refresh_token or bundle.access_token
        try:
            client = client_for_refresh(workspace, account.email, bundle.client_id)
            response = requests.post(client.revoke_uri, data={"token": token}, verify=requests_verify(),
                                     timeout=timeout)
            outcome["revoked_at_google"] = response.status_code == 200
            if response.status_code != 200:
                outcome["detail"] = redact(f"Google answered {response.status_code}: {response.text.strip()[:200]}")
        except (requests.RequestException, OAuthError) as exc:
            outcome["detail"] = redact(f"could not reach Google's revoke endpoint: {exc}")
    outcome["deleted_locally"] = delete_bundle(workspace, account.email)
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(account.email) is not None:
            GrantStore(inventory).delete(account.email)
    return outcome


def grant_status(inventory: Inventory, workspace: Workspace) -> list[dict[str, Any]]:
    """One row per oauth2 account: the facts a report shows, never a token."""
    rows = []
    store = GrantStore(inventory)
    clients = grant_clients(workspace)
    for account in inventory.accounts():
        if account.auth != "oauth2":
            continue
        facts: GrantFacts | None = store.facts(account.email)
        source = TokenSource.for_account(account, workspace)
        configured = source.configured()
        status = facts.status if facts else Status.NOT_CONFIGURED.value
        delegated = getattr(source, "delegated", None)  # a domain-wide delegation: its facts, not a consent's
        if delegated is not None:
            status = delegated.last_result or Status.OK.value
        if not configured:
            status = Status.NOT_CONFIGURED.value
        scopes = delegated.scopes if delegated is not None else facts.scopes if facts else []
        rows.append({
            "email": account.email, "company": account.company, "configured": configured,
            "token_source": getattr(source, "token_source", "consent"),
            "authorized_email": account.email if delegated is not None else facts.authorized_email if facts else None,
            "scopes_ok": MAIL_SCOPE in scopes if delegated is not None else facts.mail_scope if facts else False,
            "scopes": scopes,
            "obtained_at": facts.obtained_at if facts else None,
            "access_expires_at": facts.access_expires_at if facts else None,
            "last_refresh_at": facts.last_refresh_at if facts else None, "status": status,
            **clients.describe(facts.client_fingerprint if facts else "", account.email, account.company,
                               account.provider),
        })
    return rows


__all__ = [
    "DEFAULT_TIMEOUT", "MAIL_SCOPE", "SCOPES", "ConsentFlow", "ConsentResult", "OAuthClient", "TokenSource",
    "active_client", "grant_status", "register_client", "revoke",
]

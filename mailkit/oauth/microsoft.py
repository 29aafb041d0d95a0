"""OAuth 2.0 for Microsoft 365 mailboxes with msal: the browser consent (authorization code with PKCE on
mailkit's loopback receiver), the device-code sign-in for remote kernels and servers, fresh access
tokens for XOAUTH2, and forgetting a grant.

The browser consent is `ConsentFlow` with Microsoft inside: the same waiting, cancel, timeout and
paste-the-URL fallback; msal builds the authorization URL (state, PKCE, nonce) and redeems the code.
Both consents end in the same judgement as Google's: the authorized account must be the inventory's
(`oauth_wrong_account` otherwise) and `SMTP.Send` must be granted (`oauth_scope_missing`). msal's token
cache goes to keyring only (`microsoft_cache`).

    flow = MicrosoftConsentFlow(account, workspace)       # or MicrosoftDeviceFlow(account, workspace)
    show(flow.authorization_url)                          # device: show(flow.message)
    result = await flow.wait(timeout=420)
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from typing import Any

import requests

from mailkit.endpoints import http_failure_status
from mailkit.errors import OAuthError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.oauth.flow import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
from mailkit.oauth.loopback import LoopbackServer
from mailkit.oauth.microsoft_cache import load_bundle_view, load_cache, new_cache, save_cache
from mailkit.oauth.microsoft_client import MS_SCOPES, MicrosoftClient, microsoft_client, msal_app
from mailkit.oauth.scopes import MS_SMTP_SEND_SCOPE
from mailkit.oauth.store import MAIL, GrantStore, delete_bundle, facts_of, iso
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import in_keyring_thread
from mailkit.status import Status
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.oauth")

MICROSOFT_PROVIDERS = frozenset({"microsoft365"})
SEND_BOX = "Send emails from mailboxes using SMTP AUTH (SMTP.Send)"
SIGN_IN_BOX = "Sign you in / View your basic profile (openid, profile)"
REAUTH_REASONS = (
    "the user's password was reset, an administrator revoked the sessions (Revoke-MgUserSignInSession) or the "
    "app's consent, a Conditional Access policy now blocks the sign-in, or the refresh token went unused for 90 days"
)


def is_microsoft(account: Account) -> bool:
    """Whether the account signs in through Microsoft's identity platform (Microsoft 365 / Outlook)."""
    return account.provider in MICROSOFT_PROVIDERS


def _login_command(email: str) -> str:
    return f"`mailkit oauth login {email}`"


def _company(account: Account | str) -> str:
    return "" if isinstance(account, str) else account.company


# --- judging a token answer: one place for both consents ----------------------------------------

def judge(result: dict[str, Any], *, email: str, identities: set[str], client: MicrosoftClient, cache: Any,
          workspace: Workspace, cancelled: threading.Event | None = None) -> ConsentResult:
    """Decide whether msal's answer is a usable grant, and keep it when it is."""
    if "error" in result:
        return _error_result(email, result)
    claims = result.get("id_token_claims") or {}
    audience = claims.get("aud")
    if claims and client.client_id not in (audience if isinstance(audience, list) else [audience]):
        return ConsentResult(email, "error", "the ID token was issued to another app; nothing was stored")
    who = str(claims.get("preferred_username") or claims.get("email") or "").lower() or None
    granted = str(result.get("scope") or "").split()
    common: dict[str, Any] = {"authorized_email": who, "scopes": granted}
    if who is not None and who not in identities:
        return ConsentResult(email, "wrong_account", (
            f"Microsoft signed in {who}, not {email}; nothing was stored. Run the login again and pick {email} "
            "('Use another account', or a private window)."), **common)
    missing = [box for box, ok in ((SEND_BOX, MS_SMTP_SEND_SCOPE in granted), (SIGN_IN_BOX, who is not None))
               if not ok]
    if missing:
        return ConsentResult(email, "scope_missing", (
            "the consent lacks " + " and ".join(f"'{box}'" for box in missing) + "; nothing was stored. Log in "
            f"again and accept every permission (mailkit needs {MS_SMTP_SEND_SCOPE} to send over SMTP); if the "
            "tenant requires it, an administrator grants admin consent for the app in Entra first."), **common)
    if not result.get("refresh_token"):
        return ConsentResult(email, "error", (
            "Microsoft sent no refresh token (offline_access was not granted), so the access would end within the "
            "hour; nothing was stored. Log in again and accept 'Maintain access to data you have given it access "
            "to'."), status=Status.OAUTH_REAUTH_REQUIRED, **common)
    if cancelled is not None and cancelled.is_set():
        return ConsentResult(email, "cancelled", f"login for {email} cancelled; nothing was stored.")
    bundle = save_cache(workspace, email, cache, result, {
        "client_id": client.client_id, "tenant": client.tenant, "scopes": granted, "authorized_email": who or email})
    with Inventory.open(workspace) as inventory:
        store = GrantStore(inventory)
        if store.knows(email):
            store.save_consent(email, client_fingerprint=client.fingerprint, authorized_email=who or email,
                               scopes=granted, access_expires_at=bundle.expiry)
    log.info("Microsoft OAuth consent stored for %s (authorized %s; scopes %s)", email, who, " ".join(granted))
    return ConsentResult(email, "granted", f"{email} authorized: mailkit can now send as this Microsoft 365 "
                         "mailbox with OAuth 2.0 (XOAUTH2).", stored=True, **common)


def _error_result(email: str, result: dict[str, Any]) -> ConsentResult:
    error = str(result.get("error") or "")
    description = redact(str(result.get("error_description") or "").split(" Trace ID:")[0].strip())
    if error in ("access_denied", "authorization_declined"):
        return ConsentResult(email, "denied", (
            f"the sign-in for {email} was cancelled at Microsoft ({error}); nothing was stored. Run the login again "
            "and press Accept."))
    if error in ("authorization_pending", "expired_token"):
        return ConsentResult(email, "timeout", (
            f"nobody entered the code for {email} in time; nothing was stored. Run the login again."))
    status = Status.NOT_CONFIGURED if error in ("unauthorized_client", "invalid_client") else Status.UNKNOWN
    hint = (": check the app registration (`mailkit oauth client --microsoft`) and that public client flows are "
            "allowed in Entra") if status is Status.NOT_CONFIGURED else ""
    return ConsentResult(email, "error", f"Microsoft answered with an error: {error} {description}{hint}".strip(),
                         status=status)


# --- the browser consent ------------------------------------------------------------------------

class MicrosoftConsentFlow(ConsentFlow):
    """One mailbox's browser consent at Microsoft, on the loopback redirect `http://localhost:<port>/`."""

    provider = "microsoft365"

    def __init__(self, account: Account | str, workspace: Workspace | None = None, *,
                 client: MicrosoftClient | None = None):
        login_hint = self._begin(account, workspace, MAIL)
        self.client = client or microsoft_client(self.workspace, _company(account))
        self._cache = new_cache()
        self._app = msal_app(self.client, self._cache)
        self._server = LoopbackServer(self._deliver)
        self.redirect_uri = f"http://localhost:{self._server.port}/"
        try:
            with warnings.catch_warnings():  # msal prefers form_post; a loopback receiver is GET, as Entra allows
                warnings.simplefilter("ignore", UserWarning)
                self._auth = self._app.initiate_auth_code_flow(list(MS_SCOPES), redirect_uri=self.redirect_uri,
                                                               login_hint=login_hint)
        except BaseException:
            self._server.stop()
            raise
        self.authorization_url, self._state = self._auth["auth_uri"], self._auth["state"]

    def _finish(self, params: dict[str, str]) -> ConsentResult:
        try:
            result = self._app.acquire_token_by_auth_code_flow(self._auth, params)
        except ValueError as exc:  # msal: state mismatch or a malformed answer
            return ConsentResult(self.email, "error", f"Microsoft's answer could not be used: {exc}")
        except requests.RequestException as exc:
            return ConsentResult(self.email, "error", f"could not reach Microsoft's token endpoint: "
                                 f"{type(exc).__name__}: {exc}", status=http_failure_status(exc))
        with self._lock:
            if self._result is not None:  # cancelled while the code was redeemed: keep nothing
                return self._result
        return judge(result, email=self.email, identities=self._identities, client=self.client, cache=self._cache,
                     workspace=self.workspace)


# --- the device code ----------------------------------------------------------------------------

class MicrosoftDeviceFlow:
    """A device-code sign-in: the admin opens `verification_uri` anywhere and types `user_code`.

    `run()` polls Microsoft until the code is used, refused or expires (or `cancel()`); `wait()` is its
    async twin. The result is judged and stored like the browser consent's.
    """

    def __init__(self, account: Account | str, workspace: Workspace | None = None, *,
                 client: MicrosoftClient | None = None):
        self.email = account.strip().lower() if isinstance(account, str) else account.email
        hint = self.email if isinstance(account, str) else account.login_name
        self._identities = {self.email.lower(), hint.lower()}
        self.workspace = workspace or Workspace()
        self.client = client or microsoft_client(self.workspace, _company(account))
        self._cache = new_cache()
        self._app = msal_app(self.client, self._cache)
        self._cancelled = threading.Event()
        self._result: ConsentResult | None = None
        self._flow = self._app.initiate_device_flow(scopes=list(MS_SCOPES))
        if "user_code" not in self._flow:
            raise OAuthError(_error_result(self.email, self._flow).message, Status.NOT_CONFIGURED)
        self.user_code: str = self._flow["user_code"]
        self.verification_uri: str = self._flow["verification_uri"]
        self.message: str = self._flow.get("message") or (
            f"open {self.verification_uri} and enter the code {self.user_code}")

    @property
    def done(self) -> bool:
        return self._result is not None

    def cancel(self, message: str = "") -> ConsentResult:
        """Stop polling (any thread); the run returns a 'cancelled' result."""
        self._cancelled.set()
        if self._result is None:
            self._result = ConsentResult(self.email, "cancelled", message or (
                f"login for {self.email} cancelled; nothing was stored. Start again whenever you like."))
        return self._result

    def run(self, timeout: float | None = DEFAULT_TIMEOUT) -> ConsentResult:
        """Poll until the code is used (blocking; Ctrl-C cancels)."""
        deadline = None if timeout is None else time.monotonic() + timeout

        def stop(_flow: dict[str, Any]) -> bool:
            late = deadline is not None and time.monotonic() >= deadline
            return self._cancelled.is_set() or late or _flow.get("expires_at", 0) < time.time()

        try:
            answer = self._app.acquire_token_by_device_flow(self._flow, exit_condition=stop)
        except KeyboardInterrupt:
            self.cancel()
            raise
        except requests.RequestException as exc:
            return self._conclude(ConsentResult(self.email, "error", f"could not reach Microsoft's token endpoint: "
                                                f"{type(exc).__name__}: {exc}", status=http_failure_status(exc)))
        if self._cancelled.is_set():
            return self.cancel()
        if answer.get("error") == "authorization_pending":
            return self._conclude(ConsentResult(self.email, "timeout", (
                f"nobody entered the code {self.user_code} in time; nothing was stored. Run the login again (each "
                "code works once).")))
        return self._conclude(judge(answer, email=self.email, identities=self._identities, client=self.client,
                                    cache=self._cache, workspace=self.workspace, cancelled=self._cancelled))

    async def wait(self, timeout: float | None = DEFAULT_TIMEOUT) -> ConsentResult:
        try:
            return await asyncio.to_thread(self.run, timeout)
        except asyncio.CancelledError:
            self.cancel()
            raise

    def _conclude(self, result: ConsentResult) -> ConsentResult:
        from mailkit.observations import clear_consent_refusals, record_consent_refusal

        if self._result is not None:
            return self._result
        result.provider = "microsoft365"
        self._result = result
        if result.ok:
            clear_consent_refusals(self.workspace, self.email)
        else:
            record_consent_refusal(self.workspace, self.email, result.status, result.message)
        return result


# --- access tokens for XOAUTH2 ------------------------------------------------------------------

_registry_lock = threading.Lock()
_thread_locks: dict[tuple[str, str], threading.Lock] = {}


def _thread_lock(key: tuple[str, str]) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(key, threading.Lock())


class MicrosoftTokenSource:
    """Fresh access tokens for one Microsoft mailbox: msal's silent acquisition on the cache kept in keyring.

    The same interface as `mailkit.oauth.tokens.TokenSource`, so the SMTP/IMAP checks sign in with
    XOAUTH2 unchanged. One refresh per mailbox however many callers ask at once (a thread lock per
    mailbox; async callers wait in a worker thread).
    """

    token_source = "microsoft"

    def __init__(self, account: Account, workspace: Workspace):
        self.email = account.email.strip().lower()
        self.company = account.company
        self.workspace = workspace
        self._key = (str(workspace.home.resolve()), f"{self.email}/microsoft")

    def configured(self) -> bool:
        bundle = load_bundle_view(self.workspace, self.email)
        return bundle is not None and bool(bundle.refresh_token)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        seen = await in_keyring_thread(self._view)
        if not force_refresh and seen.fresh():
            return seen.access_token
        return await asyncio.to_thread(self._refresh_once, seen.access_token, force_refresh)

    def access_token_sync(self, *, force_refresh: bool = False, rejected: str | None = None) -> str:
        seen = self._view()
        force_refresh = force_refresh or (rejected is not None and rejected == seen.access_token)
        if not force_refresh and seen.fresh():
            return seen.access_token
        return self._refresh_once(rejected or seen.access_token, force_refresh)

    def _view(self) -> Any:
        bundle = load_bundle_view(self.workspace, self.email)
        if bundle is None or not bundle.refresh_token:
            raise OAuthError(f"no OAuth token stored for {self.email}: run {_login_command(self.email)}",
                             Status.NOT_CONFIGURED)
        return bundle

    def _refresh_once(self, seen: str, force: bool) -> str:
        with _thread_lock(self._key):
            bundle = self._view()
            if bundle.fresh() and (not force or bundle.access_token != seen):
                return bundle.access_token
            return self._refresh(force or not bundle.fresh())

    def _refresh(self, force: bool) -> str:
        stored = load_cache(self.workspace, self.email)
        if stored is None:
            raise OAuthError(f"no OAuth token stored for {self.email}: run {_login_command(self.email)}",
                             Status.NOT_CONFIGURED)
        cache, meta = stored
        client = microsoft_client(self.workspace, self.company)
        if meta.get("client_id") and meta["client_id"] != client.client_id:
            self._mark(Status.OAUTH_REAUTH_REQUIRED)
            raise OAuthError(f"the OAuth token of {self.email} was issued to another Microsoft app than the one "
                             f"registered now: run {_login_command(self.email)}", Status.OAUTH_REAUTH_REQUIRED)
        app = msal_app(client, cache)
        accounts = app.get_accounts(username=meta.get("authorized_email") or self.email) or app.get_accounts()
        try:
            result = app.acquire_token_silent_with_error(list(MS_SCOPES), account=accounts[0],
                                                         force_refresh=force) if accounts else None
        except requests.RequestException as exc:
            raise OAuthError(f"could not reach Microsoft's token endpoint to refresh the token of {self.email}: "
                             f"{redact(exc)}", http_failure_status(exc)) from None
        if not result or "error" in result:
            raise self._refresh_error(result or {})
        bundle = save_cache(self.workspace, self.email, cache, result, meta)
        with facts_of(self.workspace, self.email, MAIL) as facts:
            if facts is not None:
                facts.record_refresh(self.email, bundle.expiry)
        log.info("refreshed the Microsoft access token of %s (valid until %s)", self.email, iso(bundle.expiry))
        return bundle.access_token

    def _refresh_error(self, result: dict[str, Any]) -> OAuthError:
        error = str(result.get("error") or "no_account")
        detail = redact(str(result.get("error_description") or "").split(" Trace ID:")[0].strip())
        if error in ("invalid_grant", "interaction_required", "no_account"):
            self._mark(Status.OAUTH_REAUTH_REQUIRED)
            return OAuthError(f"the stored refresh token of {self.email} no longer works ({error}: {detail}). "
                              f"Likely: {REAUTH_REASONS}. Authorize again: {_login_command(self.email)}",
                              Status.OAUTH_REAUTH_REQUIRED)
        if error in ("invalid_client", "unauthorized_client"):
            return OAuthError(f"Microsoft refused mailkit's app ({error}: {detail}): check `mailkit oauth client "
                              "--microsoft`, then log in again", Status.NOT_CONFIGURED)
        return OAuthError(f"refreshing the token of {self.email} failed: {error}: {detail}", Status.OAUTH_TOKEN_INVALID)

    def _mark(self, status: Status) -> None:
        with facts_of(self.workspace, self.email, MAIL) as facts:
            if facts is not None:
                facts.set_status(self.email, status)


def forget(account: Account, workspace: Workspace) -> dict[str, Any]:
    """Forget the grant here: msal's cache out of keyring, the facts out of SQLite. Microsoft has no endpoint
    that revokes one refresh token: to cut it at Microsoft, revoke the user's sessions or the app's consent."""
    deleted = delete_bundle(workspace, account.email)
    with Inventory.open(workspace) as inventory:
        if inventory.find_account(account.email) is not None:
            GrantStore(inventory).delete(account.email)
    return {"email": account.email, "provider": "microsoft", "revoked_at_google": False,
            "revoked_at_provider": False, "deleted_locally": deleted,
            "detail": "Microsoft has no revocation endpoint for one token: to end it there, revoke the user's "
                      "sessions (Entra → Users → Revoke sessions) or remove the app's consent (Enterprise apps)"}


__all__ = ["MICROSOFT_PROVIDERS", "MicrosoftConsentFlow", "MicrosoftDeviceFlow", "MicrosoftTokenSource", "forget",
           "is_microsoft", "judge"]

"""The browser consent for one account: Google's installed-app flow, driven by the CLI or a widget.

google-auth-oauthlib's `InstalledAppFlow` builds the authorization URL (PKCE, state, offline
access) and exchanges the code; mailkit only adds a loopback receiver that can be cancelled at
any moment (its `run_local_server` prints, blocks and cannot be stopped), a paste-the-URL
fallback for a browser that cannot reach the loopback port, and the checks that decide whether
the grant is usable: the purpose's scope was ticked and the authorized account is the right one.
The purpose (`mailkit.oauth.store.GrantPurpose`) is the mail scope for an inventory account by
default, or a Workspace admin's read-only Directory access (`twostep.directory.DIRECTORY_ADMIN`,
given the admin's address): it also says where the token and the facts are kept.

    flow = ConsentFlow(account, workspace)     # listens on 127.0.0.1:<free port>
    show(flow.authorization_url)
    result = await flow.wait(timeout=420)       # or flow.run(...) from plain code
    # from another thread: flow.cancel() / flow.complete_from_url(pasted)
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from google_auth_oauthlib.flow import InstalledAppFlow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from mailkit.endpoints import browser_url, http_failure_status, requests_verify
from mailkit.errors import MailkitError, UsageError
from mailkit.models import Account
from mailkit.oauth.client import OAuthClient
from mailkit.oauth.clients import client_for, observe, page_errors_help
from mailkit.oauth.identity import IdentityError, authorized_email
from mailkit.oauth.loopback import LoopbackServer
from mailkit.oauth.scopes import EMAIL_SCOPE
from mailkit.oauth.store import (
    MAIL,
    MAIL_BOX,
    GrantPurpose,
    TokenBundle,
    delete_bundle,
    load_bundle,
    parse_time,
    record_lifetime,
    save_bundle,
)
from mailkit.secrets.redaction import redact, remember
from mailkit.status import Status
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.oauth")


class _RedactingFilter(logging.Filter):
    """requests-oauthlib logs whole token responses at DEBUG: mask them before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


logging.getLogger("requests_oauthlib.oauth2_session").addFilter(_RedactingFilter())

#: How long the CLI and the widget wait for the browser by default: 7 minutes.
DEFAULT_TIMEOUT = 420.0
EMAIL_BOX = "See your primary Google Account email address"

OUTCOME_STATUS = {
    "granted": Status.OK, "scope_missing": Status.OAUTH_SCOPE_MISSING, "wrong_account": Status.OAUTH_WRONG_ACCOUNT,
    "denied": Status.NOT_CONFIGURED, "cancelled": Status.NOT_CONFIGURED, "timeout": Status.TIMEOUT,
    "error": Status.UNKNOWN,
}


@dataclass
class ConsentResult:
    """How one consent ended. `outcome` is one of OUTCOME_STATUS's keys; `stored` says a token was kept."""

    email: str
    outcome: str
    message: str
    status: Status = Status.UNKNOWN
    authorized_email: str | None = None
    scopes: list[str] = field(default_factory=list)
    stored: bool = False
    purpose: str = MAIL.name
    provider: str = ""  # whose consent it was ("microsoft365"; empty: Google's): picks the wording of the texts

    def __post_init__(self) -> None:
        if self.status is Status.UNKNOWN:
            self.status = OUTCOME_STATUS.get(self.outcome, Status.UNKNOWN)
        self.message = redact(self.message)

    @property
    def ok(self) -> bool:
        return self.outcome == "granted" and self.stored

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        data: dict[str, Any] = {"email": self.email, "ok": self.ok, "outcome": self.outcome,
                                "status": str(self.status), "message": self.message,
                                "authorized_email": self.authorized_email, "scopes": self.scopes,
                                "stored": self.stored, "purpose": self.purpose}
        if self.purpose == MAIL.name and self.status in {
                Status.OAUTH_SCOPE_MISSING, Status.OAUTH_WRONG_ACCOUNT, Status.OAUTH_REAUTH_REQUIRED}:
            from mailkit.diagnose import diagnosis_for

            diagnosis = diagnosis_for(self.status, raw=self.message)
            data["cause"] = diagnosis.cause(lang, email=self.email, provider=self.provider or None)
            data["remedy"] = diagnosis.remedy(lang, email=self.email, provider=self.provider or None)
        return data


def _params(url: str) -> dict[str, str]:
    """The query of a redirect URL; also accepts a bare `state=...&code=...` pasted on its own."""
    text = url.strip()
    query = urlsplit(text).query if "?" in text else text
    return dict(parse_qsl(query))


class ConsentFlow:
    """One account's consent: loopback receiver, authorization URL, and the result once it is known.

    `account` is an inventory Account, or (for a purpose such as the Directory's) just the address
    that must consent.
    """

    provider = ""  # Google's; a subclass for another identity provider names it (mailkit.providers keys)

    def __init__(self, account: Account | str, workspace: Workspace | None = None, *,
                 client: OAuthClient | None = None, purpose: GrantPurpose = MAIL):
        login_hint = self._begin(account, workspace, purpose)
        self.client = client or client_for(self.workspace, self.email,
                                           "" if isinstance(account, str) else account.company)
        self._flow = InstalledAppFlow.from_client_config(self.client.flow_config(), scopes=list(purpose.scopes))
        self._server = LoopbackServer(self._deliver)
        self.redirect_uri = f"http://127.0.0.1:{self._server.port}/"
        self._flow.redirect_uri = self.redirect_uri
        url, self._state = self._flow.authorization_url(access_type="offline", prompt="consent", login_hint=login_hint)
        self.authorization_url = browser_url(url)

    def _begin(self, account: Account | str, workspace: Workspace | None, purpose: GrantPurpose) -> str:
        """What every provider's consent shares: who must consent and the waiting machinery; the login hint.
        (mailkit.oauth.microsoft's flow builds on this and on everything below.)"""
        self.account = account
        self.purpose = purpose
        self.email = account.strip().lower() if isinstance(account, str) else account.email
        login_hint = self.email if isinstance(account, str) else account.login_name
        self._identities = {self.email.lower(), login_hint.lower()}
        self.workspace = workspace or Workspace()
        self._lock = threading.Lock()
        self._finish_lock = threading.Lock()
        self._signal = threading.Event()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._url: str | None = None
        self._result: ConsentResult | None = None
        self._state: str | None = None
        return login_hint

    # --- waiting ---------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._signal.is_set()

    async def wait(self, timeout: float | None = DEFAULT_TIMEOUT) -> ConsentResult:
        """Wait for the browser (or a paste, or `cancel()`); never raises for what the admin did."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            self._waiters.append((loop, future))
        if self._signal.is_set() and not future.done():
            future.set_result(None)
        try:
            async with asyncio.timeout(timeout):
                await future
        except TimeoutError:
            return self._timed_out(timeout)
        except asyncio.CancelledError:
            self.cancel()
            raise
        finally:
            with self._lock:
                self._waiters = [w for w in self._waiters if w[1] is not future]
        return await asyncio.to_thread(self._settle)

    def run(self, timeout: float | None = DEFAULT_TIMEOUT) -> ConsentResult:
        """The blocking twin of `wait()`; Ctrl-C cancels the flow (freeing the port) and re-raises."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise UsageError("an event loop is already running (Jupyter?): use `await flow.wait()` instead")
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._signal.wait(0.2):
                if deadline is not None and time.monotonic() >= deadline:
                    return self._timed_out(timeout)
        except KeyboardInterrupt:
            self.cancel()
            raise
        return self._settle()

    def cancel(self, message: str = "") -> ConsentResult:
        """Stop waiting now (any thread): the wait returns a 'cancelled' result and the port is freed."""
        return self._conclude(ConsentResult(self.email, "cancelled", message or (
            f"login for {self.email} cancelled; nothing was stored. Start again whenever you like.")))

    def __enter__(self) -> ConsentFlow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def complete_from_url(self, pasted_url: str) -> ConsentResult:
        """Finish from the address the browser ended on (when it could not reach the loopback port).

        UsageError, leaving the flow waiting, when the text is not such an address or belongs to
        another attempt.
        """
        params = _params(pasted_url)
        if not {"code", "error"} & params.keys():
            raise UsageError("that is not the address the browser ended on: it starts with "
                             f"{self.redirect_uri} and holds code=... (or error=...)")
        if not self._deliver("/?" + urlencode(params)):
            raise UsageError("that address belongs to another login attempt (its state does not match): "
                             "paste the address from the browser tab of this attempt")
        return self._settle()

    async def acomplete_from_url(self, pasted_url: str) -> ConsentResult:
        """`complete_from_url` without blocking the event loop (the token exchange is HTTP)."""
        return await asyncio.to_thread(self.complete_from_url, pasted_url)

    # --- internals ---------------------------------------------------------------------------
    def _deliver(self, path: str) -> bool:
        """The loopback receiver (or a paste) got a redirect; False when its state is not ours."""
        if not hmac.compare_digest(_params(path).get("state", ""), self._state or ""):
            return False
        with self._lock:
            if self._url is None:
                self._url = path
        self._notify()
        return True

    def _notify(self) -> None:
        self._signal.set()
        with self._lock:
            waiters = list(self._waiters)
        for loop, future in waiters:
            try:
                loop.call_soon_threadsafe(_release, future)
            except RuntimeError:  # that loop is closed: nobody waits there any more
                continue

    def _conclude(self, result: ConsentResult) -> ConsentResult:
        """Set the result unless one is already known; free the port; wake every waiter."""
        with self._lock:
            first = self._result is None
            if first:
                result.purpose = self.purpose.name
                result.provider = self.provider
                self._result = result
            result = self._result
        self._server.stop()
        if first and self.purpose is MAIL:
            self._keep_outcome(result)
        self._notify()
        return result

    def _keep_outcome(self, result: ConsentResult) -> None:
        """A refused consent stands as the account's latest result until one succeeds (mailkit.observations)."""
        from mailkit.observations import clear_consent_refusals, record_consent_refusal

        if result.ok:
            clear_consent_refusals(self.workspace, self.email)
        else:
            record_consent_refusal(self.workspace, self.email, result.status, result.message)

    def _timed_out(self, timeout: float | None) -> ConsentResult:
        return self._conclude(ConsentResult(self.email, "timeout", (
            f"no answer from the browser within {timeout:g} s; nothing was stored. Run the login again (the "
            "link is valid for one attempt only); if the browser runs on another machine, paste the address "
            "it ended on. " + page_errors_help(self.email))))

    def _settle(self) -> ConsentResult:
        """The result: the one known, or the outcome of the delivered redirect (exchanged once)."""
        with self._finish_lock:
            with self._lock:
                known, url = self._result, self._url
            if known is not None:
                return known
            if url is None:
                return self.cancel()
            self._server.stop()
            return self._conclude(self._finish(_params(url)))

    def _finish(self, params: dict[str, str]) -> ConsentResult:
        email = self.email
        if "error" in params:
            return self._error_result(params)
        try:
            token = self._exchange(params)
        except (OAuth2Error, requests.RequestException, MailkitError, ValueError) as exc:
            return ConsentResult(email, "error", _exchange_failure(exc), status=_exchange_status(exc))
        return self._judge(token)

    def _error_result(self, params: dict[str, str]) -> ConsentResult:
        error = params["error"]
        if error == "access_denied":
            return ConsentResult(self.email, "denied", (
                f"the consent for {self.email} was cancelled in the browser (access_denied); nothing "
                "was stored. Run the login again and press Continue (or Allow) on Google's page."))
        detail = params.get("error_description", "")
        return ConsentResult(self.email, "error", f"Google answered with an error: {error} {detail}".strip())

    def _exchange(self, params: dict[str, str]) -> dict[str, Any]:
        """Code → tokens through the library (PKCE verifier, state check). https for oauthlib, as the library does."""
        response = f"https://127.0.0.1:{self._server.port}/?{urlencode(params)}"
        try:
            token = self._flow.fetch_token(authorization_response=response, verify=requests_verify(), timeout=30)
        except Warning as warning:  # oauthlib: "Scope has changed" — some box was unticked
            token = getattr(warning, "token", None)
            if token is None:
                raise
        token = dict(token)
        for key in ("access_token", "refresh_token", "id_token"):
            remember(token.get(key))
        return token

    def _judge(self, token: dict[str, Any]) -> ConsentResult:
        """Decide whether the grant is usable: the right account, the purpose's scope, a refresh token."""
        email, purpose = self.email, self.purpose
        granted = _granted_scopes(token, purpose.scopes)
        try:
            who = authorized_email(token, self.client)
        except IdentityError as exc:
            return ConsentResult(email, "error", str(exc))
        common = {"authorized_email": who, "scopes": granted}
        if who is not None and who.lower() not in self._identities:
            return ConsentResult(email, "wrong_account", (
                f"the browser authorized {who}, not {email}; nothing was stored. Run the login again and choose "
                f"{email} on Google's page ('Use another account', or a private window)."), **common)
        missing = [box for box, ok in ((purpose.required_box, purpose.required_scope in granted),
                                       (EMAIL_BOX, who is not None)) if not ok]
        if missing:
            return ConsentResult(email, "scope_missing", (
                "the consent lacks " + " and ".join(f"'{box}'" for box in missing) + "; nothing was stored. Run "
                "the login again and leave " + ("that box" if len(missing) == 1 else "those boxes") + " ticked "
                f"on Google's page (mailkit needs {purpose.required_scope} {purpose.need})."), **common)
        return self._store(token, who or email, granted)

    def _store(self, token: dict[str, Any], who: str, granted: list[str]) -> ConsentResult:
        email, kind = self.email, self.purpose.secret_kind
        old = load_bundle(self.workspace, email, kind)
        keep = old.refresh_token if old and old.client_id == self.client.client_id else ""
        refresh = token.get("refresh_token") or keep
        if not refresh:
            return ConsentResult(email, "error", (
                "Google sent no refresh token, so the access would end within the hour; nothing was stored. "
                "Remove mailkit's access at https://myaccount.google.com/permissions and log in again."),
                status=Status.OAUTH_REAUTH_REQUIRED, authorized_email=who, scopes=granted)
        with self._lock:
            if self._result is not None:  # cancelled while the exchange ran: keep nothing
                return self._result
        expiry = parse_time(token["expires_at"]) if token.get("expires_at") else None
        if expiry is None and token.get("expires_in"):
            expiry = parse_time(time.time() + float(token["expires_in"]))
        bundle = TokenBundle(refresh, token["access_token"], expiry, self.client.client_id, tuple(granted), who)
        save_bundle(self.workspace, email, bundle, kind)
        from mailkit.inventory import Inventory

        with Inventory.open(self.workspace) as inventory:
            replaced = self.purpose.store(inventory).save_consent(
                email, client_fingerprint=self.client.fingerprint, authorized_email=who, scopes=granted,
                access_expires_at=expiry)
            record_lifetime(self.workspace, inventory, self.purpose, email, token, self.client.fingerprint)
        observe(self.workspace, self.client.fingerprint, token)
        for other in replaced:  # e.g. the domain's previous Directory admin: its token is of no use any more
            delete_bundle(self.workspace, other, kind)
        log.info("OAuth consent stored for %s (authorized %s; scopes %s)", email, who, " ".join(granted))
        granted_message = self.purpose.granted.format(email=email, domain=email.rpartition("@")[2])
        return ConsentResult(email, "granted", granted_message, authorized_email=who, scopes=granted, stored=True)


def _release(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _granted_scopes(token: dict[str, Any], requested: tuple[str, ...]) -> list[str]:
    """What Google says it granted (`scope` in the token response); the request when it is silent."""
    scope = token.get("scope")
    if scope is None:
        return list(requested)
    items = scope.split() if isinstance(scope, str) else list(scope)
    return [EMAIL_SCOPE if s == "email" else s for s in items]


def _exchange_failure(exc: Exception) -> str:
    if isinstance(exc, OAuth2Error):
        hint = ""
        if exc.error == "invalid_client":
            hint = ": the registered OAuth client is wrong or was deleted; check `mailkit oauth client`"
        elif exc.error == "redirect_uri_mismatch":
            hint = ": the OAuth client must be a 'Desktop app' client"
        return f"the token exchange failed ({exc.error}: {exc.description or ''}){hint}; nothing was stored"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error talking to Google's token endpoint: {exc}"
    if isinstance(exc, requests.RequestException):
        return f"could not reach Google's token endpoint: {type(exc).__name__}: {exc}"
    return f"the token exchange failed: {exc}"


def _exchange_status(exc: Exception) -> Status:
    if isinstance(exc, OAuth2Error) and exc.error in {"invalid_client", "deleted_client", "unauthorized_client"}:
        return Status.NOT_CONFIGURED
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
        return http_failure_status(exc)
    return Status.UNKNOWN


__all__ = ["DEFAULT_TIMEOUT", "EMAIL_SCOPE", "MAIL_BOX", "ConsentFlow", "ConsentResult"]

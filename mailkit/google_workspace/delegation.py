"""Access tokens for a Workspace mailbox through domain-wide delegation: no consent, no refresh token.

For a domain connected with `mailkit workspace connect`, the service account's key (in keyring) signs a JWT
bearer grant with `sub` = the mailbox and the scope `https://mail.google.com/` (google-auth's
`service_account.Credentials`), through mailkit's verifying HTTP session; in sandbox mode the grant goes to the
sandbox's token endpoint. Tokens are cached per mailbox in memory until 5 minutes before they end, and never
written anywhere. `DelegatedTokenSource` has `mailkit.oauth.tokens.TokenSource`'s interface, so the SMTP/IMAP
checks, test sends and audits use it unchanged.

Google's refusals become a `DelegationError` (an OAuthError with the status `delegation_unauthorized`) whose
message says what to add in the domain's Admin console. Both forms are implemented: the key in keyring
(`mailkit.google_workspace.keys`) and keyless, where Google signs on the signer's request
(`mailkit.google_workspace.keyless`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mailkit.endpoints import google_endpoints, http_failure_status, http_session, sandbox_info
from mailkit.errors import OAuthError, UsageError
from mailkit.google_workspace.domains import DelegatedDomain, connected_domain, record_check
from mailkit.google_workspace.keys import ServiceAccountKey, has_key, load_key
from mailkit.i18n import text
from mailkit.models import Account
from mailkit.oauth.scopes import DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.secrets.redaction import redact, remember
from mailkit.status import Status
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.google_workspace")
_lock = threading.Lock()  # guards the caches below: credentials per key, tokens per mailbox
#: What signs a domain's grants: its key, or (keyless) Google on the signer's request.
SigningAccount = Any  # ServiceAccountKey | mailkit.google_workspace.keyless.KeylessServiceAccount

#: Where a result's access token came from (`token_source`): a user's consent, delegation, Microsoft's msal.
CONSENT, DELEGATION, MICROSOFT = "consent", "delegation", "microsoft"
MAIL_SCOPES = (MAIL_SCOPE,)
#: A cached token is used until this long before it ends.
MARGIN = timedelta(minutes=5)
#: DelegationError reasons.
UNAUTHORIZED, UNKNOWN_USER, BAD_KEY, NO_KEY = "unauthorized_client", "unknown_user", "bad_key", "no_key"


class DelegationError(OAuthError):
    """Google refused the service account a token for a mailbox. `reason`: UNAUTHORIZED (client ID or scope not
    delegated in the Admin console), UNKNOWN_USER, BAD_KEY (the key was deleted or disabled), NO_KEY."""

    token_source = DELEGATION

    def __init__(self, message: str, *, reason: str, status: Status = Status.DELEGATION_UNAUTHORIZED):
        self.reason = reason
        self.variant = "" if reason == UNAUTHORIZED else reason
        super().__init__(redact(message), status)


@dataclass(frozen=True)
class Minted:
    token: str = ""
    expiry: datetime | None = None

    def fresh(self, now: datetime | None = None) -> bool:
        return bool(self.token) and self.expiry is not None and self.expiry - MARGIN > (now or datetime.now(UTC))


def admin_console_steps(domain: str, client_id: str, scopes: tuple[str, ...] = MAIL_SCOPES, lang: str = "en") -> str:
    """The exact Admin-console path and the strings to paste there."""
    return text(lang, "In the Admin console of {domain} open Security → Access and data control → API controls → "
                      "Domain-wide delegation → Add new; Client ID: {client_id}; OAuth scopes: {scopes}",
                domain=domain, client_id=client_id, scopes=",".join(scopes))


def delegated_credentials(key: SigningAccount, subject: str, scopes: tuple[str, ...]) -> Any:
    """google-auth credentials of the service account acting as `subject`; the sandbox's token URI in sandbox
    mode (as `mailkit.oauth.client._routed` does), the key's own otherwise. A keyless account's signature comes
    from IAM Credentials signBlob (`mailkit.google_workspace.keyless`)."""
    from mailkit.google_workspace.keyless import KeylessServiceAccount, keyless_credentials

    token_uri = google_endpoints().token_uri if sandbox_info() is not None else str(key.info["token_uri"])
    if isinstance(key, KeylessServiceAccount):  # nothing slow to keep: no private key to load
        return keyless_credentials(key, token_uri).with_scopes(list(scopes)).with_subject(subject)
    return _base_credentials(key, token_uri).with_scopes(list(scopes)).with_subject(subject)


def signing_account(workspace: Workspace, delegated: DelegatedDomain) -> SigningAccount | None:
    """What signs the domain's grants: Google on its signer's request (keyless), else the key in keyring (None
    when it is not there)."""
    from mailkit.google_workspace.keyless import KeylessServiceAccount

    if delegated.signer:
        return KeylessServiceAccount(delegated.service_account, delegated.client_id, delegated.signer,
                                     workspace=workspace)
    return load_key(workspace, delegated.domain)


_bases: dict[tuple[str, str, str], Any] = {}


def _base_credentials(key: ServiceAccountKey, token_uri: str) -> Any:
    """The key's credentials with no subject, made once per key and token URI: loading the private key is the
    slow part (~30 ms), and `with_subject` reuses its signer."""
    from google.oauth2 import service_account

    cache_key = (key.client_email, key.private_key_id, token_uri)
    with _lock:
        found = _bases.get(cache_key)
    if found is not None:
        return found
    try:
        made = service_account.Credentials.from_service_account_info({**key.info, "token_uri": token_uri})
    except (ValueError, KeyError) as exc:
        raise DelegationError(f"the service-account key of {key.client_email} cannot be loaded "
                              f"({type(exc).__name__})", reason=BAD_KEY) from None
    with _lock:
        _bases[cache_key] = made
    return made


def mint(key: SigningAccount, mailbox: str, scopes: tuple[str, ...] = MAIL_SCOPES) -> Minted:
    """One JWT bearer grant: an access token for `mailbox`; DelegationError or OAuthError (network) on failure."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request

    credentials = delegated_credentials(key, mailbox, scopes)
    try:
        credentials.refresh(Request(thread_session()))
    except RefreshError as exc:
        raise refused(exc, key, mailbox, scopes) from None
    except TransportError as exc:
        raise OAuthError(f"could not reach Google's token endpoint for {mailbox}: {redact(exc)}",
                         http_failure_status(exc)) from None
    remember(credentials.token)
    expiry = credentials.expiry.replace(tzinfo=UTC) if credentials.expiry else None
    return Minted(credentials.token, expiry)


_sessions = threading.local()


def thread_session() -> Any:
    """This thread's HTTP session for Google's token endpoint and APIs, kept so an audit's grants (and a listing's
    calls per user) reuse their TLS connections — a new session per mailbox cost a handshake each; a new one when
    sandbox mode changes."""
    info = sandbox_info()
    marker = str(info.ca_cert) if info is not None else ""
    kept = getattr(_sessions, "kept", None)
    if kept is None or kept[0] != marker:
        if kept is not None:
            kept[1].close()
        kept = (marker, http_session())
        _sessions.kept = kept
    return kept[1]


def refused(exc: Exception, key: SigningAccount, mailbox: str, scopes: tuple[str, ...]) -> DelegationError:
    """Google's answer to the grant, as a DelegationError that says what to fix."""
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    error = str(data.get("error") or str(exc.args[0] if exc.args else "").partition(":")[0]).strip()
    said = f"{error}: {data.get('error_description', '')}".strip(": ")
    domain = mailbox.rpartition("@")[2]
    if error == "unauthorized_client":
        return DelegationError(f"Google refused to let the service account {key.client_email} act as {mailbox} "
                               f"({said}). {admin_console_steps(domain, key.client_id, scopes)}", reason=UNAUTHORIZED)
    description = str(data.get("error_description") or "").lower()
    if "invalid email" in description or "user id" in description:
        return DelegationError(f"{mailbox} is not a user of the Workspace domain {domain} ({said}): check the address "
                               "in the Admin console (Directory → Users)", reason=UNKNOWN_USER)
    if error == "invalid_grant" and getattr(key, "signer", None):  # keyless: IAM signed, so the account is the issue
        from mailkit.google_workspace.keyless import UNKNOWN_SERVICE_ACCOUNT

        return DelegationError(f"Google refused the grant IAM signed as the service account {key.client_email} "
                               f"({said}): it was deleted or disabled; check it in Google Cloud console → IAM & Admin "
                               "→ Service accounts, or connect with another: `mailkit workspace connect "
                               f"{domain} --keyless SERVICE_ACCOUNT_EMAIL --signer {key.signer}`",
                               reason=UNKNOWN_SERVICE_ACCOUNT)
    if error == "invalid_grant":
        return DelegationError(f"Google refused the key of the service account {key.client_email} ({said}): it was "
                               "deleted or disabled; create a new JSON key and run `mailkit workspace connect "
                               f"{domain} --service-account KEY.json` again", reason=BAD_KEY)
    return DelegationError(f"Google refused a delegated token for {mailbox} ({said})", reason=error or "unknown",
                           status=Status.OAUTH_TOKEN_INVALID)


# --- cached per mailbox -----------------------------------------------------------------------------
_cache: dict[tuple[str, str], Minted] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}


def _mailbox_lock(key: tuple[str, str]) -> threading.Lock:
    with _lock:
        return _locks.setdefault(key, threading.Lock())


def forget_tokens(workspace: Workspace, domain: str | None = None) -> None:
    """Drop the cached tokens of a domain (all when None), e.g. after `mailkit workspace disconnect`."""
    home = str(workspace.home.resolve())
    with _lock:
        for key in [k for k in _cache if k[0] == home and (domain is None or k[1].endswith("@" + domain.lower()))]:
            del _cache[key]


class DelegatedTokenSource:
    """Access tokens for one mailbox of a connected domain; `mailkit.oauth.tokens.TokenSource`'s interface."""

    token_source = DELEGATION

    def __init__(self, email: str, workspace: Workspace, delegated: DelegatedDomain):
        self.email = email.strip().lower()
        self.workspace = workspace
        self.delegated = delegated
        self._key = (str(workspace.home.resolve()), self.email)

    def configured(self) -> bool:
        """True when the domain's key (or, keyless, its signer's consent) is in keyring (Google may still refuse
        it)."""
        if self.delegated.signer:
            from mailkit.google_workspace.signer import has_signer

            return has_signer(self.workspace, self.delegated.signer)
        return has_key(self.workspace, self.delegated.domain)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        with _lock:
            seen = _cache.get(self._key, Minted())
        if not force_refresh and seen.fresh():
            return seen.token
        return await asyncio.to_thread(self._mint_once, seen.token, force_refresh)

    def access_token_sync(self, *, force_refresh: bool = False, rejected: str | None = None) -> str:
        with _lock:
            seen = _cache.get(self._key, Minted())
        force_refresh = force_refresh or (rejected is not None and rejected == seen.token)
        if not force_refresh and seen.fresh():
            return seen.token
        return self._mint_once(rejected or seen.token, force_refresh)

    def _mint_once(self, seen: str, force: bool) -> str:
        """Mint unless another caller did while this one waited."""
        with _mailbox_lock(self._key):
            with _lock:
                cached = _cache.get(self._key, Minted())
            if cached.fresh() and (not force or cached.token != seen):
                return cached.token
            minted = self._mint()
            with _lock:
                _cache[self._key] = minted
            return minted.token

    def _mint(self) -> Minted:
        domain = self.delegated.domain
        try:
            key = signing_account(self.workspace, self.delegated)
        except UsageError as exc:
            raise DelegationError(str(exc), reason=BAD_KEY) from None
        if key is None:
            raise DelegationError(f"the service-account key of {domain} is not in keyring: run `mailkit workspace "
                                  f"connect {domain} --service-account KEY.json`", reason=NO_KEY,
                                  status=Status.NOT_CONFIGURED)
        try:
            minted = mint(key, self.email)
        except DelegationError as exc:
            record_check(self.workspace, domain, self.email, exc.status.value)
            raise
        if self.delegated.last_result != Status.OK.value:
            record_check(self.workspace, domain, self.email, Status.OK.value)
        log.info("minted a delegated access token for %s (valid until %s)", self.email, minted.expiry)
        return minted


def delegated_source(account: Account, workspace: Workspace) -> DelegatedTokenSource | None:
    """The delegated source of an oauth2 Workspace account whose domain is connected; None otherwise."""
    if account.auth != "oauth2" or account.provider != "workspace":
        return None
    delegated = connected_domain(workspace, account.domain)
    return DelegatedTokenSource(account.email, workspace, delegated) if delegated is not None else None


def directory_credentials(workspace: Workspace, domain: str,
                          scopes: tuple[str, ...] = (DIRECTORY_SCOPE,)) -> tuple[Any, str] | None:
    """(credentials, admin) for the Directory of a connected domain with a remembered admin, asking for `scopes`;
    None otherwise."""
    delegated = connected_domain(workspace, domain)
    if delegated is None or not delegated.admin:
        return None
    key = signing_account(workspace, delegated)
    if key is None:
        return None
    return delegated_credentials(key, delegated.admin, tuple(scopes)), delegated.admin


__all__ = ["CONSENT", "DELEGATION", "MAIL_SCOPES", "MICROSOFT", "DelegatedTokenSource",
           "DelegationError", "Minted", "admin_console_steps", "delegated_credentials", "delegated_source",
           "directory_credentials", "forget_tokens", "mint", "refused", "signing_account", "thread_session"]

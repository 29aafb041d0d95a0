"""Check one account end to end: find its credentials (keyring / OAuth), sign in, optionally
send a test message. The async core the CLI, the audit and the widgets share."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mailkit.checks.messages import build_test_message, sample_invoice
from mailkit.checks.results import CheckResult, Credentials, Step, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.diagnose import diagnosis_for
from mailkit.endpoints import extra_ca_file
from mailkit.errors import OAuthError, SecretStoreError
from mailkit.models import Account, insecure_settings
from mailkit.providers import UNDETECTED
from mailkit.secrets.redaction import redact
from mailkit.secrets.store import (
    SecretStore,
    in_keyring_thread,
    login_secret,
    read_secret,
    secret_kind_for,
    secret_store,
)
from mailkit.status import Status
from mailkit.workspace import Workspace


@dataclass
class SendOptions:
    """A test send: to whom (the account itself by default), and what to attach.

    The From is the account's first extra From address when it has one: that is what its
    business software sends as, and what Google may refuse.
    """

    to: str | None = None
    attachments: bool = False
    html: bool = False
    from_address: str | None = None
    lang: str = "en"
    company_name: str = ""
    check_id: str | None = None


async def credentials_for(account: Account, workspace: Workspace,
                          store: SecretStore | None = None) -> Credentials | None:
    """The account's credentials, or None when nothing is stored (not_configured).

    Keyring reads block (an encrypted file keyring runs a slow key derivation per entry), so they
    run in a worker thread while the event loop keeps serving other connections (not for a store that
    reads from memory). `store`: the workspace's secret store when the caller (an audit) already has
    it, so it is not built again for every account. OAuth accounts get
    a valid access token (refreshed when near expiry) and a refresher that the SMTP engine calls
    once if the server rejects the token. Raises OAuthError with its status, or SecretStoreError
    when the keyring itself fails (that is never "nothing stored").
    """
    if account.auth == "oauth2":
        from mailkit.oauth.tokens import TokenSource

        source = TokenSource.for_account(account, workspace)
        if not await in_keyring_thread(source.configured):
            await asyncio.to_thread(_raise_refused_consent, account, workspace)
            return None
        kind = getattr(source, "token_source", "")
        try:
            token = await source.access_token()
        except OAuthError as exc:
            exc.token_source = kind  # type: ignore[attr-defined]  # the failed result says where it failed
            raise
        return Credentials("XOAUTH2", account.login_name, token,
                           refresh=lambda: source.access_token(force_refresh=True),
                           scopes=lambda: _granted_scopes(workspace, account.email), source=kind)
    kind = secret_kind_for(account.auth)
    if store is None:
        store = await in_keyring_thread(secret_store, workspace)
    secret = await read_secret(store, account.email, kind)
    if secret is None:
        return None
    return Credentials("PASSWORD", account.login_name, login_secret(kind, secret))


def _raise_refused_consent(account: Account, workspace: Workspace) -> None:
    """No token because the last consent was refused: that refusal is the result, not `not_configured`."""
    from mailkit.observations import consent_refusal

    refusal = consent_refusal(workspace, account.email)
    if refusal is not None:
        raise OAuthError(f"the consent of {refusal.at[:16].replace('T', ' ')} UTC was refused: {refusal.message}",
                         refusal.status)


async def credentials_or_result(account: Account, workspace: Workspace, protocol: str,
                                store: SecretStore | None = None) -> tuple[Credentials | None, CheckResult | None]:
    """(credentials, None), or (None, the failed check's result) when none can be looked up."""
    try:
        return await credentials_for(account, workspace, store), None
    except OAuthError as exc:
        return None, token_failure(account.email, protocol, exc)
    except SecretStoreError as exc:
        return None, store_failure(account.email, protocol, exc)


def insecure_refusal(account: Account, protocol: str) -> CheckResult | None:
    """A Google or Microsoft account whose settings would expose its password (no TLS, a foreign host) signs in
    only where the admin allowed it (--allow-insecure); otherwise this result, and nothing is sent."""
    problems = insecure_settings(account)
    if not problems or account.allow_insecure:
        return None
    why = "; ".join(reason for _, reason in problems)
    diagnosis = diagnosis_for(Status.NOT_CONFIGURED, raw=why, step="settings", variant="insecure", detail=why)
    return CheckResult(account.email, protocol, diagnosis, steps=[Step("settings", False, why)])


def undetected_result(account: Account, protocol: str) -> CheckResult:
    """The result for an account whose provider DNS could not tell at import: nothing is sent anywhere."""
    detail = undetected_detail(account)
    diagnosis = diagnosis_for(Status.PROVIDER_NOT_DETECTED, raw=detail, step="provider")
    return CheckResult(account.email, protocol, diagnosis, steps=[Step("provider", False, detail)])


def undetected_detail(account: Account) -> str:
    return (f"the mail provider of {account.domain} was not detected (DNS did not answer when it was added): run "
            f"`mailkit account detect`, or set it with `mailkit account add {account.email} --company "
            f"{account.company} --provider gmail|workspace|microsoft365|custom`")


def _granted_scopes(workspace: Workspace, email: str) -> tuple[str, ...] | None:
    """The scopes stored with the account's OAuth grant (None when unknown): read only after a refusal."""
    from mailkit.oauth.store import load_bundle

    bundle = load_bundle(workspace, email)
    return tuple(bundle.scopes) if bundle is not None and bundle.scopes else None


def token_failure(email: str, protocol: str, exc: OAuthError) -> CheckResult:
    """The result of a check that could not start: no usable OAuth access token."""
    diagnosis = diagnosis_for(exc.status, raw=str(exc), step="token", variant=getattr(exc, "variant", ""))
    return CheckResult(email, protocol, diagnosis, steps=[Step("token", False, redact(exc))],
                       token_source=getattr(exc, "token_source", ""))


def store_failure(email: str, protocol: str, exc: SecretStoreError) -> CheckResult:
    """The result of a check that could not start because the keyring failed: its own message, never
    `not_configured` (the secret may well be there)."""
    return CheckResult(email, protocol, diagnosis_for(Status.KEYRING_ERROR, raw=redact(exc), step="keyring"),
                       steps=[Step("keyring", False, redact(exc))])


async def check_account(account: Account, *, workspace: Workspace | None = None, send: SendOptions | None = None,
                        credentials: Credentials | None = None, timeouts: Timeouts | None = None) -> CheckResult:
    """Sign in as the account (and send a test when `send` is given); always returns a result."""
    if credentials is None:
        credentials, failed = await credentials_or_result(account, workspace or Workspace(), "smtp")
        if failed is not None:
            return failed
    return await check_with(account, credentials, send=send, timeouts=timeouts, workspace=workspace)


async def check_with(account: Account, credentials: Credentials | None, *, send: SendOptions | None = None,
                     timeouts: Timeouts | None = None, workspace: Workspace | None = None) -> CheckResult:
    """The check with credentials already looked up (None: nothing stored, so not_configured); the account's
    or the workspace's extra CA file is trusted besides the system's."""
    if account.provider == UNDETECTED:  # no server to sign in to yet, and none is guessed
        return undetected_result(account, "smtp")
    refused = insecure_refusal(account, "smtp")
    if refused is not None:
        return refused
    ca_file = extra_ca_file(account, workspace or Workspace())
    message = None
    if send is not None:
        message = build_test_message(account, to=send.to, company_name=send.company_name, check_id=send.check_id,
                                     attachments=sample_invoice(send.company_name) if send.attachments else [],
                                     html=send.html,
                                     from_address=send.from_address or next(iter(account.from_addresses), None),
                                     lang=send.lang)
    result = await check_smtp(account, credentials, message=message, timeouts=timeouts, ca_file=ca_file)
    return result.from_source(credentials)

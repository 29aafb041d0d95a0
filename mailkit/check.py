"""Check one account end to end: find its credentials (keyring / OAuth), sign in, optionally
send a test message. The async core the CLI, the audit and the widgets share."""

from __future__ import annotations

from dataclasses import dataclass

from mailkit.diagnose import diagnosis_for
from mailkit.endpoints import extra_ca_file
from mailkit.errors import OAuthError
from mailkit.messages import build_test_message, sample_invoice
from mailkit.models import Account
from mailkit.redaction import redact
from mailkit.secrets import login_secret, secret_kind_for, secret_store
from mailkit.smtp import CheckResult, Credentials, Timeouts, check_smtp
from mailkit.steps import Step
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


async def credentials_for(account: Account, workspace: Workspace) -> Credentials | None:
    """The account's credentials, or None when nothing is stored (not_configured).

    OAuth accounts get a valid access token (refreshed when near expiry) and a refresher that
    the SMTP engine calls once if Google rejects the token. Raises OAuthError with its status.
    """
    if account.auth == "oauth2":
        from mailkit.oauth import TokenSource

        source = TokenSource.for_account(account, workspace)
        if not source.configured():
            return None
        token = await source.access_token()
        return Credentials("XOAUTH2", account.login_name, token,
                           refresh=lambda: source.access_token(force_refresh=True),
                           scopes=lambda: _granted_scopes(workspace, account.email))
    kind = secret_kind_for(account.auth)
    secret = secret_store(workspace).get(account.email, kind)
    if secret is None:
        return None
    return Credentials("PASSWORD", account.login_name, login_secret(kind, secret))


def _granted_scopes(workspace: Workspace, email: str) -> tuple[str, ...] | None:
    """The scopes stored with the account's OAuth grant (None when unknown): read only after a refusal."""
    from mailkit.oauth_store import load_bundle

    bundle = load_bundle(workspace, email)
    return tuple(bundle.scopes) if bundle is not None and bundle.scopes else None


def token_failure(email: str, protocol: str, exc: OAuthError) -> CheckResult:
    """The result of a check that could not start: no usable OAuth access token."""
    return CheckResult(email, protocol, diagnosis_for(exc.status, raw=str(exc), step="token"),
                       steps=[Step("token", False, redact(exc))])


async def check_account(account: Account, *, workspace: Workspace | None = None, send: SendOptions | None = None,
                        credentials: Credentials | None = None, timeouts: Timeouts | None = None) -> CheckResult:
    """Sign in as the account (and send a test when `send` is given); always returns a result."""
    workspace = workspace or Workspace()
    if credentials is None:
        try:
            credentials = await credentials_for(account, workspace)
        except OAuthError as exc:
            return token_failure(account.email, "smtp", exc)
    return await check_with(account, credentials, send=send, timeouts=timeouts, workspace=workspace)


async def check_with(account: Account, credentials: Credentials | None, *, send: SendOptions | None = None,
                     timeouts: Timeouts | None = None, workspace: Workspace | None = None) -> CheckResult:
    """The check with credentials already looked up (None: nothing stored, so not_configured); the account's
    or the workspace's extra CA file is trusted besides the system's."""
    ca_file = extra_ca_file(account, workspace or Workspace())
    message = None
    if send is not None:
        message = build_test_message(account, to=send.to, company_name=send.company_name, check_id=send.check_id,
                                     attachments=sample_invoice(send.company_name) if send.attachments else [],
                                     html=send.html,
                                     from_address=send.from_address or next(iter(account.from_addresses), None),
                                     lang=send.lang)
    return await check_smtp(account, credentials, message=message, timeouts=timeouts, ca_file=ca_file)

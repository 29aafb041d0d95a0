"""Keyless domain-wide delegation: Google signs the JWT bearer grant as the service account, asked by the signer's
own Google identity (IAM Credentials `signBlob`); mailkit never holds a service-account key.

Why both forms: a key in keyring signs locally and needs nothing else alive, but many admins cannot make one —
Google Cloud organisations created since 2024 enforce the policy `iam.disableServiceAccountKeyCreation` by
default — and a key that never exists cannot leak. The keyless form costs a second credential (the signer's
consent, `mailkit.google_workspace.signer`) and one signBlob call per minted token (each mailbox's token is then
cached for its hour, as with a key).

The grant itself is google-auth's `service_account.Credentials` with `IamSigner` in place of the private key, so
the claims, the token request and Google's refusals are exactly those of the key form.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from google.auth import crypt

from mailkit.endpoints import GoogleEndpoints, google_endpoints, http_failure_status
from mailkit.errors import OAuthError
from mailkit.google_quota import Backoff, error_of, error_reasons, send_with_backoff
from mailkit.google_workspace.signer import signer_source
from mailkit.secrets.redaction import redact
from mailkit.status import Status
from mailkit.workspace import Workspace

#: DelegationError reasons of the keyless form.
SIGNER_DENIED, SIGNER_SCOPE, SIGNER_API_OFF, UNKNOWN_SERVICE_ACCOUNT = (
    "signer_denied", "signer_scope", "signer_api_disabled", "unknown_service_account")
TOKEN_CREATOR = "Service Account Token Creator (roles/iam.serviceAccountTokenCreator)"


@dataclass(frozen=True)
class KeylessServiceAccount:
    """A service account that Google signs for, on the signer's request; `ServiceAccountKey`'s shape, no key."""

    client_email: str
    client_id: str
    signer: str
    project_id: str = ""
    info: dict[str, Any] = field(default_factory=lambda: {"token_uri": GoogleEndpoints.token_uri}, repr=False)
    #: Where the signer's consent is kept (its keyring entries are the workspace's).
    workspace: Workspace | None = field(default=None, repr=False, compare=False)


def token_creator_steps(signer: str, service_account: str) -> str:
    """Where in Google Cloud console the signer gets the role that lets it sign as the service account."""
    return (f"in Google Cloud console open IAM & Admin → Service accounts → {service_account} → Permissions → Grant "
            f"access; New principals: {signer}; Role: {TOKEN_CREATOR}")


class IamSigner(crypt.Signer):
    """google-auth's Signer interface over IAM Credentials signBlob, as the signer (an access token of its
    consent); failures are DelegationErrors that say what to change."""

    def __init__(self, workspace: Workspace, signer: str, service_account: str):
        self.workspace, self.signer, self.service_account = workspace, signer, service_account
        self._key_id: str | None = None

    @property
    def key_id(self) -> str | None:
        return self._key_id  # Google picks the key; the JWT header needs none

    def sign(self, message: bytes | str) -> bytes:
        data = message.encode("utf-8") if isinstance(message, str) else message
        url = f"{google_endpoints().iamcredentials_uri}/projects/-/serviceAccounts/{quote(self.service_account)}"
        body = call_iam(self.workspace, self.signer, "POST", url + ":signBlob", "iam.serviceAccounts.signBlob",
                        self.service_account, {"payload": base64.b64encode(data).decode("ascii")})
        try:
            signature = base64.b64decode(str(body["signedBlob"]), validate=True)
        except (KeyError, ValueError) as exc:
            raise OAuthError("IAM Credentials answered signBlob without a signature", Status.UNKNOWN) from exc
        self._key_id = str(body.get("keyId") or "") or None
        return signature


def lookup_service_account(workspace: Workspace, signer: str, email: str) -> KeylessServiceAccount:
    """The service account as IAM describes it to the signer (serviceAccounts.get): its unique ID is the client ID
    the Admin console's domain-wide delegation names."""
    url = f"{google_endpoints().iam_uri}/projects/-/serviceAccounts/{quote(email)}"
    body = call_iam(workspace, signer, "GET", url, "iam.serviceAccounts.get", email)
    client_id = str(body.get("oauth2ClientId") or body.get("uniqueId") or "")
    if not client_id.isdigit():
        raise OAuthError(f"IAM described {email} without a client ID", Status.UNKNOWN)
    return KeylessServiceAccount(str(body.get("email") or email).lower(), client_id, signer,
                                 str(body.get("projectId") or ""), workspace=workspace)


def call_iam(workspace: Workspace, signer: str, method: str, url: str, permission: str, service_account: str,
             payload: dict[str, str] | None = None) -> dict[str, Any]:
    """One IAM / IAM Credentials request as the signer; its JSON body, or the error that names the fix. A token
    refused (401) is replaced once."""
    source = signer_source(workspace, signer)
    token = source.access_token_sync()
    response = _send(method, url, token, payload)
    if response.status_code == 401:
        response = _send(method, url, source.access_token_sync(rejected=token), payload)
    if response.status_code != 200:
        raise iam_refusal(response, signer, service_account, permission)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OAuthError("Google's IAM API answered with something that is not JSON", Status.UNKNOWN)
    return body


def _send(method: str, url: str, token: str, payload: dict[str, str] | None) -> Any:
    """The request on this thread's session, asked again while Google answers with its quota or a 5xx."""
    from mailkit.google_workspace.delegation import thread_session

    headers = {"Authorization": f"Bearer {token}"}
    try:
        return send_with_backoff(lambda: thread_session().request(method, url, json=payload, timeout=30,
                                                                  headers=headers), Backoff())
    except OSError as exc:  # requests' errors are OSErrors
        raise OAuthError(f"could not reach Google's IAM API: {redact(exc)}", http_failure_status(exc)) from None


def iam_refusal(response: Any, signer: str, service_account: str, permission: str) -> OAuthError:
    """Google's IAM error (`{"error": {"code", "message", "status", "details": [ErrorInfo]}}`) as a
    DelegationError that says what to change, and where."""
    from mailkit.google_workspace.delegation import DelegationError

    error = error_of(response)
    message = redact(str(error.get("message") or getattr(response, "reason", "") or ""))
    reasons = error_reasons(response)
    said = f"{response.status_code} {error.get('status') or ''}: {message}".replace("  ", " ")
    if "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons or "insufficient authentication scopes" in message.lower():
        return DelegationError(f"{signer}'s consent does not reach Google Cloud ({said}): run `mailkit workspace "
                               f"signer {signer}` again and leave the Google Cloud box ticked", reason=SIGNER_SCOPE)
    if "SERVICE_DISABLED" in reasons or "has not been used in project" in message:
        api = ("IAM Service Account Credentials API" if "signBlob" in permission
               else "Identity and Access Management (IAM) API")
        return DelegationError(f"Google refused {signer} ({said}): enable the {api} in the Google Cloud project "
                               f"of {service_account} (APIs & Services → Library)", reason=SIGNER_API_OFF)
    if response.status_code == 404:
        return DelegationError(f"Google Cloud knows no service account {service_account} ({said}): check the "
                               "address (IAM & Admin → Service accounts)", reason=UNKNOWN_SERVICE_ACCOUNT)
    if response.status_code == 403:
        return DelegationError(f"Google refused {signer} the permission {permission} on {service_account} "
                               f"({said}): {token_creator_steps(signer, service_account)}", reason=SIGNER_DENIED)
    if response.status_code == 401:
        return OAuthError(f"Google did not accept {signer}'s token ({said}): run `mailkit workspace signer "
                          f"{signer}` again", Status.OAUTH_TOKEN_INVALID)
    return OAuthError(f"Google's IAM API failed for {service_account} ({said})", Status.UNKNOWN)


def keyless_credentials(account: KeylessServiceAccount, token_uri: str) -> Any:
    """google-auth service-account credentials (no subject yet) whose signature comes from signBlob."""
    from google.oauth2 import service_account

    if account.workspace is None:
        raise ValueError("a keyless service account needs the workspace that keeps its signer's consent")
    return service_account.Credentials(IamSigner(account.workspace, account.signer, account.client_email),
                                       account.client_email, token_uri)


__all__ = ["SIGNER_API_OFF", "SIGNER_DENIED", "SIGNER_SCOPE", "TOKEN_CREATOR", "UNKNOWN_SERVICE_ACCOUNT",
           "IamSigner", "KeylessServiceAccount", "call_iam", "iam_refusal", "keyless_credentials",
           "lookup_service_account", "token_creator_steps"]

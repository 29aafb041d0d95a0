"""The status vocabulary every check, audit row and diagnosis speaks.

These strings are a public contract: reports, JSON output and exit codes depend on them,
so they are never renamed, only extended.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of one account check. The value is the contract string."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    APP_PASSWORD_REQUIRED = "app_password_required"
    WEB_LOGIN_REQUIRED = "web_login_required"
    OAUTH_TOKEN_INVALID = "oauth_token_invalid"
    OAUTH_REAUTH_REQUIRED = "oauth_reauth_required"
    OAUTH_SCOPE_MISSING = "oauth_scope_missing"
    OAUTH_WRONG_ACCOUNT = "oauth_wrong_account"
    NOT_CONFIGURED = "not_configured"
    AUTH_MECHANISM_UNSUPPORTED = "auth_mechanism_unsupported"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    SENDER_REJECTED = "sender_rejected"
    RECIPIENT_REJECTED = "recipient_rejected"
    MESSAGE_REJECTED = "message_rejected"
    STARTTLS_REQUIRED = "starttls_required"
    TLS_ERROR = "tls_error"
    DNS_ERROR = "dns_error"
    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection_lost"
    UNKNOWN = "unknown"
    PROVIDER_NOT_DETECTED = "provider_not_detected"  # DNS could not tell who hosts the domain's mail
    KEYRING_ERROR = "keyring_error"  # the keyring failed to read: the secret may well be there
    # Microsoft 365: the password was refused by a tenant or mailbox setting, not because it is wrong
    SMTP_AUTH_DISABLED = "smtp_auth_disabled"  # 535 5.7.139 SmtpClientAuthentication is disabled (OAuth too)
    SECURITY_DEFAULTS = "security_defaults"  # 535 5.7.139 locked by the security defaults policy
    BASIC_AUTH_DISABLED = "basic_auth_disabled"  # 550 5.7.30 / 535 5.7.139 basic authentication is off
    TENANT_BLOCKED = "tenant_blocked"  # 550 5.7.705 / 5.7.708: Microsoft stopped the whole tenant's outbound mail
    # Google Workspace, domain-wide delegation: Google refused the service account a token for the mailbox
    DELEGATION_UNAUTHORIZED = "delegation_unauthorized"  # unauthorized_client: client ID or scope not delegated


#: How bad a status is, for colouring and sorting: ok < warning (retry later) < error.
SEVERITY: dict[Status, str] = {
    status: "ok" if status is Status.OK
    else "warning" if status in {Status.RATE_LIMITED, Status.TIMEOUT, Status.CONNECTION_LOST, Status.UNKNOWN}
    else "error"
    for status in Status
}

#: Statuses that are temporary on Google's side: worth one retry after a pause.
TEMPORARY: frozenset[Status] = frozenset({Status.RATE_LIMITED, Status.CONNECTION_LOST, Status.TIMEOUT})

__all__ = ["SEVERITY", "TEMPORARY", "Status"]

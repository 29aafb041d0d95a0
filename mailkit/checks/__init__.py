"""Checking one account: SMTP and IMAP sign-in step by step (DNS, TCP, TLS, greeting, AUTH, send or
SELECT) with deadlines and a redacted transcript, the credentials it signs in with, and test messages.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.checks.account import SendOptions, check_account, check_with, credentials_or_result
    from mailkit.checks.imap import check_imap_account
    from mailkit.checks.results import CheckResult, Credentials, Step, Timeouts, tls_kind
    from mailkit.checks.smtp import check_smtp
    from mailkit.checks.tls import EXPIRED, HOSTNAME_MISMATCH, UNTRUSTED_ISSUER, WRONG_MODE

_SOURCES: dict[str, list[str]] = {
    "account": ["SendOptions", "check_account", "check_with", "credentials_or_result"],
    "imap": ["check_imap_account"],
    "results": ["CheckResult", "Credentials", "Step", "Timeouts", "tls_kind"],
    "smtp": ["check_smtp"],
    "tls": ["EXPIRED", "HOSTNAME_MISMATCH", "UNTRUSTED_ISSUER", "WRONG_MODE"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = [
    "CheckResult", "Credentials", "EXPIRED", "HOSTNAME_MISMATCH", "SendOptions", "Step", "Timeouts",
    "UNTRUSTED_ISSUER", "WRONG_MODE", "check_account", "check_imap_account", "check_smtp", "check_with",
    "credentials_or_result", "tls_kind"
]

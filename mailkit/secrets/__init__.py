"""Secrets (passwords, app passwords, token bundles) in keyring and nowhere else: the store, the
backends mailkit ships, redaction of every known secret, and app passwords checked before storing.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.secrets.apppasswords import (
        SecretOutcome,
        normalize_app_password,
        set_account_secret,
        set_account_secret_async,
        validate_as_you_type,
    )
    from mailkit.secrets.redaction import redact, remember, remember_login
    from mailkit.secrets.store import SecretKind, in_keyring_thread, login_secret, secret_kind_for, secret_store

_SOURCES: dict[str, list[str]] = {
    "apppasswords": [
        "SecretOutcome",
        "normalize_app_password",
        "set_account_secret",
        "set_account_secret_async",
        "validate_as_you_type",
    ],
    "redaction": ["redact", "remember", "remember_login"],
    "store": ["SecretKind", "in_keyring_thread", "login_secret", "secret_kind_for", "secret_store"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = [
    "SecretKind", "SecretOutcome", "in_keyring_thread", "login_secret", "normalize_app_password", "redact",
    "remember", "remember_login", "secret_kind_for", "secret_store", "set_account_secret",
    "set_account_secret_async", "validate_as_you_type"
]

"""The digest mail: after an audit, one message to the admin with what changed since the run before — newly
broken, fixed, breaking soon — per company, in the admin's language, HTML and plain text, the .xlsx report
attached on request; sent through mailkit's own SMTP check path (`mailkit.checks`).

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.digest.changes import Change, DigestContent, collect
    from mailkit.digest.message import build_message
    from mailkit.digest.sender import admin_account, check_settings, pick_sender
    from mailkit.digest.sending import DigestOutcome, check_address, deliver

_SOURCES: dict[str, list[str]] = {
    "changes": ["Change", "collect", "DigestContent"],
    "message": ["build_message"],
    "sender": ["admin_account", "check_settings", "pick_sender"],
    "sending": ["check_address", "deliver", "DigestOutcome"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["Change", "DigestContent", "DigestOutcome", "admin_account", "build_message", "check_address",
    "check_settings", "collect", "deliver", "pick_sender"]

"""Google Workspace at reseller scale: domain-wide delegation for mail (no consent per mailbox), the domain's
users read from the Directory, and the app passwords and third-party tokens each user holds.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from mailkit.lazy import lazy_exports

_SOURCES: dict[str, list[str]] = {}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__: list[str] = []

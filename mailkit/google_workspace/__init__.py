"""Google Workspace at reseller scale: domain-wide delegation for mail (no consent per mailbox), the domain's
users read from the Directory, and the app passwords and third-party tokens each user holds.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.google_workspace.connect import ConnectOutcome, connect_domain, connected_domains, disconnect_domain
    from mailkit.google_workspace.delegation import DelegatedTokenSource, DelegationError, admin_console_steps, mint
    from mailkit.google_workspace.domains import DelegatedDomain
    from mailkit.google_workspace.keys import ServiceAccountKey, load_key_file

_SOURCES: dict[str, list[str]] = {
    "connect": ["ConnectOutcome", "connect_domain", "connected_domains", "disconnect_domain"],
    "delegation": ["DelegatedTokenSource", "DelegationError", "admin_console_steps", "mint"],
    "domains": ["DelegatedDomain"],
    "keys": ["ServiceAccountKey", "load_key_file"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["ConnectOutcome", "DelegatedDomain", "DelegatedTokenSource", "DelegationError", "ServiceAccountKey",
           "admin_console_steps", "connect_domain", "connected_domains", "disconnect_domain", "load_key_file", "mint"]

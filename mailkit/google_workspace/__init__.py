"""Google Workspace at reseller scale: domain-wide delegation for mail (no consent per mailbox), the domain's
users read from the Directory, and the app passwords and third-party tokens each user holds.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.google_workspace.app_passwords import (
        AppPassword,
        AppPasswordListing,
        list_app_passwords,
        parse_millis,
        security_client,
    )
    from mailkit.google_workspace.revocations import revoke_app_passwords, revoke_tokens, stale_app_passwords
    from mailkit.google_workspace.security_records import Revocation, revocation_record
    from mailkit.google_workspace.third_party_tokens import ThirdPartyToken, TokenListing, list_tokens
    from mailkit.google_workspace.user_import import ImportLine, import_users
    from mailkit.google_workspace.users import WorkspaceUser, list_users

_SOURCES: dict[str, list[str]] = {
    "app_passwords": ["AppPassword", "AppPasswordListing", "list_app_passwords", "parse_millis", "security_client"],
    "revocations": ["revoke_app_passwords", "revoke_tokens", "stale_app_passwords"],
    "security_records": ["Revocation", "revocation_record"],
    "third_party_tokens": ["ThirdPartyToken", "TokenListing", "list_tokens"],
    "user_import": ["ImportLine", "import_users"],
    "users": ["WorkspaceUser", "list_users"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["AppPassword", "AppPasswordListing", "ImportLine", "Revocation", "ThirdPartyToken", "TokenListing",
           "WorkspaceUser", "import_users", "list_app_passwords", "list_tokens", "list_users", "parse_millis",
           "revocation_record", "revoke_app_passwords", "revoke_tokens", "security_client", "stale_app_passwords"]

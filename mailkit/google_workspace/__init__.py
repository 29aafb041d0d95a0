"""Google Workspace at reseller scale: domain-wide delegation for mail (no consent per mailbox), the domain's
users read from the Directory, and the app passwords and third-party tokens each user holds.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.google_workspace.app_passwords import (
        SECURITY_SCOPES,
        AppPassword,
        AppPasswordListing,
        list_app_passwords,
        parse_millis,
        security_client,
    )
    from mailkit.google_workspace.connect import (
        ConnectOutcome,
        connect_domain,
        connect_keyless,
        connected_domains,
        disconnect_domain,
    )
    from mailkit.google_workspace.delegation import DelegatedTokenSource, DelegationError, admin_console_steps, mint
    from mailkit.google_workspace.domains import DelegatedDomain
    from mailkit.google_workspace.keyless import SIGNER_DENIED, KeylessServiceAccount, lookup_service_account
    from mailkit.google_workspace.keys import ServiceAccountKey, load_key_file, load_key_text
    from mailkit.google_workspace.revocations import revoke_app_passwords, revoke_tokens, stale_app_passwords
    from mailkit.google_workspace.security_records import Revocation, revocation_record
    from mailkit.google_workspace.send_as import (
        SendAsAddress,
        SendAsListing,
        list_send_as,
        parse_send_as,
        require_delegation,
    )
    from mailkit.google_workspace.signer import SIGNER, forget_signer, has_signer, signers, testing_warning
    from mailkit.google_workspace.third_party_tokens import ThirdPartyToken, TokenListing, list_tokens
    from mailkit.google_workspace.user_import import ImportLine, import_users
    from mailkit.google_workspace.users import WorkspaceUser, list_users

_SOURCES: dict[str, list[str]] = {
    "app_passwords": ["AppPassword", "AppPasswordListing", "list_app_passwords", "parse_millis", "SECURITY_SCOPES",
                      "security_client"],
    "connect": ["connect_domain", "connect_keyless", "connected_domains", "ConnectOutcome", "disconnect_domain"],
    "delegation": ["admin_console_steps", "DelegatedTokenSource", "DelegationError", "mint"],
    "domains": ["DelegatedDomain"],
    "keyless": ["KeylessServiceAccount", "lookup_service_account", "SIGNER_DENIED"],
    "keys": ["load_key_file", "load_key_text", "ServiceAccountKey"],
    "revocations": ["revoke_app_passwords", "revoke_tokens", "stale_app_passwords"],
    "security_records": ["Revocation", "revocation_record"],
    "signer": ["SIGNER", "forget_signer", "has_signer", "signers", "testing_warning"],
    "send_as": ["list_send_as", "parse_send_as", "require_delegation", "SendAsAddress", "SendAsListing"],
    "third_party_tokens": ["list_tokens", "ThirdPartyToken", "TokenListing"],
    "user_import": ["import_users", "ImportLine"],
    "users": ["list_users", "WorkspaceUser"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["SECURITY_SCOPES", "SIGNER", "SIGNER_DENIED", "AppPassword", "AppPasswordListing", "ConnectOutcome",
           "DelegatedDomain", "DelegatedTokenSource", "DelegationError", "ImportLine", "KeylessServiceAccount",
           "Revocation", "SendAsAddress", "SendAsListing", "ServiceAccountKey", "ThirdPartyToken", "TokenListing",
           "WorkspaceUser", "admin_console_steps", "connect_domain", "connect_keyless", "connected_domains",
           "disconnect_domain", "forget_signer", "has_signer", "import_users", "list_app_passwords", "list_send_as",
           "list_tokens", "list_users", "load_key_file", "load_key_text", "lookup_service_account", "mint",
           "parse_millis", "parse_send_as", "require_delegation", "revocation_record", "revoke_app_passwords",
           "revoke_tokens", "security_client", "signers", "stale_app_passwords", "testing_warning"]

"""OAuth 2.0 for Google accounts (and Microsoft 365 mailboxes, with msal): the admin's client, the browser
consent, where grants live, and the access tokens XOAUTH2 signs in with (refresh, revoke, status).

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.oauth.client import active_client, register_client
    from mailkit.oauth.client_labels import PUBLISHING_WORDS, client_label
    from mailkit.oauth.clients import (
        check_domain,
        declare_publishing,
        declared_publishing,
        grant_clients,
        list_clients,
        register_scoped_client,
        registered_clients,
        short_id,
    )
    from mailkit.oauth.flow import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
    from mailkit.oauth.microsoft import (
        MICROSOFT_PROVIDERS,
        MicrosoftConsentFlow,
        MicrosoftDeviceFlow,
        MicrosoftTokenSource,
        is_microsoft,
    )
    from mailkit.oauth.microsoft_client import register_microsoft_client
    from mailkit.oauth.scopes import (
        API_SCOPE_PREFIX,
        DIRECTORY_MANAGE_SCOPE,
        DIRECTORY_SCOPE,
        EMAIL_SCOPE,
        GMAIL_READONLY_SCOPE,
        GMAIL_SEND_SCOPE,
        MAIL_SCOPE,
        OPENID_SCOPE,
        PROFILE_SCOPE,
    )
    from mailkit.oauth.store import (
        TESTING_SETTING,
        DirectoryGrantStore,
        GrantPurpose,
        GrantStore,
        admin_of,
        delete_bundle,
        load_bundle,
        pick_admin,
    )
    from mailkit.oauth.tokens import TokenSource, grant_status, revoke

_SOURCES: dict[str, list[str]] = {
    "client": ["active_client", "register_client"],
    "client_labels": ["client_label", "PUBLISHING_WORDS"],
    "clients": ["check_domain", "declare_publishing", "declared_publishing", "grant_clients", "list_clients",
        "register_scoped_client", "registered_clients", "short_id"],
    "flow": ["ConsentFlow", "ConsentResult", "DEFAULT_TIMEOUT"],
    "microsoft": ["is_microsoft", "MICROSOFT_PROVIDERS", "MicrosoftConsentFlow", "MicrosoftDeviceFlow",
        "MicrosoftTokenSource"],
    "microsoft_client": ["register_microsoft_client"],
    "scopes": ["API_SCOPE_PREFIX", "DIRECTORY_MANAGE_SCOPE", "DIRECTORY_SCOPE", "EMAIL_SCOPE", "GMAIL_READONLY_SCOPE",
        "GMAIL_SEND_SCOPE", "MAIL_SCOPE", "OPENID_SCOPE", "PROFILE_SCOPE"],
    "store": ["admin_of", "delete_bundle", "DirectoryGrantStore", "GrantPurpose", "GrantStore", "load_bundle",
        "pick_admin", "TESTING_SETTING"],
    "tokens": ["grant_status", "revoke", "TokenSource"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["API_SCOPE_PREFIX", "ConsentFlow", "ConsentResult", "DEFAULT_TIMEOUT", "DIRECTORY_MANAGE_SCOPE",
    "DIRECTORY_SCOPE", "DirectoryGrantStore", "EMAIL_SCOPE", "GMAIL_READONLY_SCOPE", "GMAIL_SEND_SCOPE", "GrantPurpose",
    "GrantStore", "MAIL_SCOPE", "MICROSOFT_PROVIDERS", "MicrosoftConsentFlow", "MicrosoftDeviceFlow",
    "MicrosoftTokenSource", "OPENID_SCOPE", "PROFILE_SCOPE", "PUBLISHING_WORDS", "TESTING_SETTING", "TokenSource",
    "active_client", "admin_of", "check_domain", "client_label", "declare_publishing", "declared_publishing",
    "delete_bundle", "grant_clients", "grant_status", "is_microsoft", "list_clients", "load_bundle", "pick_admin",
    "register_client", "register_microsoft_client", "register_scoped_client", "registered_clients", "revoke",
    "short_id"]

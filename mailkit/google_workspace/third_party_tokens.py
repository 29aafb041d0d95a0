"""Which third-party apps hold OAuth tokens of a Workspace domain's users, and whether those reach their mail
(Admin SDK Directory `tokens.list`, scope `admin.directory.user.security`).

A token resource names the app (`displayText`, `clientId`), the scopes the user granted it, and whether the app
is registered (`anonymous`) or installed (`nativeApp`); never the token itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mailkit.oauth.scopes import API_SCOPE_PREFIX, MAIL_SCOPE

if TYPE_CHECKING:
    from mailkit.twostep.directory import DirectoryClient
    from mailkit.workspace import Workspace

#: Scopes that reach a user's mail: full Gmail (SMTP/IMAP) and every Gmail API scope.
GMAIL_API_PREFIX = API_SCOPE_PREFIX + "gmail."


def is_mail_scope(scope: str) -> bool:
    """Whether a scope reaches mail (`https://mail.google.com/`, `.../auth/gmail.*`).

    >>> is_mail_scope("https://www.googleapis.com/auth/gmail.send"), is_mail_scope("openid")
    (True, False)
    """
    return scope.rstrip("/") == MAIL_SCOPE.rstrip("/") or scope.startswith(GMAIL_API_PREFIX)


@dataclass(frozen=True)
class ThirdPartyToken:
    """One app holding a user's OAuth token (no secret)."""

    email: str
    client_id: str
    display_text: str = ""
    scopes: tuple[str, ...] = ()
    anonymous: bool = False
    native_app: bool = False

    @property
    def mail_scopes(self) -> tuple[str, ...]:
        return tuple(s for s in self.scopes if is_mail_scope(s))

    @property
    def reaches_mail(self) -> bool:
        return bool(self.mail_scopes)

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "client_id": self.client_id, "app": self.display_text,
                "scopes": list(self.scopes), "mail_scopes": list(self.mail_scopes), "anonymous": self.anonymous,
                "native_app": self.native_app}


@dataclass
class TokenListing:
    domain: str
    admin: str
    users: list[str] = field(default_factory=list)
    items: list[ThirdPartyToken] = field(default_factory=list)

    def of(self, email: str) -> list[ThirdPartyToken]:
        return [t for t in self.items if t.email.lower() == email.lower()]

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "admin": self.admin, "users_listed": len(self.users),
                "tokens": [t.to_dict() for t in self.items]}


def parse_token(email: str, raw: dict[str, Any]) -> ThirdPartyToken | None:
    """A Token resource as a ThirdPartyToken; None without a client ID."""
    client_id = raw.get("clientId")
    if not isinstance(client_id, str) or not client_id.strip():
        return None
    scopes = raw.get("scopes") if isinstance(raw.get("scopes"), list) else []
    return ThirdPartyToken(email, client_id.strip(), str(raw.get("displayText") or ""),
                           tuple(str(s) for s in scopes if isinstance(s, str)), raw.get("anonymous") is True,
                           raw.get("nativeApp") is True)


def list_tokens(workspace: Workspace, domain: str, *, users: Iterable[str] | None = None, mail_only: bool = True,
                client: DirectoryClient | None = None) -> TokenListing:
    """Every user's third-party tokens (or the named users'); only those reaching mail unless `mail_only=False`."""
    from mailkit.google_workspace.app_passwords import domain_users, per_user_items, security_client

    domain = domain.strip().lower()
    client = client or security_client(workspace, domain)
    listing = TokenListing(domain, client.admin, domain_users(workspace, domain, users, client))
    found = per_user_items(client.list_tokens, listing.users)
    listing.users = list(found)
    for email, items in found.items():
        tokens = (parse_token(email, raw) for raw in items)
        listing.items.extend(t for t in tokens if t is not None and (t.reaches_mail or not mail_only))
    return listing


__all__ = ["ThirdPartyToken", "TokenListing", "is_mail_scope", "list_tokens", "parse_token"]

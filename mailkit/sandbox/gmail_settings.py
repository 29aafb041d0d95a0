"""Gmail API `users.settings.sendAs.list`: the addresses a mailbox may send as — its own (primary) and the
custom "from" aliases (`send_as` in the accounts file) — for the mailbox's own access token.

`GET /gmail/v1/users/{userId}/settings/sendAs`, `userId` the mailbox or `me`, with one of the scopes Google's
reference names (gmail.settings.basic, mail.google.com, gmail.modify, gmail.readonly). A token of another
user gets Google's "Delegation denied" (a service account reads a user's settings only with a token minted for
that user: domain-wide delegation with `sub`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from mailkit.oauth.scopes import GMAIL_READONLY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.http_core import HttpContext, Request, Response, api_error, json_response, unauthenticated

GMAIL_PATH = "/gmail/v1/users"
SEND_AS_SCOPES = frozenset({MAIL_SCOPE, GMAIL_READONLY_SCOPE, "https://www.googleapis.com/auth/gmail.modify",
                            "https://www.googleapis.com/auth/gmail.settings.basic"})


def route(ctx: HttpContext, req: Request, rest: str) -> Response | None:
    """`{userId}/settings/sendAs` under GMAIL_PATH; None for any other Gmail path (the caller's 404)."""
    user_id, _, tail = rest.partition("/")
    if tail != "settings/sendAs":
        return None
    if req.method != "GET":
        return json_response({"error": {"code": 405, "message": "Method not allowed."}}, 405)
    bearer = req.bearer()
    access = ctx.grants.lookup_access_token(bearer) if bearer else None
    if access is None:
        return unauthenticated(bool(bearer))
    if not SEND_AS_SCOPES & set(access.grant.scopes):
        return api_error(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                         status="PERMISSION_DENIED", item_message="Insufficient Permission")
    owner = access.grant.email.lower()
    user_id = unquote(user_id).lower()
    if user_id not in ("me", owner):
        return api_error(403, f"Delegation denied for {owner}", "forbidden", status="PERMISSION_DENIED")
    account = ctx.account(owner)
    if account is None:
        return api_error(400, "Mail service not enabled", "failedPrecondition", status="FAILED_PRECONDITION")
    return json_response({"sendAs": send_as(account)})


def send_as(account: SandboxAccount) -> list[dict[str, Any]]:
    """The primary address first (Google gives it no verificationStatus), then each alias, accepted."""
    primary = {"sendAsEmail": account.email, "displayName": account.display_name, "replyToAddress": "",
               "signature": "", "isPrimary": True, "isDefault": True}
    aliases = [{"sendAsEmail": address, "displayName": account.display_name, "replyToAddress": "", "signature": "",
                "isDefault": False, "treatAsAlias": True, "verificationStatus": "accepted"}
               for address in account.send_as if address.lower() != account.email.lower()]
    return [primary, *aliases]


__all__ = ["GMAIL_PATH", "SEND_AS_SCOPES", "route", "send_as"]

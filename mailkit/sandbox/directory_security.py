"""Admin SDK Directory API, a user's security: app passwords (`asps`) and third-party OAuth tokens (`tokens`).

`GET/DELETE /admin/directory/v1/users/{userKey}/asps[/{codeId}]` and `.../tokens[/{clientId}]`, for an admin of
the user's domain holding the scope `admin.directory.user.security` (Google's reference names no other).
Times of an app password are epoch milliseconds written as strings, "0" when unknown or never (the int64
convention of Google's JSON APIs). Deleting an app password makes the sandbox's SMTP and IMAP refuse it from then
on; deleting a token ends every grant of that user to that client, access tokens included.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from mailkit.oauth.scopes import DIRECTORY_SECURITY_SCOPE
from mailkit.sandbox.accounts import SandboxAccount, ThirdPartyToken
from mailkit.sandbox.directory import (
    authorize,
    etag,
    field_selection,
    find_user,
    not_found,
    select,
)
from mailkit.sandbox.http_core import (
    APP_NAME,
    HttpContext,
    Request,
    Response,
    account_id,
    api_error,
    json_response,
)

SECURITY_SCOPES = frozenset({DIRECTORY_SECURITY_SCOPE})
RESOURCES = ("asps", "tokens")


def route(ctx: HttpContext, req: Request, user_key: str, rest: str) -> Response:
    """`{userKey}/asps[/{codeId}]` or `{userKey}/tokens[/{clientId}]`, GET or DELETE."""
    resource, _, item = rest.partition("/")
    if resource not in RESOURCES or "/" in item:
        return Response(404, b"404. That's an error. The requested URL was not found on this server.\n")
    if req.method not in ("GET", "DELETE") or (req.method == "DELETE" and not item):
        return json_response({"error": {"code": 405, "message": "Method not allowed."}}, 405)
    caller = authorize(ctx, req, SECURITY_SCOPES)
    if isinstance(caller, Response):
        return caller
    user = find_user(ctx, caller, unquote(user_key))
    if isinstance(user, Response):
        return user
    selection = field_selection(req)
    if isinstance(selection, Response):
        return selection
    handler = _asps if resource == "asps" else _tokens
    result = handler(ctx, req, user, unquote(item))
    return result if isinstance(result, Response) else json_response(select(result, selection))


def _list_page(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A list answer: its kind and etag, and `items` only when there are any (Google leaves an empty list out)."""
    page: dict[str, Any] = {"kind": kind, "etag": etag(repr(items))}
    if items:
        page["items"] = items
    return page


# --- asps ----------------------------------------------------------------------------------------
def asp_resources(ctx: HttpContext, user: SandboxAccount) -> list[dict[str, Any]]:
    """The user's live app passwords as Asp resources: not deleted, not revoked by a password change."""
    if ctx.grants.app_passwords_revoked(user.email):
        return []
    found = []
    for index, code in enumerate(user.app_password_codes()):
        if ctx.grants.app_password_deleted(user.email, code):
            continue
        details = user.app_password_details_at(index)
        used = ctx.grants.app_password_last_used(user.email, code) or details.last_used
        created = ctx.grants.app_passwords_issued_at(user.email) if details.created is None else details.created
        body = {"codeId": code, "name": details.name, "creationTime": _millis(created),
                "lastTimeUsed": _millis(used), "userKey": account_id(user.email), "kind": "admin#directory#asp"}
        found.append({**body, "etag": etag(repr(sorted(body.items())))})
    return found


def _asps(ctx: HttpContext, req: Request, user: SandboxAccount, item: str) -> dict[str, Any] | Response:
    items = asp_resources(ctx, user)
    if not item:
        return _list_page("admin#directory#asps", items)
    if not (item.isascii() and item.isdigit()):
        return api_error(400, "Invalid value for: codeId", "invalidParameter", location="codeId")
    found = next((a for a in items if a["codeId"] == int(item)), None)
    if found is None:
        return api_error(400, "Invalid Input: codeId", "invalid")
    if req.method == "GET":
        return found
    ctx.grants.delete_app_password(user.email, int(item))
    return Response(204)


def _millis(epoch: float | None) -> str:
    return str(int(round(epoch * 1000))) if epoch else "0"


# --- tokens --------------------------------------------------------------------------------------
def token_resources(ctx: HttpContext, user: SandboxAccount) -> list[dict[str, Any]]:
    """Third-party tokens of the user: the accounts file's, and every live consent given on the sandbox's own
    consent page (one per client, its scopes merged)."""
    tokens = {t.client_id: t for t in user.tokens if not ctx.grants.token_deleted(user.email, t.client_id)}
    for grant in ctx.grants.live_consents(user.email):
        known = tokens.get(grant.client_id)
        scopes = tuple(dict.fromkeys([*(known.scopes if known else ()), *grant.scopes]))
        name = known.display_text if known else (APP_NAME if grant.client_id == ctx.client_id else grant.client_id)
        tokens[grant.client_id] = ThirdPartyToken(grant.client_id, name, scopes, False, True)
    return [_token_resource(user, t) for t in tokens.values()]


def _token_resource(user: SandboxAccount, token: ThirdPartyToken) -> dict[str, Any]:
    body = {"clientId": token.client_id, "scopes": list(token.scopes), "userKey": account_id(user.email),
            "anonymous": token.anonymous, "displayText": token.display_text, "nativeApp": token.native_app,
            "kind": "admin#directory#token"}
    return {**body, "etag": etag(repr(sorted((k, str(v)) for k, v in body.items())))}


def _tokens(ctx: HttpContext, req: Request, user: SandboxAccount, item: str) -> dict[str, Any] | Response:
    items = token_resources(ctx, user)
    if not item:
        return _list_page("admin#directory#tokenList", items)
    found = next((t for t in items if t["clientId"] == item), None)
    if found is None:
        return not_found("Resource Not Found: clientId")
    if req.method == "GET":
        return found
    if any(t.client_id == item for t in user.tokens):
        ctx.grants.delete_token(user.email, item)
    ctx.grants.revoke_client(user.email, item)
    return Response(204)


__all__ = ["RESOURCES", "SECURITY_SCOPES", "asp_resources", "route", "token_resources"]

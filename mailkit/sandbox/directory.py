"""Admin SDK Directory API, users.get and users.list: what mailkit reads 2-Step Verification from.

Only a Workspace admin of the same domain, with a Directory user scope, may read; the replies
(user resources, pagination, `fields=` partial responses, errors) follow Google's shapes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.http_core import (
    DIRECTORY_SCOPES,
    HttpContext,
    Request,
    Response,
    account_id,
    api_error,
    json_response,
    unauthenticated,
)

USERS_PATH = "/admin/directory/v1/users"
MAX_RESULTS = 500
_QUERY_FIELDS = {"isadmin": "isAdmin", "isenrolledin2sv": "isEnrolledIn2Sv",
                 "isenforcedin2sv": "isEnforcedIn2Sv", "issuspended": "suspended"}
Tree = dict[str, "Tree | None"]


def authorize(ctx: HttpContext, req: Request, scopes: frozenset[str]) -> SandboxAccount | Response:
    """The admin calling, when the bearer token is alive, holds one of `scopes` and belongs to a Workspace
    admin; Google's 401/403/404 otherwise."""
    bearer = req.bearer()
    access = ctx.grants.lookup_access_token(bearer) if bearer else None
    if access is None:
        return unauthenticated(bool(bearer))
    if not scopes & set(access.grant.scopes):
        return _insufficient_scopes()
    caller = ctx.account(access.grant.email)
    if caller is not None and not caller.workspace:
        return _not_found("Domain not found.")  # a consumer account has no Workspace domain
    if caller is None or not caller.admin:
        return _forbidden()  # a non-admin, or a service account acting as itself
    per_second = getattr(ctx.faults, "directory_per_second", 0)
    if not ctx.directory_window.admit(caller.email, per_second):
        return api_error(403, "User Rate Limit Exceeded", "userRateLimitExceeded", domain="usageLimits")
    return caller


def find_user(ctx: HttpContext, caller: SandboxAccount, user_key: str) -> SandboxAccount | Response:
    """The user a userKey (address, alias or id) names in the caller's domain; 403 for another Workspace
    domain, 404 for anyone else."""
    account = ctx.account(user_key) or next(
        (a for a in ctx.accounts.values()
         if account_id(a.email) == user_key or user_key.lower() in {x.lower() for x in a.aliases}), None)
    domain = user_key.rpartition("@")[2].lower() if "@" in user_key else caller.domain
    if account is not None:
        domain = account.domain
    if domain != caller.domain:
        return _forbidden() if domain in _workspace_domains(ctx) else _not_found("Resource Not Found: userKey")
    if account is None or not account.workspace:
        return _not_found("Resource Not Found: userKey")
    return account


def users(ctx: HttpContext, req: Request, user_key: str | None) -> Response:
    """GET /admin/directory/v1/users[/{userKey}]."""
    caller = authorize(ctx, req, DIRECTORY_SCOPES)
    if isinstance(caller, Response):
        return caller
    selection = field_selection(req)
    if isinstance(selection, Response):
        return selection
    result = _get(ctx, caller, user_key) if user_key is not None else _list(ctx, caller, req)
    if isinstance(result, Response):
        return result
    return json_response(select(result, selection))


def _get(ctx: HttpContext, caller: SandboxAccount, user_key: str) -> dict[str, Any] | Response:
    account = find_user(ctx, caller, user_key)
    return account if isinstance(account, Response) else user_resource(account)


def _list(ctx: HttpContext, caller: SandboxAccount, req: Request) -> dict[str, Any] | Response:
    domain, customer = req.get("domain").lower(), req.get("customer")
    if not domain and not customer:
        return api_error(400, "Bad Request", "badRequest")
    if domain and domain != caller.domain:
        return _forbidden() if domain in _workspace_domains(ctx) else _not_found("Domain not found.")
    if not domain and customer not in ("my_customer", customer_id(caller.domain)):
        return _forbidden()
    try:
        max_results = min(int(req.get("maxResults") or 100), MAX_RESULTS)
        offset = _decode_page_token(req.get("pageToken"))
        predicate = _query_predicate(req.get("query"))
    except ValueError as exc:
        return api_error(400, f"Invalid Input: {exc}", "invalid")
    if max_results < 1:
        return api_error(400, "Invalid Input: maxResults", "invalid")
    found = [user_resource(a) for a in ctx.accounts.values() if a.workspace and a.domain == caller.domain]
    found = sorted((u for u in found if predicate(u)), key=lambda u: u["primaryEmail"],
                   reverse=req.get("sortOrder").upper() == "DESCENDING")
    page: dict[str, Any] = {"kind": "admin#directory#users", "etag": _etag(repr(found))}
    page["users"] = found[offset:offset + max_results]
    if offset + max_results < len(found):
        page["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + max_results}".encode()).decode("ascii")
    return page


def user_resource(account: SandboxAccount) -> dict[str, Any]:
    """A Directory user resource (the fields mailkit and admins look at)."""
    local = account.email.split("@")[0]
    given, _, family = (account.display_name or local.replace(".", " ").title()).partition(" - ")
    family = family or account.domain.split(".")[0].replace("-", " ").title()
    resource = {
        "kind": "admin#directory#user",
        "id": account_id(account.email),
        "etag": _etag(account.email + repr(account)),
        "primaryEmail": account.email,
        "name": {"givenName": given, "familyName": family, "fullName": f"{given} {family}"},
        "isAdmin": account.admin,
        "isDelegatedAdmin": False,
        "lastLoginTime": google_time(account.last_login),
        "creationTime": "2021-03-04T17:22:31.000Z",
        "agreedToTerms": True,
        "suspended": account.suspended,
        "archived": False,
        "changePasswordAtNextLogin": False,
        "ipWhitelisted": False,
        "emails": [{"address": account.email, "primary": True}, *({"address": a} for a in account.aliases)],
        "customerId": customer_id(account.domain),
        "orgUnitPath": account.org_unit,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": account.two_step,
        "isEnforcedIn2Sv": account.two_step_enforced,
        "includeInGlobalAddressList": True,
    }
    if account.suspended:
        resource["suspensionReason"] = "ADMIN"
    if account.aliases:  # Google leaves the key out when a user has none
        resource["aliases"] = list(account.aliases)
    return resource


def google_time(epoch: float | None) -> str:
    """RFC 3339 with milliseconds, as the Directory writes times; never = the epoch itself."""
    moment = datetime.fromtimestamp(epoch or 0, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def customer_id(domain: str) -> str:
    """A stable Google-looking customer id (`C0...`) per Workspace domain."""
    return "C0" + hashlib.sha256(domain.encode("utf-8")).hexdigest()[:7]


def field_selection(req: Request) -> Tree | None | Response:
    """The request's `fields=` selection, or Google's 400 naming the bad selection."""
    try:
        return parse_fields(req.get("fields"))
    except ValueError as exc:
        return api_error(400, f"Invalid field selection {exc}", "invalidParameter", item_message=str(exc),
                         location="fields")


def parse_fields(text: str) -> Tree | None:
    """Google's `fields=` syntax (`users(primaryEmail,name/fullName),nextPageToken`) as a tree;
    None selects everything. ValueError names the bad selection."""
    if not text.strip() or text.strip() == "*":
        return None
    tree, rest = _parse_list(text.replace(" ", ""), text)
    if rest:
        raise ValueError(text)
    return tree


def _parse_list(text: str, whole: str) -> tuple[Tree, str]:
    tree: Tree = {}
    while True:
        match = re.match(r"[A-Za-z_*][\w*]*(?:/[A-Za-z_*][\w*]*)*", text)
        if not match:
            raise ValueError(whole)
        path, text = match.group().split("/"), text[match.end():]
        sub: Tree | None = None
        if text.startswith("("):
            sub, text = _parse_list(text[1:], whole)
            if not text.startswith(")"):
                raise ValueError(whole)
            text = text[1:]
        for name in reversed(path[1:]):
            sub = {name: sub}
        _merge(tree, path[0], sub)
        if not text.startswith(","):
            return tree, text
        text = text[1:]


def _merge(tree: Tree, name: str, sub: Tree | None) -> None:
    """`a(b),a(c)` selects a(b,c); a bare `a` anywhere selects all of a."""
    current = tree.get(name, {})
    if name not in tree:
        tree[name] = sub
    elif current is None or sub is None:
        tree[name] = None
    else:
        for key, value in sub.items():
            _merge(current, key, value)


def select(value: Any, tree: Tree | None) -> Any:
    """Keep only the selected fields of a resource (lists are selected item by item)."""
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [select(item, tree) for item in value]
    if isinstance(value, dict):
        return {k: select(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def _decode_page_token(token: str) -> int:
    if not token:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii").partition(":")
        if kind == "o" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeError):
        pass
    raise ValueError("pageToken")


def _query_predicate(query: str) -> Callable[[dict[str, Any]], bool]:
    """The `query=` subset mailkit needs: `isEnrolledIn2Sv=false isAdmin=true email:prefix*`."""
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for term in query.split():
        match = re.fullmatch(r"(\w+)([=:])(.+)", term)
        name, sep, wanted = match.groups() if match else (term, "", "")
        field = _QUERY_FIELDS.get(name.lower())
        if field and sep == "=" and wanted.lower() in ("true", "false"):
            tests.append(lambda u, f=field, w=wanted.lower() == "true": u[f] is w)
        elif name.lower() == "email" and wanted:
            prefix, exact = wanted.rstrip("*").lower(), not wanted.endswith("*")
            tests.append(lambda u, p=prefix, x=exact: u["primaryEmail"] == p if x else u["primaryEmail"].startswith(p))
        else:
            raise ValueError("query")
    return lambda user: all(test(user) for test in tests)


def _workspace_domains(ctx: HttpContext) -> set[str]:
    return {a.domain for a in ctx.accounts.values() if a.workspace}


def etag(text: str) -> str:
    """A Google-looking etag of a resource's text."""
    return _etag(text)


def forbidden() -> Response:
    return _forbidden()


def not_found(message: str) -> Response:
    return _not_found(message)


def _etag(text: str) -> str:
    return '"' + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:20]).decode().rstrip("=") + '"'


def _forbidden() -> Response:
    return api_error(403, "Not Authorized to access this resource/api", "forbidden")


def _not_found(message: str) -> Response:
    return api_error(404, message, "notFound")


def _insufficient_scopes() -> Response:
    return api_error(403, "Request had insufficient authentication scopes.", "insufficientPermissions",
                     status="PERMISSION_DENIED", item_message="Insufficient Permission")


__all__ = ["MAX_RESULTS", "USERS_PATH", "authorize", "customer_id", "etag", "field_selection", "find_user",
           "forbidden", "google_time", "not_found", "parse_fields", "select", "user_resource", "users"]

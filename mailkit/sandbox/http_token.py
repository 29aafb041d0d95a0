"""Google's token-side endpoints: `/token` (authorization code, refresh token, service-account JWT
bearer), `/revoke`, `/v1/userinfo` and `/oauth2/v3/tokeninfo`, with Google's error words
(GMAIL_FACTS.md).
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any
from urllib.parse import unquote_plus

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.delegation import DelegationTable
from mailkit.sandbox.grants import TESTING_LIFETIME, AccessToken, Grant
from mailkit.sandbox.http_core import (
    GOOGLE_ISSUER,
    GOOGLE_TOKEN_URI,
    HttpContext,
    Request,
    Response,
    account_id,
    json_response,
    oauth_error,
    unauthenticated,
)
from mailkit.sandbox.http_keys import jwt_claims

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ID_TOKEN_LIFETIME = 3600
_EXPIRED = "Token has been expired or revoked."
_SHORT_LIVED = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.")
_UNAUTHORIZED_CLIENT = ("Client is unauthorized to retrieve access tokens using this method, or client not "
                        "authorized for any of the scopes requested.")


def token(ctx: HttpContext, req: Request) -> Response:
    """POST /token: the three grant types mailkit uses."""
    grant_type = req.get("grant_type")
    if grant_type == JWT_BEARER:
        return _jwt_bearer(ctx, req)
    if grant_type not in ("authorization_code", "refresh_token"):
        return oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    client_id, refused = _authenticate_client(ctx, req)
    if refused is not None:
        return refused
    if grant_type == "refresh_token":
        return _refresh(ctx, req, client_id)
    return _authorization_code(ctx, req, client_id)


def _authenticate_client(ctx: HttpContext, req: Request) -> tuple[str, Response | None]:
    """Client credentials from HTTP Basic or the body; Google's 401s for an unknown client or secret."""
    client_id, secret = req.get("client_id"), req.get("client_secret")
    scheme, _, value = req.header("Authorization").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "", oauth_error(400, "invalid_request", "Invalid Authorization header.")
        client_id, secret = user, password
    if not client_id:
        return "", oauth_error(400, "invalid_request", "Could not determine client ID from request.")
    client = ctx.client(client_id) or ctx.client(unquote_plus(client_id))
    if client is None:
        return "", oauth_error(401, "invalid_client", "The OAuth client was not found.")
    if not secret:
        return "", oauth_error(400, "invalid_request", "client_secret is missing.")
    if client.client_secret not in (secret, unquote_plus(secret)):
        return "", oauth_error(401, "invalid_client", "Unauthorized")
    return client.client_id, None


def _authorization_code(ctx: HttpContext, req: Request, client_id: str) -> Response:
    code, redirect_uri, verifier = req.get("code"), req.get("redirect_uri"), req.get("code_verifier")
    if not code:
        return oauth_error(400, "invalid_request", "Missing required parameter: code")
    if not redirect_uri:
        return oauth_error(400, "invalid_request", "Missing parameter: redirect_uri")
    if ctx.code_was_used(code):
        return oauth_error(400, "invalid_grant", "Bad Request")
    options = ctx.take_code(code)
    result = ctx.grants.redeem_code(code, client_id, redirect_uri, verifier)
    if result == "redirect_uri_mismatch":
        return oauth_error(400, "redirect_uri_mismatch", "Bad Request")
    if isinstance(result, str):
        missing = result == "Invalid code verifier." and not verifier
        return oauth_error(400, "invalid_grant", "Missing code verifier." if missing else result)
    send_refresh = options is not None and options.send_refresh_token
    if options is not None and options.email_unticked:
        ctx.hide_email(result)
    return _token_response(ctx, result, refresh_token=result.refresh_token if send_refresh else "",
                           nonce=options.nonce if options else "")


def _refresh(ctx: HttpContext, req: Request, client_id: str) -> Response:
    refresh_token = req.get("refresh_token")
    if not refresh_token:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    grant = ctx.grants.grant_for_refresh(refresh_token, client_id)
    if grant is None:
        return oauth_error(400, "invalid_grant", _EXPIRED)
    return _token_response(ctx, grant)


def _token_response(ctx: HttpContext, grant: Grant, *, refresh_token: str = "", nonce: str = "") -> Response:
    """Google's success JSON, keys in Google's order."""
    access = ctx.grants.issue_access_token(grant)
    body: dict[str, Any] = {"access_token": access.token, "expires_in": _expires_in(access)}
    if refresh_token:
        body["refresh_token"] = refresh_token
    body.update(scope=" ".join(grant.scopes), token_type="Bearer")
    if grant.testing and grant.refresh_token:  # as Google answers a client in Testing: the refresh token's life left
        body["refresh_token_expires_in"] = max(0, int(grant.created + TESTING_LIFETIME - time.time()))
    if "openid" in grant.scopes:
        body["id_token"] = id_token(ctx, grant, nonce)
    return json_response(body)


def id_token(ctx: HttpContext, grant: Grant, nonce: str = "") -> str:
    """An RS256 ID token with Google's claims, signed by the key published at /oauth2/v3/certs."""
    now = int(time.time())
    account = ctx.account(grant.email)
    claims: dict[str, Any] = {"iss": GOOGLE_ISSUER, "azp": grant.client_id, "aud": grant.client_id,
                              "sub": account_id(grant.email)}
    if account is not None and account.workspace:
        claims["hd"] = account.domain
    if ctx.shows_email(grant):
        claims.update(email=grant.email, email_verified=True)
    if nonce:
        claims["nonce"] = nonce
    if account is not None and account.display_name and {"profile"} & set(grant.scopes):
        claims["name"] = account.display_name
    claims.update(iat=now, exp=now + ID_TOKEN_LIFETIME)
    return ctx.id_key.sign_jwt(claims)


def _jwt_bearer(ctx: HttpContext, req: Request) -> Response:
    """Service account with domain-wide delegation: an RS256 assertion -> an access token for `sub`."""
    assertion = req.get("assertion")
    if not assertion:
        return oauth_error(400, "invalid_request", "Missing required parameter: assertion")
    sa = ctx.service_account
    try:
        claims = jwt_claims(assertion)
    except ValueError:
        return oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
    if claims.get("iss") != sa.email:
        return oauth_error(400, "invalid_grant", "Invalid grant: account not found")
    if not sa.key.verifies(assertion):
        return oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
    if claims.get("aud") not in (GOOGLE_TOKEN_URI, ctx.token_uri):
        return oauth_error(400, "invalid_grant",
                           f"Invalid JWT: Failed audience check. The right audience is {GOOGLE_TOKEN_URI}")
    if not _short_lived(claims):
        return oauth_error(400, "invalid_grant", _SHORT_LIVED)
    scopes = tuple(str(claims.get("scope", "")).split())
    if not scopes:
        return oauth_error(400, "invalid_scope", "Empty or missing scope not allowed.")
    subject = str(claims.get("sub") or sa.email)
    if subject != sa.email:
        account = ctx.account(subject)
        if account is None:
            return oauth_error(400, "invalid_grant", "Invalid email or User ID")
        if not _delegated(ctx, account, sa.client_id, scopes):
            return oauth_error(401, "unauthorized_client", _UNAUTHORIZED_CLIENT)
    access = ctx.grants.issue_access_token(Grant(subject.lower(), sa.client_id, scopes, refresh_token=""))
    return json_response({"access_token": access.token, "expires_in": _expires_in(access), "token_type": "Bearer"})


def _delegated(ctx: HttpContext, account: SandboxAccount, client_id: str, scopes: tuple[str, ...]) -> bool:
    """Whether the subject's Workspace domain delegated every requested scope to this client ID."""
    if not account.workspace:
        return False
    table = ctx.delegations if ctx.delegations is not None else DelegationTable(None, {account.domain})
    return table.allows(account.domain, client_id, ctx.service_account.client_id, scopes)


def _short_lived(claims: dict[str, Any]) -> bool:
    try:
        iat, exp = int(claims["iat"]), int(claims["exp"])
    except (KeyError, TypeError, ValueError):
        return False
    now = time.time()
    return iat - 300 <= now < exp and exp - iat <= 3600


def revoke(ctx: HttpContext, req: Request) -> Response:
    """POST /revoke: either token kind revokes the whole grant."""
    value = req.get("token")
    if not value:
        return oauth_error(400, "invalid_request", "Missing required parameter: token")
    if not ctx.grants.revoke_token(value):
        return oauth_error(400, "invalid_token", "Token expired or revoked")
    return json_response({})


def userinfo(ctx: HttpContext, req: Request) -> Response:
    """GET /v1/userinfo: who the access token belongs to; the email needs an identity scope."""
    bearer = req.bearer()
    access = ctx.grants.lookup_access_token(bearer) if bearer else None
    if access is None:
        return unauthenticated(bool(bearer))
    grant = access.grant
    body: dict[str, Any] = {"sub": account_id(grant.email)}
    if ctx.shows_email(grant):
        body.update(email=grant.email, email_verified=True)
    account = ctx.account(grant.email)
    if account is not None and account.workspace:
        body["hd"] = account.domain
    return json_response(body)


def tokeninfo(ctx: HttpContext, req: Request) -> Response:
    """GET /oauth2/v3/tokeninfo?access_token=...: the scopes and account behind an access token."""
    access = ctx.grants.lookup_access_token(req.get("access_token")) if req.get("access_token") else None
    if access is None:
        return oauth_error(400, "invalid_token", "Invalid Value")
    grant = access.grant
    body: dict[str, Any] = {"azp": grant.client_id, "aud": grant.client_id, "sub": account_id(grant.email),
                            "scope": " ".join(grant.scopes), "exp": str(int(access.expires)),
                            "expires_in": str(_expires_in(access))}
    if ctx.shows_email(grant):
        body.update(email=grant.email, email_verified="true")
    body["access_type"] = "offline" if grant.refresh_token else "online"
    return json_response(body)


def _expires_in(access: AccessToken) -> int:
    return max(0, int(access.expires - time.time()))


__all__ = ["ID_TOKEN_LIFETIME", "JWT_BEARER", "id_token", "revoke", "token", "tokeninfo", "userinfo"]

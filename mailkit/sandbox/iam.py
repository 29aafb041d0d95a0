"""Google Cloud IAM for keyless domain-wide delegation: the IAM API's `serviceAccounts.get` and the IAM
Credentials API's `signBlob` and `signJwt`, for the sandbox's one service account.

With keyless delegation no private key leaves Google: the admin's own identity (an OAuth token with the
cloud-platform scope) asks Google to sign the service account's JWT bearer assertion. Google allows it when the
caller holds Service Account Token Creator on the service account; in the sandbox that is an account with
`token_creator = true` in the accounts file. The assertion these endpoints sign is what the sandbox's `/token`
accepts as a service account's JWT bearer grant, so a client can be tested end to end offline.

Google's replies, and which parts are inferred rather than seen on the wire:
- 200 bodies follow the published REST references (ServiceAccount; SignBlobResponse `keyId`/`signedBlob`;
  SignJwtResponse `keyId`/`signedJwt`). The ServiceAccount `etag` is the constant Google commonly returns for
  service accounts; `displayName` is the sandbox's own.
- 401 (`CREDENTIALS_MISSING`), 403 "Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not
  exist)." (`IAM_PERMISSION_DENIED`) and 403 "Request had insufficient authentication scopes."
  (`ACCESS_TOKEN_SCOPE_INSUFFICIENT`) are Google's words and ErrorInfo details. For a bad or expired token the
  reason `ACCESS_TOKEN_TYPE_UNSUPPORTED` and the insufficient-scope `WWW-Authenticate` header are inferred.
- The IAM API (iam.googleapis.com) still adds the older `errors` list beside `status`; IAM Credentials does not.
  An unknown service account is 404 "Unknown service account" for `get` (as gcloud prints it) and the 403 above
  for signing (Google does not say whether it exists).
- 400s: "Invalid JSON payload received. ..." and "Invalid value at 'payload' (TYPE_BYTES), ..." with
  google.rpc.BadRequest details are Google's JSON-transcoding words; a body that is JSON but not an object, an
  empty payload, signJwt claims that are not a JSON object or an `exp` past or over 12 hours ahead giving 400
  "Request contains an invalid argument." are inferred. So is the order of checks: token, scope, body, then
  the IAM permission.
- `delegates` (a chain of other service accounts) is refused with the 403 above: the sandbox has no others.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from mailkit.endpoints import SANDBOX_PATHS
from mailkit.oauth.scopes import CLOUD_PLATFORM_SCOPE
from mailkit.sandbox.grants import AccessToken
from mailkit.sandbox.http_core import HttpContext, Request, Response, json_response, unauthenticated_words

IAM_PATH = SANDBOX_PATHS["iam_uri"]
CREDENTIALS_PATH = SANDBOX_PATHS["iamcredentials_uri"]
#: The older IAM scope; both APIs accept it as well as cloud-platform.
IAM_SCOPE = "https://www.googleapis.com/auth/iam"
SIGNING_SCOPES = frozenset({CLOUD_PLATFORM_SCOPE, IAM_SCOPE})
#: signJwt refuses claims whose `exp` is more than 12 hours ahead (the IAM Credentials reference).
SIGN_JWT_MAX_AHEAD = 12 * 3600
SERVICE_ACCOUNT_ETAG = "MDEwMjE5MjA="
SERVICE_ACCOUNT_NAME = "mailkit sandbox: domain-wide delegation"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_INVALID = "Request contains an invalid argument."
_RESOURCE = re.compile(r"projects/(?P<project>[^/]+)/serviceAccounts/(?P<account>[^/:]+)(?::(?P<rpc>[A-Za-z]+))?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True)
class _Rpc:
    """One API method: the service and method names Google puts in ErrorInfo, the IAM permission it needs."""

    service: str
    method: str
    permission: str
    legacy_errors: bool  # iam.googleapis.com still adds the older `errors` list


_GET = _Rpc("iam.googleapis.com", "google.iam.admin.v1.IAM.GetServiceAccount", "iam.serviceAccounts.get", True)
_SIGNERS = {
    "signBlob": _Rpc("iamcredentials.googleapis.com", "google.iam.credentials.v1.IAMCredentials.SignBlob",
                     "iam.serviceAccounts.signBlob", False),
    "signJwt": _Rpc("iamcredentials.googleapis.com", "google.iam.credentials.v1.IAMCredentials.SignJwt",
                    "iam.serviceAccounts.signJwt", False),
}


@dataclass(frozen=True)
class _Target:
    project: str
    account: str
    rpc: str


def route(ctx: HttpContext, req: Request) -> Response | None:
    """The reply to an IAM or IAM Credentials call; None when the path is neither (the caller's 404)."""
    path = req.path.rstrip("/")
    if req.method == "GET" and path.startswith(IAM_PATH + "/"):
        target = _target(path[len(IAM_PATH) + 1:])
        return get_service_account(ctx, req, target) if target is not None and not target.rpc else None
    if req.method == "POST" and path.startswith(CREDENTIALS_PATH + "/"):
        target = _target(path[len(CREDENTIALS_PATH) + 1:])
        return sign(ctx, req, target) if target is not None and target.rpc in _SIGNERS else None
    return None


def _target(tail: str) -> _Target | None:
    """`projects/P/serviceAccounts/EMAIL[:rpc]`, the email possibly percent-encoded (clients differ)."""
    found = _RESOURCE.fullmatch(unquote(tail))
    if found is None:
        return None
    return _Target(found["project"], found["account"], found["rpc"] or "")


def project_id(ctx: HttpContext) -> str:
    """The project of the sandbox's service account, as its service_account.json names it."""
    return ctx.service_account.info(ctx.base_url)["project_id"]


def _is_ours(ctx: HttpContext, target: _Target) -> bool:
    """Whether the resource names the sandbox's service account (by email or unique ID) in its project or `-`."""
    sa = ctx.service_account
    return target.project in ("-", project_id(ctx)) and target.account.lower() in (sa.email.lower(), sa.client_id)


def get_service_account(ctx: HttpContext, req: Request, target: _Target) -> Response:
    """GET .../serviceAccounts/{email}: the service account, for a caller who may act as it."""
    access, refused = _authorize(ctx, req, _GET)
    if refused is not None:
        return refused
    if not _is_ours(ctx, target):
        return _error(_GET, 404, "NOT_FOUND", "Unknown service account", "notFound")
    if not _token_creator(ctx, access):
        return _denied(_GET)
    sa, project = ctx.service_account, project_id(ctx)
    return json_response({"name": f"projects/{project}/serviceAccounts/{sa.email}", "projectId": project,
                          "uniqueId": sa.client_id, "email": sa.email, "displayName": SERVICE_ACCOUNT_NAME,
                          "etag": SERVICE_ACCOUNT_ETAG, "oauth2ClientId": sa.client_id})


def sign(ctx: HttpContext, req: Request, target: _Target) -> Response:
    """POST ...:signBlob / ...:signJwt: the service account's RS256 signature, made by Google for the caller."""
    rpc = _SIGNERS[target.rpc]
    access, refused = _authorize(ctx, req, rpc)
    if refused is not None:
        return refused
    body, refused = _json_object(req, rpc)
    if refused is not None:
        return refused
    payload, refused = _payload(body, rpc, binary=target.rpc == "signBlob")
    if refused is not None:
        return refused
    delegates = body.get("delegates", [])
    if not isinstance(delegates, list) or not all(isinstance(d, str) for d in delegates):
        return _invalid_value(rpc, "delegates", "TYPE_STRING", delegates)
    if not _is_ours(ctx, target) or not _token_creator(ctx, access) or delegates:
        return _denied(rpc)
    key = ctx.service_account.key
    if target.rpc == "signBlob":
        if not payload:
            return _error(rpc, 400, "INVALID_ARGUMENT", _INVALID)
        return json_response({"keyId": key.kid, "signedBlob": base64.b64encode(key.sign(payload)).decode("ascii")})
    problem = _claims_problem(payload)
    if problem:
        return _error(rpc, 400, "INVALID_ARGUMENT", _INVALID,
                      details=[{"@type": _BAD_REQUEST, "fieldViolations": [{"field": "payload",
                                                                             "description": problem}]}])
    return json_response({"keyId": key.kid, "signedJwt": key.sign_jwt_payload(payload)})


def _authorize(ctx: HttpContext, req: Request, rpc: _Rpc) -> tuple[AccessToken | None, Response | None]:
    """The caller's access token, or Google's 401 (none, bad, expired) or 403 (no cloud-platform scope)."""
    bearer = req.bearer()
    access = ctx.grants.lookup_access_token(bearer) if bearer else None
    if access is None:
        words, challenge = unauthenticated_words(bool(bearer))  # Google's, in this API's shape
        reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED" if bearer else "CREDENTIALS_MISSING"
        legacy = "authError" if bearer else "required"
        return None, _error(rpc, 401, "UNAUTHENTICATED", words, legacy, details=[_info(rpc, reason)],
                            headers={"WWW-Authenticate": challenge})
    if not SIGNING_SCOPES & set(access.grant.scopes):
        challenge = ('Bearer realm="https://accounts.google.com/", error="insufficient_scope", '
                     f'scope="{IAM_SCOPE} {CLOUD_PLATFORM_SCOPE}"')
        return access, _error(rpc, 403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                              "insufficientPermissions", details=[_info(rpc, "ACCESS_TOKEN_SCOPE_INSUFFICIENT")],
                              headers={"WWW-Authenticate": challenge})
    return access, None


def _token_creator(ctx: HttpContext, access: AccessToken | None) -> bool:
    """Whether the token's account holds Service Account Token Creator on the sandbox's service account."""
    account = ctx.account(access.grant.email) if access is not None else None
    return account is not None and account.token_creator


def _json_object(req: Request, rpc: _Rpc) -> tuple[dict[str, Any], Response | None]:
    """The request body as a JSON object with known fields only (an empty body is `{}`), or Google's 400."""
    try:
        body = json.loads(req.body.decode("utf-8")) if req.body.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, _bad_json(rpc, "Invalid JSON payload received. Unexpected token.")
    if not isinstance(body, dict):
        return {}, _bad_json(rpc, "Invalid JSON payload received. Unexpected token.")
    unknown = sorted(set(body) - {"payload", "delegates"})
    if unknown:
        return {}, _bad_json(rpc, f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.')
    return body, None


def _payload(body: dict[str, Any], rpc: _Rpc, *, binary: bool) -> tuple[bytes, Response | None]:
    """signBlob's `payload` is protobuf bytes (base64, standard or URL-safe, padding optional); signJwt's text."""
    value = body.get("payload", "")
    if not binary:
        if not isinstance(value, str):
            return b"", _invalid_value(rpc, "payload", "TYPE_STRING", value)
        return value.encode("utf-8", errors="surrogatepass"), None
    if not isinstance(value, str):
        return b"", _invalid_value(rpc, "payload", "TYPE_BYTES", value)
    text = value.strip().replace("-", "+").replace("_", "/")
    if not _BASE64.fullmatch(text) or len(text.rstrip("=")) % 4 == 1:
        return b"", _invalid_value(rpc, "payload", "TYPE_BYTES", value)
    try:
        return base64.b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4), validate=True), None
    except (binascii.Error, ValueError):
        return b"", _invalid_value(rpc, "payload", "TYPE_BYTES", value)


def _claims_problem(payload: bytes) -> str:
    """Why signJwt refuses these claims ("" when it signs them): a JSON object, `exp` not past, <= 12 h ahead."""
    try:
        claims = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "The payload must be a JSON object (the JWT claims set)."
    if not isinstance(claims, dict):
        return "The payload must be a JSON object (the JWT claims set)."
    if "exp" in claims:
        exp, now = claims["exp"], time.time()
        if not isinstance(exp, int) or isinstance(exp, bool):
            return "The exp claim must be an integer timestamp."
        if exp < now or exp > now + SIGN_JWT_MAX_AHEAD:
            return "The exp claim must not be in the past nor more than 12 hours in the future."
    return ""


def _info(rpc: _Rpc, reason: str) -> dict[str, Any]:
    return {"@type": _ERROR_INFO, "reason": reason, "domain": "googleapis.com",
            "metadata": {"service": rpc.service, "method": rpc.method}}


def _denied(rpc: _Rpc) -> Response:
    """403 for a caller without the role, and for a service account that is not there (Google does not say)."""
    message = f"Permission '{rpc.permission}' denied on resource (or it may not exist)."
    return _error(rpc, 403, "PERMISSION_DENIED", message, "forbidden",
                  details=[{"@type": _ERROR_INFO, "reason": "IAM_PERMISSION_DENIED", "domain": "iam.googleapis.com",
                            "metadata": {"permission": rpc.permission}}])


def _bad_json(rpc: _Rpc, description: str) -> Response:
    return _error(rpc, 400, "INVALID_ARGUMENT", description, "badRequest",
                  details=[{"@type": _BAD_REQUEST, "fieldViolations": [{"description": description}]}])


def _invalid_value(rpc: _Rpc, field: str, kind: str, value: object) -> Response:
    description = f"Invalid value at '{field}' ({kind}), {json.dumps(value)}"
    return _error(rpc, 400, "INVALID_ARGUMENT", description, "badRequest",
                  details=[{"@type": _BAD_REQUEST, "fieldViolations": [{"field": field,
                                                                         "description": description}]}])


def _error(rpc: _Rpc, code: int, status: str, message: str, legacy_reason: str = "", *,
           details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> Response:
    """googleapis.com's error: code, message, (the IAM API's `errors`), status, details."""
    error: dict[str, Any] = {"code": code, "message": message}
    if rpc.legacy_errors:
        error["errors"] = [{"message": message, "domain": "global", "reason": legacy_reason or "badRequest"}]
    error["status"] = status
    if details:
        error["details"] = details
    return json_response({"error": error}, code, headers)


__all__ = ["CREDENTIALS_PATH", "IAM_PATH", "IAM_SCOPE", "SIGNING_SCOPES", "get_service_account", "project_id",
           "route", "sign"]

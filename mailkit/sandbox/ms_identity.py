"""Microsoft's identity platform for the sandbox: `/{tenant}/oauth2/v2.0/authorize|token|devicecode`, the
OpenID discovery document msal reads first, and the device-code page (`/devicelogin`), served by the
sandbox's HTTPS side next to Google's endpoints.

It reuses the sandbox's grant registry (codes with PKCE, refresh and access tokens), so the Outlook
SMTP/IMAP personality checks the same tokens Google's servers do. Errors carry Microsoft's
`AADSTS` numbers and words. A device-code sign-in is approved on `/devicelogin` (by a person, or by
the consent robot in tests); polls before that answer `authorization_pending`.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.grants import Grant
from mailkit.sandbox.http_consent import _with_query, is_loopback_redirect
from mailkit.sandbox.http_core import (
    APP_NAME,
    CodeOptions,
    HttpContext,
    Request,
    Response,
    html_response,
    json_response,
    redirect,
)
from mailkit.sandbox.ms_pages import ms_chooser_page, ms_consent_page, ms_device_page, ms_message_page

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_REDIRECT = "urn:ietf:wg:oauth:2.0:device"
DEVICE_LIFETIME = 900
#: Scopes that only shape the sign-in (who, refresh token); the token's `scope` names the resource's ones.
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
_FLOW_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                "code_challenge_method", "nonce", "login_hint", "prompt", "client_info", "response_mode")


@dataclass
class DeviceSignIn:
    """One device-code sign-in: pending until approved (then it holds a code) or declined."""

    device_code: str
    user_code: str
    client_id: str
    scopes: tuple[str, ...]
    expires: float
    state: str = "pending"  # pending, approved, declined, redeemed
    code: str = ""


@dataclass
class MicrosoftIdentity:
    """The sandbox's Entra tenant and app registration, and its device-code sign-ins in progress."""

    client_id: str
    tenant_id: str
    domains: frozenset[str] = frozenset()
    device_interval: int = 1
    _devices: dict[str, DeviceSignIn] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def knows_tenant(self, tenant: str) -> bool:
        return tenant.lower() in {"common", "organizations", self.tenant_id, *self.domains}

    def start_device(self, client_id: str, scopes: tuple[str, ...]) -> DeviceSignIn:
        alphabet = string.ascii_uppercase + string.digits
        sign_in = DeviceSignIn("DAQABAAEAAA" + secrets.token_urlsafe(48), "".join(secrets.choice(alphabet)
                               for _ in range(9)), client_id, scopes, time.time() + DEVICE_LIFETIME)
        with self._lock:
            self._devices[sign_in.device_code] = sign_in
        return sign_in

    def device(self, *, device_code: str = "", user_code: str = "") -> DeviceSignIn | None:
        with self._lock:
            if device_code:
                return self._devices.get(device_code)
            wanted = user_code.strip().upper()
            return next((d for d in self._devices.values() if d.user_code == wanted and d.state == "pending"
                         and d.expires > time.time()), None)


#: Microsoft's pages a person opens in a browser (tenant-relative paths, plus /devicelogin).
BROWSER_PAGES = frozenset({("GET", "oauth2/v2.0/authorize"), ("POST", "oauth2/v2.0/consent")})


def is_page(method: str, path: str) -> bool:
    """Whether a request is for one of Microsoft's browser pages (the sandbox serves those over plain HTTP too)."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["devicelogin"]:
        return True
    return len(parts) >= 3 and (method, "/".join(parts[1:])) in BROWSER_PAGES


def route(ctx: HttpContext, req: Request) -> Response | None:
    """The Microsoft endpoint's response, or None when the path is not one of Microsoft's."""
    identity: MicrosoftIdentity | None = getattr(ctx, "microsoft", None)
    if identity is None:
        return None
    parts = [p for p in req.path.split("/") if p]
    if parts[:1] == ["devicelogin"]:
        return _device_login(ctx, identity, req, parts[1:])
    if len(parts) < 3:
        return None
    tenant, rest = parts[0], parts[1:]
    endpoint = {("GET", "v2.0/.well-known/openid-configuration"): _discovery,
                ("GET", "discovery/v2.0/keys"): lambda c, i, r, t: json_response({"keys": [c.id_key.jwk()]}),
                ("GET", "oauth2/v2.0/authorize"): _authorize,
                ("POST", "oauth2/v2.0/consent"): _consent,
                ("POST", "oauth2/v2.0/token"): _token,
                ("POST", "oauth2/v2.0/devicecode"): _devicecode}.get((req.method, "/".join(rest)))
    if endpoint is None:
        return None
    if not identity.knows_tenant(tenant):
        return _error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found. Check to make sure you have the "
                      "correct tenant ID and are signing into the correct cloud.")
    return endpoint(ctx, identity, req, tenant)


def _discovery(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, tenant: str) -> Response:
    """What msal reads before anything else: where authorize, token and devicecode are."""
    base = f"{ctx.base_url}/{tenant}"
    pages = f"{ctx.pages_url or ctx.base_url}/{tenant}"  # the browser opens the page that needs no CA
    issuer_tenant = identity.tenant_id if tenant not in ("common", "organizations") else "{tenantid}"
    return json_response({
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys", "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"], "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": ISSUER.format(tenant=issuer_tenant), "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{pages}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout", "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com", "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com"})


# --- authorization code (browser) -----------------------------------------------------------------

def _authorize(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, tenant: str) -> Response:
    params = {name: req.get(name) for name in _FLOW_PARAMS}
    refused = _check_request(identity, params)
    if refused is not None:
        return refused
    account = _chosen(ctx, params, req.get("authuser"))
    path = f"/{tenant}/oauth2/v2.0/authorize"
    if account is None:
        hidden = {k: v for k, v in params.items() if k != "login_hint"}
        return html_response(ms_chooser_page(_mailboxes(ctx), hidden, path))
    return _consent_page(account, params, f"/{tenant}/oauth2/v2.0/consent", path)


def _consent(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, tenant: str) -> Response:
    params = {name: req.get(name) for name in _FLOW_PARAMS}
    params["scope"] = req.get("requested_scope")
    refused = _check_request(identity, params)
    if refused is not None:
        return refused
    account = _mailbox(ctx, req.get("authuser"))
    if account is None:
        return _page_error(400, 90014, "The required field 'authuser' is missing from the credential.")
    if req.get("action") != "allow":
        return redirect(_with_query(params["redirect_uri"], error="access_denied", error_subcode="cancel",
                                    error_description="AADSTS65004: User declined to consent to access the app.",
                                    state=params["state"]))
    granted = _ticked(params["scope"], req.form.get("scope", []))
    code = ctx.grants.issue_code(account.email, params["client_id"], granted, params["redirect_uri"],
                                 params["code_challenge"], params["code_challenge_method"])
    ctx.remember_code(code, CodeOptions(send_refresh_token="offline_access" in granted, nonce=params["nonce"]))
    return redirect(_with_query(params["redirect_uri"], code=code, state=params["state"],
                                session_state=str(uuid.uuid4())))


def _check_request(identity: MicrosoftIdentity, params: dict[str, str]) -> Response | None:
    """The error page for a request Microsoft would refuse (client, redirect URI, response type), or None."""
    client_id, redirect_uri = params["client_id"], params["redirect_uri"]
    if client_id != identity.client_id:
        return _page_error(400, 700016, f"Application with identifier '{client_id}' was not found in the directory "
                           f"'{identity.tenant_id}'. This can happen if the application has not been installed by the "
                           "administrator of the tenant or consented to by any user in the tenant.")
    if not is_loopback_redirect(redirect_uri):
        return _page_error(400, 50011, f"The redirect URI '{redirect_uri}' specified in the request does not match "
                           f"the redirect URIs configured for the application '{client_id}'.")
    if params["response_type"] != "code":
        return _page_error(400, 900144, "The request body must contain the following parameter: 'response_type'.")
    if params["code_challenge_method"] and params["code_challenge_method"] not in ("S256", "plain"):
        return _page_error(400, 50148, "The code_challenge_method is not supported.")
    return None


def _chosen(ctx: HttpContext, params: dict[str, str], authuser: str) -> SandboxAccount | None:
    if authuser and _mailbox(ctx, authuser) is not None:
        return _mailbox(ctx, authuser)
    if "select_account" in params["prompt"].split():
        return None
    return _mailbox(ctx, params["login_hint"]) if params["login_hint"] else None


def _consent_page(account: SandboxAccount, params: dict[str, str], action: str, switch_path: str) -> Response:
    hidden = {k: v for k, v in params.items() if k not in ("scope", "login_hint")}
    hidden.update(requested_scope=params["scope"], authuser=account.email)
    switch = {k: v for k, v in params.items() if k != "login_hint" and v}
    scopes = list(dict.fromkeys(params["scope"].split()))
    return html_response(ms_consent_page(account, scopes, hidden, action, f"{switch_path}?{urlencode(switch)}"))


def _ticked(requested: str, ticked: list[str]) -> tuple[str, ...]:
    return tuple(s for s in dict.fromkeys(requested.split()) if s in set(ticked))


def _mailbox(ctx: HttpContext, email: str) -> SandboxAccount | None:
    account = ctx.account(email)
    return account if account is not None and account.microsoft else None


def _mailboxes(ctx: HttpContext) -> list[SandboxAccount]:
    return [a for a in ctx.accounts.values() if a.microsoft]


# --- device code ----------------------------------------------------------------------------------

def _devicecode(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, tenant: str) -> Response:
    client_id = req.get("client_id")
    if client_id != identity.client_id:
        return _error(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was not "
                      f"found in the directory '{identity.tenant_id}'.")
    scopes = tuple(req.get("scope").split())
    if not scopes:
        return _error(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                      "'scope'.")
    sign_in = identity.start_device(client_id, scopes)
    uri = f"{ctx.pages_url or ctx.base_url}/devicelogin"
    return json_response({
        "user_code": sign_in.user_code, "device_code": sign_in.device_code, "verification_uri": uri,
        "expires_in": DEVICE_LIFETIME, "interval": identity.device_interval,
        "message": f"To sign in, use a web browser to open the page {uri} and enter the code {sign_in.user_code} "
                   "to authenticate."})


def _device_login(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, rest: list[str]) -> Response:
    """`/devicelogin`: enter the code, pick the mailbox, consent; `/devicelogin/approve` takes the form."""
    if rest == ["done"]:
        return html_response(ms_message_page(APP_NAME, f"You have signed in to the {APP_NAME} application on your "
                                              "device. You may now close this window."))
    otc = req.get("otc") or req.get("user_code")
    if not otc:
        return html_response(ms_device_page())
    sign_in = identity.device(user_code=otc)
    if sign_in is None:
        return html_response(ms_device_page("That code didn't work. Check the code and try again."), 400)
    params = {"scope": " ".join(sign_in.scopes), "login_hint": req.get("login_hint"), "prompt": "",
              "otc": sign_in.user_code}
    if rest == ["approve"] and req.method == "POST":
        return _device_decision(ctx, sign_in, req)
    account = _chosen(ctx, params, req.get("authuser"))
    if account is None:
        return html_response(ms_chooser_page(_mailboxes(ctx), {"otc": sign_in.user_code}, "/devicelogin"))
    return _consent_page(account, params, "/devicelogin/approve", "/devicelogin")


def _device_decision(ctx: HttpContext, sign_in: DeviceSignIn, req: Request) -> Response:
    account = _mailbox(ctx, req.get("authuser"))
    if account is None:
        return html_response(ms_message_page("Sign in", "Pick an account first."), 400)
    if req.get("action") != "allow":
        sign_in.state = "declined"
        return redirect("/devicelogin/done")
    granted = _ticked(" ".join(sign_in.scopes), req.form.get("scope", []))
    sign_in.code = ctx.grants.issue_code(account.email, sign_in.client_id, granted, DEVICE_REDIRECT)
    ctx.remember_code(sign_in.code, CodeOptions(send_refresh_token="offline_access" in granted))
    sign_in.state = "approved"
    return redirect("/devicelogin/done")


# --- token ----------------------------------------------------------------------------------------

def _token(ctx: HttpContext, identity: MicrosoftIdentity, req: Request, tenant: str) -> Response:
    grant_type, client_id = req.get("grant_type"), req.get("client_id")
    if client_id != identity.client_id:
        return _error(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was not "
                      f"found in the directory '{identity.tenant_id}'.")
    if grant_type == "authorization_code":
        return _redeem(ctx, identity, req.get("code"), req.get("redirect_uri"), req.get("code_verifier"))
    if grant_type == "refresh_token":
        grant = ctx.grants.grant_for_refresh(req.get("refresh_token"), client_id)
        if grant is None:
            return _error(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a "
                          "fresh auth token is needed. The user might have changed or reset their password.")
        return _token_response(ctx, identity, grant, refresh=True)
    if grant_type == DEVICE_GRANT:
        return _device_token(ctx, identity, req.get("device_code"))
    return _error(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type "
                  f"'{grant_type}'.")


def _device_token(ctx: HttpContext, identity: MicrosoftIdentity, device_code: str) -> Response:
    sign_in = identity.device(device_code=device_code)
    if sign_in is None or sign_in.state == "redeemed":
        return _error(400, "invalid_grant", 70000, "The provided value for the 'device_code' is not valid.")
    if sign_in.expires < time.time():
        return _error(400, "expired_token", 70019, "Verification code expired.")
    if sign_in.state == "declined":
        return _error(400, "authorization_declined", 70000, "The user denied the authorization request.")
    if sign_in.state == "pending":
        return _error(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. "
                      "Continue polling.")
    sign_in.state = "redeemed"
    return _redeem(ctx, identity, sign_in.code, DEVICE_REDIRECT, "")


def _redeem(ctx: HttpContext, identity: MicrosoftIdentity, code: str, redirect_uri: str, verifier: str) -> Response:
    if not code:
        return _error(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                      "'code'.")
    if ctx.code_was_used(code):
        return _error(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry "
                      "with a new valid code or use an existing refresh token.")
    options = ctx.take_code(code)
    result = ctx.grants.redeem_code(code, identity.client_id, redirect_uri, verifier)
    if result == "Invalid code verifier.":
        return _error(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied "
                      "in the authorization request.")
    if result == "redirect_uri_mismatch":
        return _error(400, "invalid_grant", 70000, "The provided value for the input parameter 'redirect_uri' is "
                      "not valid. The expected value is a URI which matches a redirect URI registered for this "
                      "client application.")
    if isinstance(result, str):
        return _error(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired "
                      "due to inactivity. Send a new interactive authorization request for this user and resource.")
    return _token_response(ctx, identity, result, refresh=options is not None and options.send_refresh_token,
                           nonce=options.nonce if options else "")


def _token_response(ctx: HttpContext, identity: MicrosoftIdentity, grant: Grant, *, refresh: bool,
                    nonce: str = "") -> Response:
    """Microsoft's success JSON: the resource's scopes, the tokens, an ID token and msal's client_info."""
    access = ctx.grants.issue_access_token(grant)
    lifetime = max(0, int(access.expires - time.time()))
    body: dict[str, Any] = {"token_type": "Bearer", "scope": " ".join(s for s in grant.scopes if s not in OIDC_SCOPES),
                            "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access.token}
    if refresh and grant.refresh_token:
        body["refresh_token"] = grant.refresh_token
    oid = str(uuid.uuid5(uuid.NAMESPACE_URL, "mailkit-sandbox:" + grant.email))
    if "openid" in grant.scopes:
        body["id_token"] = _id_token(ctx, identity, grant, oid, nonce)
    body["client_info"] = _b64(json.dumps({"uid": oid, "utid": identity.tenant_id}).encode())
    return json_response(body)


def _id_token(ctx: HttpContext, identity: MicrosoftIdentity, grant: Grant, oid: str, nonce: str) -> str:
    now = int(time.time())
    account = ctx.account(grant.email)
    claims: dict[str, Any] = {"aud": grant.client_id, "iss": ISSUER.format(tenant=identity.tenant_id), "iat": now,
                              "nbf": now, "exp": now + 3600, "oid": oid, "sub": _b64(oid.encode())[:43],
                              "tid": identity.tenant_id, "ver": "2.0"}
    if "profile" in grant.scopes:
        claims["name"] = account.display_name if account is not None and account.display_name else grant.email
        claims["preferred_username"] = grant.email
    if "email" in grant.scopes:
        claims["email"] = grant.email
    if nonce:
        claims["nonce"] = nonce
    return ctx.id_key.sign_jwt(claims)


# --- errors ---------------------------------------------------------------------------------------

def _error(status: int, error: str, code: int, text: str) -> Response:
    """The token endpoint's error JSON, with the AADSTS number in front of the words, as Microsoft sends it."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    return json_response({"error": error, "error_description": f"AADSTS{code}: {text} Trace ID: {trace} "
                          f"Correlation ID: {correlation} Timestamp: {stamp}", "error_codes": [code],
                          "timestamp": stamp, "trace_id": trace, "correlation_id": correlation}, status)


def _page_error(status: int, code: int, text: str) -> Response:
    return html_response(ms_message_page("Sorry, but we're having trouble signing you in.", text,
                                         f"AADSTS{code}"), status)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


__all__ = ["DEVICE_GRANT", "DEVICE_REDIRECT", "DeviceSignIn", "MicrosoftIdentity", "route"]

"""The browser half of Google's OAuth flow: `GET /o/oauth2/auth` (account chooser or consent page)
and `POST /o/oauth2/approve` (the consent form), ending in a 302 to the loopback redirect URI.

Requests are checked in Google's order: client, redirect URI, then the other parameters; the
first two fail on an error page (there is nowhere safe to redirect), as Google does.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mailkit.oauth.scopes import API_SCOPE_PREFIX, MAIL_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.http_core import (
    APP_NAME,
    EMAIL_SCOPES,
    CodeOptions,
    HttpContext,
    Request,
    Response,
    html_response,
    redirect,
)
from mailkit.sandbox.http_pages import chooser_page, consent_page, error_page

AUTH_PATH = "/o/oauth2/auth"
#: Request parameters carried through the chooser and the consent form.
FLOW_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
               "code_challenge_method", "access_type", "prompt", "login_hint", "include_granted_scopes",
               "nonce", "hd")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_OOB = {"urn:ietf:wg:oauth:2.0:oob", "urn:ietf:wg:oauth:2.0:oob:auto", "oob"}
_BASIC_SCOPES = {"openid", "email", "profile"}


def authorize(ctx: HttpContext, req: Request) -> Response:
    """GET /o/oauth2/auth: check the request, then the chooser or the consent page."""
    params = {name: req.get(name) for name in FLOW_PARAMS}
    refused = check_flow(ctx, params)
    if refused is not None:
        return refused
    account = _chosen_account(ctx, params, req.get("authuser"))
    if account is None:
        hidden = {k: v for k, v in params.items() if k != "login_hint"}
        return html_response(chooser_page([a for a in ctx.accounts.values() if not a.microsoft], hidden))
    return _refused(ctx, params, account) or _consent(params, account)


def approve(ctx: HttpContext, req: Request) -> Response:
    """POST /o/oauth2/approve: Continue issues a code for the ticked scopes; Cancel is access_denied."""
    params = {name: req.get(name) for name in FLOW_PARAMS}
    params["scope"] = req.get("requested_scope")
    refused = check_flow(ctx, params)
    if refused is not None:
        return refused
    account = ctx.account(req.get("authuser"))
    if account is None:
        return _page(400, "invalid_request", "Missing or unknown account: authuser", params)
    if not account.oauth:
        return _blocked(account, params)
    refused = _refused(ctx, params, account)
    if refused is not None:
        return refused
    action = req.get("action")
    ticked = set(req.form.get("scope", []))
    granted = tuple(s for s in params["scope"].split() if s in ticked)
    if action == "deny" or (action == "allow" and not granted):
        return redirect(_with_query(params["redirect_uri"], error="access_denied", state=params["state"]))
    if action != "allow":
        return _page(400, "invalid_request", "Invalid consent form: action", params)
    return redirect(_issue_code(ctx, params, account, granted))


def _issue_code(ctx: HttpContext, params: dict[str, str], account: SandboxAccount,
                granted: tuple[str, ...]) -> str:
    """The redirect URL carrying a fresh code. Google sends a new refresh token only on first
    consent or with prompt=consent, so the exchange learns which applies here."""
    first_consent = not ctx.grants.has_live_grant(account.email, params["client_id"])
    offline = params["access_type"] == "offline" and ("consent" in params["prompt"].split() or first_consent)
    client = ctx.client(params["client_id"])
    code = ctx.grants.issue_code(account.email, params["client_id"], granted, params["redirect_uri"],
                                 params["code_challenge"], params["code_challenge_method"],
                                 testing=client is not None and client.testing)
    asked_email = bool(EMAIL_SCOPES & set(params["scope"].split()))
    unticked = asked_email and not EMAIL_SCOPES & set(granted)
    ctx.remember_code(code, CodeOptions(send_refresh_token=offline, nonce=params["nonce"], email_unticked=unticked))
    return _with_query(params["redirect_uri"], state=params["state"], code=code, scope=" ".join(granted),
                       authuser="0", prompt="consent")


def check_flow(ctx: HttpContext, params: dict[str, str]) -> Response | None:
    """The error page for a request Google would refuse, or None."""
    client_id, redirect_uri = params["client_id"], params["redirect_uri"]
    if not client_id:
        return _page(400, "invalid_request", "Missing required parameter: client_id", params)
    if ctx.client(client_id) is None:
        return html_response(error_page("Access blocked: Authorization Error", "The OAuth client was not found.",
                                        "Error 401: invalid_client", {"client_id": client_id}), 401)
    if not redirect_uri:
        return _page(400, "invalid_request", "Missing required parameter: redirect_uri", params)
    if redirect_uri in _OOB:
        return _page(400, "invalid_request", "The out-of-band (OOB) flow has been blocked in order to keep "
                     "users secure. Use a loopback redirect URI such as http://127.0.0.1:<port>/.", params)
    if not is_loopback_redirect(redirect_uri):
        return _page(400, "redirect_uri_mismatch", "You can't sign in to this app because it doesn't comply with "
                     "Google's OAuth 2.0 policy. Desktop apps must redirect to http://127.0.0.1:<port>/ or "
                     "http://localhost:<port>/.", params)
    return _check_parameters(params)


def _check_parameters(params: dict[str, str]) -> Response | None:
    if params["response_type"] != "code":
        return _page(400, "unsupported_response_type",
                     f"Unsupported response_type: {params['response_type'] or '(none)'}", params)
    scopes = params["scope"].split()
    if not scopes:
        return _page(400, "invalid_request", "Missing required parameter: scope", params)
    invalid = [s for s in scopes if s not in _BASIC_SCOPES and not s.startswith((API_SCOPE_PREFIX, MAIL_SCOPE))]
    if invalid:
        valid = [s for s in scopes if s not in invalid]
        return _page(400, "invalid_scope", f"Some requested scopes were invalid. {{valid=[{', '.join(valid)}], "
                     f"invalid=[{', '.join(invalid)}]}}", params)
    method, challenge = params["code_challenge_method"], params["code_challenge"]
    if method and method not in ("S256", "plain") or method and not challenge:
        return _page(400, "invalid_request", f"Invalid code_challenge_method: {method}", params)
    if challenge and not 43 <= len(challenge) <= 128:
        return _page(400, "invalid_request", "Invalid code_challenge.", params)
    if params["access_type"] not in ("", "online", "offline"):
        return _page(400, "invalid_request", f"Invalid access_type: {params['access_type']}", params)
    return None


def is_loopback_redirect(uri: str) -> bool:
    """`http://127.0.0.1[:port]/...` or `http://localhost[:port]/...`: what Desktop clients may use."""
    try:
        parts = urlsplit(uri)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK and not parts.fragment


def _chosen_account(ctx: HttpContext, params: dict[str, str], authuser: str) -> SandboxAccount | None:
    """The account picked in the chooser, else the login_hint's (unless prompt=select_account)."""
    google = {a.email.lower() for a in ctx.accounts.values() if not a.microsoft}  # Microsoft mailboxes sign in there
    if authuser.strip().lower() in google:
        return ctx.account(authuser)
    if "select_account" in params["prompt"].split():
        return None
    return ctx.account(params["login_hint"]) if params["login_hint"].strip().lower() in google else None


def _consent(params: dict[str, str], account: SandboxAccount) -> Response:
    if not account.oauth:
        return _blocked(account, params)
    hidden = {k: v for k, v in params.items() if k not in ("scope", "login_hint")}
    hidden.update(requested_scope=params["scope"], authuser=account.email)
    switch = {k: v for k, v in params.items() if k != "login_hint" and v}
    return html_response(consent_page(account, _unique(params["scope"].split()), hidden,
                                      f"{AUTH_PATH}?{urlencode(switch)}"))


def _refused(ctx: HttpContext, params: dict[str, str], account: SandboxAccount) -> Response | None:
    """Google's 403 page when the client's publishing status keeps this account out (GMAIL_FACTS.md)."""
    client = ctx.client(params["client_id"])
    error = client.refusal(account) if client is not None and account.oauth else None
    if client is None or error is None:
        return None
    if error == "org_internal":
        return html_response(error_page(
            f"Access blocked: {client.name} can only be used within its organization",
            "This client is restricted to users within its organization.", "Error 403: org_internal",
            _details(params)), 403)
    return html_response(error_page(
        f"Access blocked: {client.name} has not completed the Google verification process",
        f"{client.name} has not completed the Google verification process. The app is currently being tested, "
        "and can only be accessed by developer-approved testers. If you think you should have access, contact "
        "the developer.", "Error 403: access_denied", _details(params)), 403)


def _blocked(account: SandboxAccount, params: dict[str, str]) -> Response:
    message = (f"{account.email} can't use {APP_NAME}: the administrator of {account.domain} has not allowed "
               f"this app to access the account's data.") if account.workspace else (
               f"{account.email} is not allowed to give {APP_NAME} access to this account.")
    return html_response(error_page(f"Access blocked: {APP_NAME} can't be used with this account", message,
                                    "Error 400: admin_policy_enforced", _details(params)), 400)


def _page(status: int, error: str, message: str, params: dict[str, str]) -> Response:
    heading = "Access blocked: Authorization Error" if error != "redirect_uri_mismatch" else (
        "Access blocked: This app's request is invalid")
    return html_response(error_page(heading, message, f"Error {status}: {error}", _details(params)), status)


def _details(params: dict[str, str]) -> dict[str, str]:
    keys = ("redirect_uri", "response_type", "scope", "access_type", "prompt", "login_hint")
    return {k: params.get(k, "") for k in keys} | {"flowName": "GeneralOAuthFlow"}


def _with_query(uri: str, **values: str) -> str:
    """The URI with these query parameters added (empty ones left out)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in values.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


__all__ = ["AUTH_PATH", "FLOW_PARAMS", "approve", "authorize", "check_flow", "is_loopback_redirect"]

"""The sandbox's HTTPS side against real clients: requests scripted like a browser, google-auth,
google-auth-oauthlib. One server for the module, on a real socket with a trustme CA."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import ssl
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import google.auth.transport.requests as ga_requests
import pytest
import requests
import trustme
from google.auth import exceptions as ga_exceptions
from google.auth import jwt as ga_jwt
from google.oauth2 import id_token as ga_id_token
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow

import mailkit.oauth.flow  # noqa: F401  # masks the tokens requests-oauthlib logs at DEBUG, as in mailkit's own use
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.sandbox.accounts import SandboxAccount, load_accounts
from mailkit.sandbox.directory import parse_fields, select
from mailkit.sandbox.grants import GrantRegistry
from mailkit.sandbox.http import HttpSide
from mailkit.sandbox.runner import default_accounts_file

CLIENT_ID = "123456789012-sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-sandbox-client-secret"
REDIRECT = "http://127.0.0.1:8765/"
DIR_RO = "https://www.googleapis.com/auth/admin.directory.user.readonly"
ADMIN = "admin@ferreteria-delnorte.example"
FACTURACION = "facturacion@ferreteria-delnorte.example"
BLOCKED = "bloqueada@biuro-kowalski.example"
EXPIRED = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


@dataclass
class Sandbox:
    base: str
    side: HttpSide
    grants: GrantRegistry
    ca_pem: str
    state_dir: Path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    state = tmp_path_factory.mktemp("sandbox-http")
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_ctx)
    ca.cert_pem.write_to_path(str(state / "ca.pem"))
    accounts = load_accounts(default_accounts_file())
    accounts[BLOCKED] = SandboxAccount(email=BLOCKED, workspace=True, oauth=False)
    grants = GrantRegistry()
    side = HttpSide(accounts, grants, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, ssl_context=server_ctx,
                    state_dir=state)
    base = asyncio.run(side.start())
    yield Sandbox(base, side, grants, str(state / "ca.pem"), state)
    asyncio.run(side.stop())


@pytest.fixture(autouse=True)
def no_ca_bundle_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """REQUESTS_CA_BUNDLE beats a Session's `verify`; google-auth sessions must see only the sandbox CA."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    session.verify = sandbox.ca_pem
    return session


# --- a browser, scripted ------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    hidden: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[dict[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)


class Page(HTMLParser):
    """The forms, links and element texts of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[Form] = []
        self.links: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._open_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and a.get("type") == "hidden":
            self.forms[-1].hidden.append((a["name"], a["value"]))
        elif tag == "input" and a.get("type") == "checkbox":
            self.forms[-1].checkboxes.append(a)
        elif tag == "button":
            self.forms[-1].buttons.append(a)
        elif tag == "a" and "id" in a:
            self.links[a["id"]] = a["href"]
        if "id" in a:
            self._open_id = a["id"]

    def handle_data(self, data: str) -> None:
        if self._open_id:
            self.texts[self._open_id] = self.texts.get(self._open_id, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._open_id = None

    def button(self, **match: str) -> tuple[Form, dict[str, str]]:
        for form in self.forms:
            for button in form.buttons:
                if all(button.get(k) == v for k, v in match.items()):
                    return form, button
        raise AssertionError(f"no button {match}")


def click(session: requests.Session, url: str, page: Page, untick: tuple[str, ...] = (),
          **match: str) -> requests.Response:
    """Submit the form of the button matching `match` as a browser would; redirects are not followed."""
    form, button = page.button(**match)
    fields = list(form.hidden)
    fields += [(c["name"], c["value"]) for c in form.checkboxes if "checked" in c and c["value"] not in untick]
    if button.get("name"):
        fields.append((button["name"], button["value"]))
    target = urljoin(url, form.action)
    if form.method == "post":
        return session.post(target, data=fields, allow_redirects=False)
    return session.get(target, params=fields, allow_redirects=False)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def auth_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
              "scope": f"openid {MAIL_SCOPE}", "state": "st-42", "code_challenge": challenge,
              "code_challenge_method": "S256", "access_type": "offline", "prompt": "consent",
              "login_hint": FACTURACION}
    params.update(overrides)
    return {k: v for k, v in params.items() if v}


def consent(http: requests.Session, sandbox: Sandbox, challenge: str, **overrides: str) -> tuple[str, Page]:
    reply = http.get(sandbox.base + "/o/oauth2/auth", params=auth_params(challenge, **overrides))
    assert reply.status_code == 200, reply.text
    return reply.url, Page(reply.text)


def approve(http: requests.Session, sandbox: Sandbox, challenge: str, untick: tuple[str, ...] = (),
            **overrides: str) -> dict[str, str]:
    """Consent with Continue; the query of the redirect."""
    url, page = consent(http, sandbox, challenge, **overrides)
    reply = click(http, url, page, untick, id="consent-continue")
    assert reply.status_code == 302, reply.text
    location = reply.headers["Location"]
    assert location.startswith(overrides.get("redirect_uri", REDIRECT))
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(http: requests.Session, sandbox: Sandbox, auth_code: str, verifier: str, **overrides: str
             ) -> requests.Response:
    body = {"grant_type": "authorization_code", "code": auth_code, "redirect_uri": REDIRECT, "code_verifier": verifier,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    body.update(overrides)
    return http.post(sandbox.base + "/token", data={k: v for k, v in body.items() if v})


def tokens_for(http: requests.Session, sandbox: Sandbox, email: str, scope: str) -> dict[str, str]:
    verifier, challenge = pkce()
    query = approve(http, sandbox, challenge, login_hint=email, scope=scope)
    reply = exchange(http, sandbox, query["code"], verifier)
    assert reply.status_code == 200, reply.text
    return reply.json()


# --- consent pages ------------------------------------------------------------------------------


def test_consent_page_follows_the_contract(http: requests.Session, sandbox: Sandbox) -> None:
    _, challenge = pkce()
    _, page = consent(http, sandbox, challenge)
    form, _ = page.button(id="consent-continue")
    assert [(c["value"], "checked" in c) for c in form.checkboxes] == [("openid", True), (MAIL_SCOPE, True)]
    assert all(c["name"] == "scope" for c in form.checkboxes)
    assert page.button(id="consent-cancel")
    assert page.texts["consent-account"] == FACTURACION
    assert "switch-account" in page.links
    reply = http.get(sandbox.base + "/o/oauth2/auth", params=auth_params(challenge))
    assert "Read, compose, send and permanently delete all your email from Gmail" in reply.text
    assert "See your primary Google Account email address" in reply.text
    assert "wants access to your Google Account" in reply.text and "Sign in with Google" in reply.text


def test_full_code_flow_with_pkce(http: requests.Session, sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    query = approve(http, sandbox, challenge)
    assert query["state"] == "st-42" and query["code"].startswith("4/")
    assert query["scope"] == f"openid {MAIL_SCOPE}"
    reply = exchange(http, sandbox, query["code"], verifier)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["access_token"].startswith("ya29.") and body["refresh_token"].startswith("1//")
    assert body["token_type"] == "Bearer" and body["scope"] == f"openid {MAIL_SCOPE}"
    assert 3500 < body["expires_in"] <= 3600
    access = sandbox.grants.lookup_access_token(body["access_token"])
    assert access is not None and access.grant.email == FACTURACION
    claims = ga_jwt.decode(body["id_token"], verify=False)
    assert claims["iss"] == "https://accounts.google.com" and claims["aud"] == CLIENT_ID
    assert claims["email"] == FACTURACION and claims["email_verified"] is True
    assert claims["hd"] == "ferreteria-delnorte.example" and claims["sub"].isdigit()
    assert claims["exp"] - claims["iat"] == 3600
    verified = ga_id_token.verify_token(body["id_token"], ga_requests.Request(http), audience=CLIENT_ID,
                                        certs_url=sandbox.base + "/oauth2/v1/certs")
    assert verified["email"] == FACTURACION
    replay = exchange(http, sandbox, query["code"], verifier)
    assert replay.status_code == 400 and replay.json() == {"error": "invalid_grant",
                                                           "error_description": "Bad Request"}


def test_unticked_mail_scope_is_not_granted(http: requests.Session, sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    query = approve(http, sandbox, challenge, untick=(MAIL_SCOPE,))
    assert query["scope"] == "openid"
    body = exchange(http, sandbox, query["code"], verifier).json()
    assert body["scope"] == "openid"
    assert sandbox.grants.lookup_access_token(body["access_token"]).grant.scopes == ("openid",)


def test_unticked_email_box_hides_the_address(http: requests.Session, sandbox: Sandbox) -> None:
    email_scope = "https://www.googleapis.com/auth/userinfo.email"
    verifier, challenge = pkce()
    scopes = f"{MAIL_SCOPE} openid {email_scope}"
    reply = http.get(sandbox.base + "/o/oauth2/auth", params=auth_params(challenge, scope=scopes))
    assert "Associate you with your personal info on Google" in reply.text
    assert reply.text.count("See your primary Google Account email address") == 1
    query = approve(http, sandbox, challenge, untick=(email_scope,), scope=scopes)
    body = exchange(http, sandbox, query["code"], verifier).json()
    assert body["scope"] == f"{MAIL_SCOPE} openid"
    assert "email" not in ga_jwt.decode(body["id_token"], verify=False)
    info = http.get(sandbox.base + "/v1/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200 and "email" not in info.json()


def test_cancel_redirects_with_access_denied(http: requests.Session, sandbox: Sandbox) -> None:
    _, challenge = pkce()
    url, page = consent(http, sandbox, challenge)
    reply = click(http, url, page, id="consent-cancel")
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert parse_qs(location.query) == {"error": ["access_denied"], "state": ["st-42"]}
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT


def test_switch_account_leads_to_the_chooser(http: requests.Session, sandbox: Sandbox) -> None:
    _, challenge = pkce()
    url, page = consent(http, sandbox, challenge)
    chooser_url = urljoin(url, page.links["switch-account"])
    chooser = Page(http.get(chooser_url).text)
    emails = {b["data-email"] for f in chooser.forms for b in f.buttons}
    assert emails == set(sandbox.side.accounts)
    reply = click(http, chooser_url, chooser, **{"data-email": "ventas@ferreteria-delnorte.example"})
    assert reply.status_code == 200
    assert Page(reply.text).texts["consent-account"] == "ventas@ferreteria-delnorte.example"


def test_without_login_hint_the_chooser_comes_first(http: requests.Session, sandbox: Sandbox) -> None:
    _, challenge = pkce()
    reply = http.get(sandbox.base + "/o/oauth2/v2/auth", params=auth_params(challenge, login_hint=""))
    page = Page(reply.text)
    assert "consent-account" not in page.texts and "Choose an account" in reply.text
    assert {b["data-email"] for f in page.forms for b in f.buttons} >= {FACTURACION, ADMIN}


def test_account_without_oauth_is_blocked(http: requests.Session, sandbox: Sandbox) -> None:
    _, challenge = pkce()
    reply = http.get(sandbox.base + "/o/oauth2/auth", params=auth_params(challenge, login_hint=BLOCKED))
    assert reply.status_code == 400
    assert "Access blocked" in reply.text and "Error 400: admin_policy_enforced" in reply.text
    assert "consent-continue" not in reply.text


@pytest.mark.parametrize(("override", "status", "words"), [
    ({"redirect_uri": "https://app.example.com/callback"}, 400, ["Error 400: redirect_uri_mismatch"]),
    ({"redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}, 400, ["Error 400: invalid_request", "out-of-band"]),
    ({"client_id": "999-unknown.apps.googleusercontent.com"}, 401,
     ["Error 401: invalid_client", "The OAuth client was not found."]),
    ({"scope": "openid https://evil.example/all"}, 400, ["Error 400: invalid_scope"]),
])
def test_refused_authorization_requests(http: requests.Session, sandbox: Sandbox, override: dict[str, str],
                                        status: int, words: list[str]) -> None:
    _, challenge = pkce()
    reply = http.get(sandbox.base + "/o/oauth2/auth", params=auth_params(challenge, **override),
                     allow_redirects=False)
    assert reply.status_code == status
    for text in words:
        assert text in reply.text


# --- token endpoint -----------------------------------------------------------------------------


def test_token_errors_use_googles_words(http: requests.Session, sandbox: Sandbox) -> None:
    cases = [
        ({"code_verifier": "x" * 50}, 400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}),
        ({"client_secret": "GOCSPX-wrong"}, 401, {"error": "invalid_client", "error_description": "Unauthorized"}),
        ({"client_id": "999-unknown.apps.googleusercontent.com"}, 401,
         {"error": "invalid_client", "error_description": "The OAuth client was not found."}),
        ({"redirect_uri": "http://127.0.0.1:9999/"}, 400,
         {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}),
        ({"code": ""}, 400, {"error": "invalid_request", "error_description": "Missing required parameter: code"}),
    ]
    for override, status, expected in cases:
        verifier, challenge = pkce()
        query = approve(http, sandbox, challenge)
        reply = exchange(http, sandbox, query["code"], verifier, **override)
        assert (reply.status_code, reply.json()) == (status, expected), override
    reply = http.post(sandbox.base + "/token", data={"grant_type": "password"})
    assert reply.json()["error"] == "unsupported_grant_type"


def test_client_credentials_in_basic_auth(http: requests.Session, sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    query = approve(http, sandbox, challenge)
    body = {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    reply = http.post(sandbox.base + "/token", data=body, auth=(CLIENT_ID, CLIENT_SECRET))
    assert reply.status_code == 200 and "refresh_token" in reply.json()


def test_refresh_then_revoked_account(http: requests.Session, sandbox: Sandbox) -> None:
    first = tokens_for(http, sandbox, "citas.tallerruiz@gmail.com", MAIL_SCOPE)
    assert "id_token" not in first
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": CLIENT_ID,
               "client_secret": CLIENT_SECRET}
    reply = http.post(sandbox.base + "/token", data=refresh)
    assert reply.status_code == 200
    assert "refresh_token" not in reply.json() and reply.json()["access_token"] != first["access_token"]
    assert reply.json()["scope"] == MAIL_SCOPE
    assert sandbox.grants.revoke_account("citas.tallerruiz@gmail.com") >= 1
    reply = http.post(sandbox.base + "/token", data=refresh)
    assert (reply.status_code, reply.json()) == (400, EXPIRED)


def test_no_new_refresh_token_without_prompt_consent(http: requests.Session, sandbox: Sandbox) -> None:
    email = "avisos.tallerruiz@gmail.com"
    assert "refresh_token" in tokens_for(http, sandbox, email, MAIL_SCOPE)
    verifier, challenge = pkce()
    query = approve(http, sandbox, challenge, login_hint=email, scope=MAIL_SCOPE, prompt="")
    body = exchange(http, sandbox, query["code"], verifier).json()
    assert "access_token" in body and "refresh_token" not in body


def test_revoke_endpoint(http: requests.Session, sandbox: Sandbox) -> None:
    body = tokens_for(http, sandbox, "sklep.nowak@gmail.com", MAIL_SCOPE)
    reply = http.post(sandbox.base + "/revoke", data={"token": body["refresh_token"]})
    assert (reply.status_code, reply.json()) == (200, {})
    assert sandbox.grants.lookup_access_token(body["access_token"]) is None
    again = http.post(sandbox.base + "/revoke", params={"token": body["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"
    refresh = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"], "client_id": CLIENT_ID,
               "client_secret": CLIENT_SECRET}
    assert http.post(sandbox.base + "/token", data=refresh).json() == EXPIRED


def test_userinfo_and_tokeninfo(http: requests.Session, sandbox: Sandbox) -> None:
    body = tokens_for(http, sandbox, FACTURACION, f"openid {MAIL_SCOPE}")
    reply = http.get(sandbox.base + "/v1/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert reply.status_code == 200
    info = reply.json()
    assert info["email"] == FACTURACION and info["email_verified"] is True
    assert info["sub"] == ga_jwt.decode(body["id_token"], verify=False)["sub"]
    # POST keeps the token out of the URL (and so out of urllib3's DEBUG log of request lines)
    info = http.post(sandbox.base + "/oauth2/v3/tokeninfo", data={"access_token": body["access_token"]}).json()
    assert info["scope"] == f"openid {MAIL_SCOPE}" and info["email"] == FACTURACION and info["aud"] == CLIENT_ID
    missing = http.get(sandbox.base + "/v1/userinfo")
    bad = http.get(sandbox.base + "/v1/userinfo", headers={"Authorization": "Bearer ya29.sbx-nope"})
    assert missing.status_code == bad.status_code == 401
    assert bad.json()["error"]["message"].startswith("Request had invalid authentication credentials.")


# --- Admin SDK Directory ------------------------------------------------------------------------


def directory(http: requests.Session, sandbox: Sandbox, path: str, token: str | None, **params: str
              ) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.get(sandbox.base + "/admin/directory/v1/users" + path, params=params, headers=headers)


@pytest.fixture
def admin_token(http: requests.Session, sandbox: Sandbox) -> str:
    return tokens_for(http, sandbox, ADMIN, DIR_RO)["access_token"]


def test_directory_get_as_admin(http: requests.Session, sandbox: Sandbox, admin_token: str) -> None:
    user = directory(http, sandbox, "/" + FACTURACION, admin_token).json()
    assert user["kind"] == "admin#directory#user" and user["primaryEmail"] == FACTURACION
    assert user["isEnrolledIn2Sv"] is True and user["isEnforcedIn2Sv"] is True and user["isAdmin"] is False
    assert user["suspended"] is False and user["name"]["fullName"]
    ventas = directory(http, sandbox, "/ventas@ferreteria-delnorte.example", admin_token,
                       fields="primaryEmail,isEnrolledIn2Sv").json()
    assert ventas == {"primaryEmail": "ventas@ferreteria-delnorte.example", "isEnrolledIn2Sv": False}
    assert directory(http, sandbox, "/" + user["id"], admin_token).json()["primaryEmail"] == FACTURACION
    missing = directory(http, sandbox, "/nadie@ferreteria-delnorte.example", admin_token)
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "Resource Not Found: userKey"


def test_directory_list_paginates(http: requests.Session, sandbox: Sandbox, admin_token: str) -> None:
    domain = "ferreteria-delnorte.example"
    expected = {e for e, a in sandbox.side.accounts.items() if a.workspace and a.domain == domain}
    seen, token, pages = [], "", 0
    while True:
        params = {"domain": domain, "maxResults": "2"} | ({"pageToken": token} if token else {})
        page = directory(http, sandbox, "", admin_token, **params).json()
        assert page["kind"] == "admin#directory#users" and len(page["users"]) <= 2
        seen += [u["primaryEmail"] for u in page["users"]]
        pages += 1
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert sorted(seen) == sorted(expected) and pages == 2
    slim = directory(http, sandbox, "", admin_token, customer="my_customer",
                     fields="users(primaryEmail,isEnrolledIn2Sv),nextPageToken").json()
    assert set(slim) == {"users"} and all(set(u) == {"primaryEmail", "isEnrolledIn2Sv"} for u in slim["users"])
    not_enrolled = directory(http, sandbox, "", admin_token, customer="my_customer", query="isEnrolledIn2Sv=false")
    assert [u["primaryEmail"] for u in not_enrolled.json()["users"]] == ["ventas@ferreteria-delnorte.example"]


FORBIDDEN = {"error": {"code": 403, "message": "Not Authorized to access this resource/api", "errors": [
    {"message": "Not Authorized to access this resource/api", "domain": "global", "reason": "forbidden"}]}}


def test_directory_refusals(http: requests.Session, sandbox: Sandbox, admin_token: str) -> None:
    non_admin = tokens_for(http, sandbox, FACTURACION, DIR_RO)["access_token"]
    reply = directory(http, sandbox, "/" + FACTURACION, non_admin)
    assert (reply.status_code, reply.json()) == (403, FORBIDDEN)
    other_domain = directory(http, sandbox, "", admin_token, domain="biuro-kowalski.example")
    assert (other_domain.status_code, other_domain.json()) == (403, FORBIDDEN)
    unknown = directory(http, sandbox, "", admin_token, domain="gmail.com")
    assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "Domain not found."
    consumer = tokens_for(http, sandbox, "facturas.lupita@gmail.com", DIR_RO)["access_token"]
    assert directory(http, sandbox, "", consumer, customer="my_customer").status_code == 404
    mail_only = tokens_for(http, sandbox, ADMIN, MAIL_SCOPE)["access_token"]
    scope = directory(http, sandbox, "/" + FACTURACION, mail_only)
    assert scope.status_code == 403 and scope.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
    for token in (None, "ya29.sbx-not-a-token"):
        reply = directory(http, sandbox, "/" + FACTURACION, token)
        assert reply.status_code == 401 and reply.json()["error"]["status"] == "UNAUTHENTICATED"
    assert directory(http, sandbox, "", admin_token).status_code == 400  # neither domain nor customer


def test_fields_selection() -> None:
    resource = {"users": [{"primaryEmail": "a@x", "name": {"fullName": "A", "givenName": "a"}, "id": "1"}],
                "nextPageToken": "t", "kind": "k"}
    assert select(resource, parse_fields("users(primaryEmail,name/fullName),kind")) == {
        "users": [{"primaryEmail": "a@x", "name": {"fullName": "A"}}], "kind": "k"}
    assert select(resource, parse_fields("")) == resource
    assert parse_fields("users(id),users(name)") == {"users": {"id": None, "name": None}}
    with pytest.raises(ValueError):
        parse_fields("users(primaryEmail")


# --- service account with domain-wide delegation (google-auth) ------------------------------------


def test_service_account_file_has_googles_shape(sandbox: Sandbox) -> None:
    path = sandbox.side.service_account_file
    info = json.loads(path.read_text())
    assert info["type"] == "service_account"
    assert info["client_email"] == "mailkit-audit@mailkit-sandbox.iam.gserviceaccount.com"
    assert info["token_uri"] == sandbox.base + "/token" and info["private_key"].startswith("-----BEGIN PRIVATE KEY")
    assert path.stat().st_mode & 0o077 == 0


def delegated_session(sandbox: Sandbox, subject: str, scopes: list[str]) -> ga_requests.AuthorizedSession:
    creds = service_account.Credentials.from_service_account_file(str(sandbox.side.service_account_file))
    creds = creds.with_subject(subject).with_scopes(scopes)
    token_session = requests.Session()
    token_session.verify = sandbox.ca_pem
    session = ga_requests.AuthorizedSession(creds, auth_request=ga_requests.Request(token_session))
    session.verify = sandbox.ca_pem
    return session


def test_service_account_reads_the_directory_as_admin(sandbox: Sandbox) -> None:
    session = delegated_session(sandbox, ADMIN, [DIR_RO])
    reply = session.get(sandbox.base + "/admin/directory/v1/users/" + FACTURACION)
    assert reply.status_code == 200 and reply.json()["isEnforcedIn2Sv"] is True
    access = sandbox.grants.lookup_access_token(session.credentials.token)
    assert access is not None and access.grant.email == ADMIN and access.grant.scopes == (DIR_RO,)
    listed = session.get(sandbox.base + "/admin/directory/v1/users", params={"customer": "my_customer"})
    assert len(listed.json()["users"]) == 3


def test_service_account_refusals(sandbox: Sandbox) -> None:
    for subject, scopes in [("facturas.lupita@gmail.com", [DIR_RO]), (ADMIN, ["https://www.googleapis.com/auth/drive"])]:
        session = delegated_session(sandbox, subject, scopes)
        with pytest.raises(ga_exceptions.RefreshError, match="unauthorized_client"):
            session.get(sandbox.base + "/admin/directory/v1/users/" + FACTURACION)
    session = delegated_session(sandbox, "nadie@ferreteria-delnorte.example", [DIR_RO])
    with pytest.raises(ga_exceptions.RefreshError, match="Invalid email or User ID"):
        session.get(sandbox.base + "/admin/directory/v1/users/" + FACTURACION)
    non_admin = delegated_session(sandbox, FACTURACION, [DIR_RO])
    assert non_admin.get(sandbox.base + "/admin/directory/v1/users/" + FACTURACION).status_code == 403


def test_forged_assertion_is_refused(http: requests.Session, sandbox: Sandbox) -> None:
    from mailkit.sandbox.http_keys import RsaKey

    now = int(time.time())
    claims = {"iss": "mailkit-audit@mailkit-sandbox.iam.gserviceaccount.com", "sub": ADMIN, "scope": DIR_RO,
              "aud": "https://oauth2.googleapis.com/token", "iat": now, "exp": now + 3600}
    forged = RsaKey.generate().sign_jwt(claims)
    reply = http.post(sandbox.base + "/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                                     "assertion": forged})
    assert reply.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}


# --- google-auth-oauthlib, the real installed-app flow ----------------------------------------------


def test_installed_app_flow(http: requests.Session, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    config = {"installed": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                            "auth_uri": sandbox.base + "/o/oauth2/auth", "token_uri": sandbox.base + "/token",
                            "redirect_uris": ["http://localhost"]}}
    scopes = ["openid", "https://www.googleapis.com/auth/userinfo.email", MAIL_SCOPE]
    flow = InstalledAppFlow.from_client_config(config, scopes)
    flow.redirect_uri = REDIRECT
    url, state = flow.authorization_url(prompt="consent", login_hint=FACTURACION)
    reply = http.get(url)
    page = Page(reply.text)
    assert page.texts["consent-account"] == FACTURACION
    redirect = click(http, reply.url, page, untick=(MAIL_SCOPE,), id="consent-continue")
    location = redirect.headers["Location"]
    assert f"state={state}" in location
    flow.fetch_token(authorization_response=location.replace("http://", "https://", 1), verify=sandbox.ca_pem)
    creds: Credentials = flow.credentials
    assert creds.refresh_token and creds.token.startswith("ya29.")
    assert set(creds.granted_scopes) == {"openid", "https://www.googleapis.com/auth/userinfo.email"}
    assert ga_jwt.decode(creds.id_token, verify=False)["email"] == FACTURACION
    old = creds.token
    creds.refresh(ga_requests.Request(http))
    assert creds.token != old and creds.valid
    sandbox.grants.revoke_account(FACTURACION)
    with pytest.raises(ga_exceptions.RefreshError, match="invalid_grant: Token has been expired or revoked."):
        creds.refresh(ga_requests.Request(http))


# --- the rest --------------------------------------------------------------------------------------


def test_index_page_lists_accounts_without_secrets(http: requests.Session, sandbox: Sandbox) -> None:
    text = http.get(sandbox.base + "/").text
    assert ADMIN in text and "/admin/directory/v1/users" in text
    assert not any(a.password in text for a in sandbox.side.accounts.values() if a.password)
    assert CLIENT_SECRET not in text
    assert http.get(sandbox.base + "/nothing-here").status_code == 404


def test_latency_and_stop(sandbox: Sandbox, tmp_path: Path) -> None:
    ssl_ctx = sandbox.side.ssl_context
    slow = HttpSide({}, GrantRegistry(), client_id=CLIENT_ID, client_secret=CLIENT_SECRET, ssl_context=ssl_ctx,
                    latency_ms=250, state_dir=tmp_path)
    base = asyncio.run(slow.start())
    assert base.startswith("https://127.0.0.1:") and (tmp_path / "service_account.json").exists()
    session = requests.Session()
    started = time.monotonic()
    assert session.get(base + "/oauth2/v3/certs", verify=sandbox.ca_pem).status_code == 200
    assert time.monotonic() - started >= 0.25
    asyncio.run(slow.stop())
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/oauth2/v3/certs", verify=sandbox.ca_pem, timeout=2)

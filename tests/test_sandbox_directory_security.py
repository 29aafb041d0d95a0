"""The sandbox's Directory as Google's: users' fields, asps and tokens (list, get, delete) with their field names,
scopes and errors, over real HTTPS with google-auth's service-account sessions; an admin's deletions then show
on the sandbox's SMTP and OAuth sides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import google.auth.transport.requests as ga_requests
import pytest
import requests
from google.oauth2 import service_account

from mailkit.errors import UsageError
from mailkit.oauth.scopes import DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.accounts import load_accounts
from mailkit.sandbox.grants import GrantRegistry
from mailkit.sandbox.http_core import account_id
from mailkit.sandbox.runner import SandboxThread
from tests.sandbox_fixtures import SandboxSMTP, access_token, smtp_login_code, xoauth2
from tests.workspace_domain import (
    ADMIN,
    CALENDAR_CLIENT,
    DOMAIN,
    ERP_CLIENT,
    OTHER,
    DomainFile,
    user,
    write_domain,
)

USERS_URL = "/admin/directory/v1/users"


@pytest.fixture(scope="module")
def domain(tmp_path_factory: pytest.TempPathFactory) -> DomainFile:
    return write_domain(tmp_path_factory.mktemp("grande"))


@pytest.fixture(scope="module")
def grande(domain: DomainFile, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxThread]:
    running = SandboxThread(domain.path, tmp_path_factory.mktemp("grande-sandbox"))
    running.start()
    yield running
    running.stop()


def session(sandbox: SandboxThread, subject: str, scopes: list[str]) -> ga_requests.AuthorizedSession:
    """What an admin's tool holds: the service account acting as `subject` (domain-wide delegation)."""
    creds = service_account.Credentials.from_service_account_file(str(sandbox.state_dir / "service_account.json"))
    token_session = requests.Session()
    token_session.trust_env, token_session.verify = False, sandbox.info["ca_cert"]
    authorized = ga_requests.AuthorizedSession(creds.with_subject(subject).with_scopes(scopes),
                                               auth_request=ga_requests.Request(token_session))
    authorized.trust_env, authorized.verify = False, sandbox.info["ca_cert"]
    return authorized


@pytest.fixture(scope="module")
def security(grande: SandboxThread) -> ga_requests.AuthorizedSession:
    return session(grande, ADMIN, [DIRECTORY_SECURITY_SCOPE])


def url(sandbox: SandboxThread, path: str) -> str:
    return sandbox.info["http"] + USERS_URL + path




# --- users ---------------------------------------------------------------------------------------
def test_users_carry_googles_field_names(grande: SandboxThread) -> None:
    reader = session(grande, ADMIN, [DIRECTORY_SCOPE])
    ten = reader.get(url(grande, "/" + user(10))).json()
    assert ten["name"] == {"givenName": "Usuario 10", "familyName": "Grande", "fullName": "Usuario 10 Grande"}
    assert (ten["lastLoginTime"], ten["aliases"], ten["orgUnitPath"]) == (
        "2026-11-11T12:00:00.000Z", [f"alias10@{DOMAIN}"], "/")
    assert {"address": f"alias10@{DOMAIN}"} in ten["emails"] and ten["isEnforcedIn2Sv"] is True
    never = reader.get(url(grande, "/" + user(7))).json()
    assert never["lastLoginTime"] == "1970-01-01T00:00:00.000Z" and "aliases" not in never
    assert never["orgUnitPath"] == "/Ventas" and never["suspended"] is False
    fifty = reader.get(url(grande, f"/alias50@{DOMAIN}")).json()  # an alias is a userKey too
    assert fifty["primaryEmail"] == user(50) and fifty["suspended"] is True
    page = reader.get(url(grande, ""), params={"domain": DOMAIN, "maxResults": "500",
                                               "query": "isSuspended=true", "fields": "users(primaryEmail)"}).json()
    assert page == {"users": [{"primaryEmail": user(n)} for n in (50, 100, 150, 200, 250)]}


def test_users_list_pages_through_300(grande: SandboxThread) -> None:
    reader = session(grande, ADMIN, [DIRECTORY_SCOPE])
    seen, params, pages = [], {"domain": DOMAIN, "maxResults": "120", "fields": "users(primaryEmail),nextPageToken"}, 0
    while True:
        page = reader.get(url(grande, ""), params=params).json()
        seen += [u["primaryEmail"] for u in page["users"]]
        pages += 1
        if "nextPageToken" not in page:
            break
        params["pageToken"] = page["nextPageToken"]
    assert (len(seen), len(set(seen)), pages) == (300, 300, 3)


# --- asps ----------------------------------------------------------------------------------------
def test_asps_list_has_googles_shape(grande: SandboxThread, security: ga_requests.AuthorizedSession) -> None:
    reply = security.get(url(grande, f"/{user(3)}/asps"))
    body = reply.json()
    assert reply.status_code == 200 and body["kind"] == "admin#directory#asps" and body["etag"].startswith('"')
    first, second = body["items"]
    assert set(first) == {"codeId", "name", "creationTime", "lastTimeUsed", "userKey", "kind", "etag"}
    assert first["kind"] == "admin#directory#asp" and isinstance(first["codeId"], int)
    assert (first["name"], first["creationTime"], first["lastTimeUsed"]) == (
        "ERP facturas 3", "1775808000000", "1794562200000")  # 2026-04-10T08:00Z, 2026-11-13T09:30Z in ms
    assert (second["name"], second["creationTime"], second["lastTimeUsed"]) == ("Scanner 3", "1740787200000", "0")
    assert first["userKey"] == account_id(user(3))
    none = security.get(url(grande, f"/{user(20)}/asps")).json()
    assert "items" not in none and none["kind"] == "admin#directory#asps"
    one = security.get(url(grande, f"/{user(3)}/asps/{first['codeId']}")).json()
    assert one == first


def test_deleting_an_app_password_stops_its_sign_ins(grande: SandboxThread, domain: DomainFile,
                                                     security: ga_requests.AuthorizedSession) -> None:
    email = user(5)
    kept, dropped = domain.app_passwords[email]
    assert smtp_login_code(grande, email, dropped) == 235 and smtp_login_code(grande, email, kept) == 235
    used = security.get(url(grande, f"/{email}/asps")).json()["items"]
    assert used[1]["lastTimeUsed"] != "0"  # the sign-in just now is its last use
    reply = security.delete(url(grande, f"/{email}/asps/{used[1]['codeId']}"))
    assert (reply.status_code, reply.content) == (204, b"")
    assert smtp_login_code(grande, email, dropped) == 535 and smtp_login_code(grande, email, kept) == 235
    assert [a["codeId"] for a in security.get(url(grande, f"/{email}/asps")).json()["items"]] == [used[0]["codeId"]]
    again = security.delete(url(grande, f"/{email}/asps/{used[1]['codeId']}"))
    assert again.status_code == 400 and again.json()["error"]["errors"][0]["reason"] == "invalid"
    bad = security.delete(url(grande, f"/{email}/asps/abc"))
    assert bad.status_code == 400 and bad.json()["error"]["errors"][0]["reason"] == "invalidParameter"
    restarted = GrantRegistry(path=grande.state_dir / "oauth_grants.json")  # kept for the next start
    assert restarted.app_password_deleted(email, used[1]["codeId"])


# --- tokens --------------------------------------------------------------------------------------
def test_tokens_list_has_googles_shape_and_the_sandboxs_own_consents(grande: SandboxThread,
                                                                     security: ga_requests.AuthorizedSession) -> None:
    access_token(grande, user(2))  # user 2 consents to the sandbox's own client (mailkit's)
    body = security.get(url(grande, f"/{user(2)}/tokens")).json()
    assert body["kind"] == "admin#directory#tokenList"
    by_client = {t["clientId"]: t for t in body["items"]}
    assert set(by_client) == {ERP_CLIENT, CALENDAR_CLIENT, grande.client_id}
    erp = by_client[ERP_CLIENT]
    assert set(erp) == {"clientId", "scopes", "userKey", "anonymous", "displayText", "nativeApp", "kind", "etag"}
    assert (erp["displayText"], erp["scopes"], erp["nativeApp"], erp["anonymous"], erp["kind"]) == (
        "ERP Facturas", [MAIL_SCOPE], True, False, "admin#directory#token")
    assert by_client[grande.client_id]["scopes"] == [MAIL_SCOPE]
    assert security.get(url(grande, f"/{user(2)}/tokens/{ERP_CLIENT}")).json() == erp
    missing = security.get(url(grande, f"/{user(2)}/tokens/nobody.apps.googleusercontent.com"))
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "Resource Not Found: clientId"


def test_deleting_a_token_ends_that_clients_grants(grande: SandboxThread,
                                                   security: ga_requests.AuthorizedSession) -> None:
    email = user(6)
    token = access_token(grande, email)
    assert xoauth2_sign_in(grande, email, token) == [235]
    assert security.delete(url(grande, f"/{email}/tokens/{grande.client_id}")).status_code == 204
    assert xoauth2_sign_in(grande, email, token) == [334, 535]  # Gmail's error challenge, then the refusal
    assert grande.grants.lookup_access_token(token) is None
    assert "items" not in security.get(url(grande, f"/{email}/tokens")).json()
    erp = security.delete(url(grande, f"/{user(4)}/tokens/{ERP_CLIENT}"))
    assert erp.status_code == 204
    left = security.get(url(grande, f"/{user(4)}/tokens")).json()["items"]
    assert [t["clientId"] for t in left] == [CALENDAR_CLIENT]


# --- who may --------------------------------------------------------------------------------------
def test_security_endpoints_need_the_security_scope_and_an_admin_of_the_domain(grande: SandboxThread) -> None:
    reader = session(grande, ADMIN, [DIRECTORY_SCOPE])  # reads users, but not their security
    for path in (f"/{user(1)}/asps", f"/{user(1)}/tokens"):
        reply = reader.get(url(grande, path))
        assert reply.status_code == 403
        assert reply.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
    non_admin = session(grande, user(1), [DIRECTORY_SECURITY_SCOPE])
    assert non_admin.get(url(grande, f"/{user(1)}/asps")).status_code == 403
    other_admin = session(grande, f"admin@{OTHER}", [DIRECTORY_SECURITY_SCOPE])
    forbidden = other_admin.get(url(grande, f"/{user(1)}/asps"))
    assert forbidden.status_code == 403 and forbidden.json()["error"]["errors"][0]["reason"] == "forbidden"
    assert other_admin.delete(url(grande, f"/{user(1)}/tokens/{ERP_CLIENT}")).status_code == 403
    mine = session(grande, ADMIN, [DIRECTORY_SECURITY_SCOPE])
    for path in (f"/nadie@{DOMAIN}/asps", "/nadie@elsewhere.example/tokens"):
        reply = mine.get(url(grande, path))
        assert reply.status_code == 404 and reply.json()["error"]["message"] == "Resource Not Found: userKey"
    anonymous = requests.get(url(grande, f"/{user(1)}/asps"), verify=grande.info["ca_cert"])
    assert anonymous.status_code == 401 and anonymous.json()["error"]["status"] == "UNAUTHENTICATED"
    assert mine.post(url(grande, f"/{user(1)}/asps")).status_code == 405
    assert mine.delete(url(grande, f"/{user(1)}/asps")).status_code == 405


def test_a_suspended_user_cannot_sign_in() -> None:
    from mailkit.sandbox.accounts import SandboxAccount
    from mailkit.sandbox.signin import Outcome, check_password

    active = SandboxAccount(f"x@{DOMAIN}", password="Pw-1", app_passwords=("abcd efgh ijkl mnop",), workspace=True)
    suspended = SandboxAccount(f"x@{DOMAIN}", password="Pw-1", app_passwords=("abcd efgh ijkl mnop",), workspace=True,
                               suspended=True)
    for secret in ("Pw-1", "abcdefghijklmnop"):
        assert check_password(active, secret) is Outcome.OK
        assert check_password(suspended, secret) is Outcome.BAD_CREDENTIALS


# --- the accounts file -------------------------------------------------------------------------
@pytest.mark.parametrize(("extra", "words"), [
    ('app_passwords = ["abcd efgh ijkl mnop"]\napp_password_details = [{ name = "a" }, { name = "b" }]',
     "2 tables for 1 app password"),
    ('app_passwords = ["abcd efgh ijkl mnop"]\napp_password_details = [{ label = "a" }]', "unknown key(s) label"),
    ('tokens = [{ display_text = "x" }]', "`client_id` is required"),
    ('tokens = [{ client_id = "x", scopes = "https://mail.google.com/" }]', "`scopes` must be a list"),
    ('aliases = ["not-an-address"]', "`aliases` must be a list of addresses"),
    ("last_login = 12", "`last_login` must be a date-time"),
    ("suspended = 1", "`suspended` must be true or false"),
])
def test_bad_new_keys_are_named(tmp_path: Path, extra: str, words: str) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(f'[[account]]\nemail = "x@{DOMAIN}"\nworkspace = true\n{extra}\n', encoding="utf-8")
    with pytest.raises(UsageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_accounts(path)


def xoauth2_sign_in(sandbox: SandboxThread, email: str, token: str) -> list[int]:
    """The reply codes of an SMTP AUTH XOAUTH2 (answering a refusal's challenge with an empty line)."""
    import base64

    with SandboxSMTP(sandbox).secure(sandbox) as smtp:
        codes = [smtp.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(email, token).encode()).decode())[0]]
        if codes[0] == 334:
            codes.append(smtp.docmd("")[0])
        return codes

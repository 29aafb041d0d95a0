"""The sandbox's Google Cloud IAM side for keyless domain-wide delegation: serviceAccounts.get and IAM Credentials
signBlob/signJwt over real HTTPS, their JWTs exchanged at the sandbox's token endpoint for a mailbox's token that
SMTP XOAUTH2 accepts, and Google's 401/403/404/400 replies."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import google.auth.iam
import google.auth.transport.requests as ga_requests
import pytest
import requests
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailkit.errors import UsageError
from mailkit.oauth.scopes import CLOUD_PLATFORM_SCOPE, DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.accounts import load_accounts
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.http_keys import b64url
from mailkit.sandbox.iam import IAM_SCOPE, SERVICE_ACCOUNT_ETAG
from mailkit.sandbox.runner import SandboxThread
from tests.sandbox_fixtures import SandboxSMTP, access_token, xoauth2

CREATOR = "ops@mayorista-ti.example"  # token_creator = true in the shipped accounts file
NOT_CREATOR = "facturacion@ferreteria-delnorte.example"
MAILBOX = "facturacion@ferreteria-delnorte.example"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


# --- helpers -----------------------------------------------------------------------------------------
@pytest.fixture
def api(sandbox: SandboxThread) -> Iterator[requests.Session]:
    """A requests session that trusts the sandbox's CA (and nothing else), as mailkit's clients do."""
    with requests.Session() as session:
        session.verify = sandbox.info["ca_cert"]
        session.trust_env = False
        yield session


def sa_email(sandbox: SandboxThread) -> str:
    return json.loads((sandbox.state_dir / "service_account.json").read_text())["client_email"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_url(sandbox: SandboxThread, rpc: str, email: str = "") -> str:
    return f"{sandbox.info['http']}/iamcredentials/v1/projects/-/serviceAccounts/{email or sa_email(sandbox)}:{rpc}"


def get_url(sandbox: SandboxThread, email: str = "", project: str = "-") -> str:
    return f"{sandbox.info['http']}/iam/v1/projects/{project}/serviceAccounts/{email or sa_email(sandbox)}"


def cloud_token(sandbox: SandboxThread, email: str = CREATOR, scopes: tuple[str, ...] = (CLOUD_PLATFORM_SCOPE,)) -> str:
    return access_token(sandbox, email, scopes)


def claims(sandbox: SandboxThread, subject: str = MAILBOX) -> dict:
    now = int(time.time())
    return {"iss": sa_email(sandbox), "sub": subject, "scope": MAIL_SCOPE, "aud": f"{sandbox.info['http']}/token",
            "iat": now, "exp": now + 3600}


def exchange(api: requests.Session, sandbox: SandboxThread, assertion: str) -> requests.Response:
    return api.post(f"{sandbox.info['http']}/token", data={"grant_type": JWT_BEARER, "assertion": assertion},
                    timeout=10)


def smtp_xoauth2(sandbox: SandboxThread, email: str, token: str) -> int:
    """The SMTP AUTH XOAUTH2 reply code for a mailbox's access token (235 accepted)."""
    with SandboxSMTP(sandbox).secure(sandbox) as smtp:
        return smtp.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(email, token).encode()).decode())[0]


def error_of(answer: requests.Response) -> dict:
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.json()["error"]


# --- the accounts file -------------------------------------------------------------------------------
def test_token_creator_is_an_account_key_default_false(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text('[[account]]\nemail = "a@x.example"\ntoken_creator = true\n[[account]]\nemail = "b@gmail.com"\n',
                    encoding="utf-8")
    accounts = load_accounts(path)
    assert accounts["a@x.example"].token_creator and not accounts["b@gmail.com"].token_creator
    path.write_text('[[account]]\nemail = "a@x.example"\ntoken_creator = "yes"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="`token_creator` must be true or false"):
        load_accounts(path)


def test_the_shipped_reseller_admin_is_the_only_token_creator(sandbox: SandboxThread) -> None:
    creators = [a for a in sandbox.accounts.values() if a.token_creator]
    assert [a.email for a in creators] == [CREATOR]
    assert creators[0].workspace and not creators[0].admin and creators[0].two_step and creators[0].display_name


# --- serviceAccounts.get -----------------------------------------------------------------------------
def test_get_answers_the_service_account_as_google_does(sandbox: SandboxThread, api: requests.Session) -> None:
    email = sa_email(sandbox)
    info = json.loads((sandbox.state_dir / "service_account.json").read_text())
    expected = {"name": f"projects/{info['project_id']}/serviceAccounts/{email}", "projectId": info["project_id"],
                "uniqueId": info["client_id"], "email": email, "displayName": "mailkit sandbox: domain-wide delegation",
                "etag": SERVICE_ACCOUNT_ETAG, "oauth2ClientId": info["client_id"]}
    token = cloud_token(sandbox)
    for url in (get_url(sandbox), get_url(sandbox, quote(email, safe="")), get_url(sandbox, project="mailkit-sandbox"),
                get_url(sandbox, info["client_id"])):
        answer = api.get(url, headers=bearer(token), timeout=10)
        assert answer.status_code == 200, (url, answer.text)
        assert answer.json() == expected
    iam_only = cloud_token(sandbox, scopes=(IAM_SCOPE,))
    assert api.get(get_url(sandbox), headers=bearer(iam_only), timeout=10).status_code == 200


def test_get_of_an_unknown_service_account_is_404(sandbox: SandboxThread, api: requests.Session) -> None:
    for url in (get_url(sandbox, "nobody@mailkit-sandbox.iam.gserviceaccount.com"),
                get_url(sandbox, project="another-project")):
        answer = api.get(url, headers=bearer(cloud_token(sandbox)), timeout=10)
        assert answer.status_code == 404
        assert error_of(answer) == {"code": 404, "message": "Unknown service account",
                                    "errors": [{"message": "Unknown service account", "domain": "global",
                                                "reason": "notFound"}], "status": "NOT_FOUND"}


def test_get_for_a_caller_without_the_role_is_403(sandbox: SandboxThread, api: requests.Session) -> None:
    answer = api.get(get_url(sandbox), headers=bearer(cloud_token(sandbox, NOT_CREATOR)), timeout=10)
    assert answer.status_code == 403
    error = error_of(answer)
    assert error["message"] == "Permission 'iam.serviceAccounts.get' denied on resource (or it may not exist)."
    assert error["status"] == "PERMISSION_DENIED" and error["errors"][0]["reason"] == "forbidden"
    assert error["details"] == [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
                                 "domain": "iam.googleapis.com", "metadata": {"permission": "iam.serviceAccounts.get"}}]


# --- signBlob and signJwt, exchanged at the token endpoint ---------------------------------------------
def test_a_signed_blob_makes_a_jwt_the_token_endpoint_takes_and_smtp_accepts(sandbox: SandboxThread,
                                                                             api: requests.Session) -> None:
    header = {"alg": "RS256", "typ": "JWT"}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims(sandbox)).encode())}"
    answer = api.post(sign_url(sandbox, "signBlob"), headers=bearer(cloud_token(sandbox)), timeout=10,
                      json={"payload": base64.b64encode(signing_input.encode()).decode()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    key_id = json.loads((sandbox.state_dir / "service_account.json").read_text())["private_key_id"]
    assert set(body) == {"keyId", "signedBlob"} and body["keyId"] == key_id
    signature = base64.b64decode(body["signedBlob"], validate=True)
    assert len(signature) == 256  # RS256 with the 2048-bit key
    minted = exchange(api, sandbox, f"{signing_input}.{b64url(signature)}")
    assert minted.status_code == 200, minted.text
    token = minted.json()["access_token"]
    grant = sandbox.grants.lookup_access_token(token).grant
    assert grant.email == MAILBOX and grant.scopes == (MAIL_SCOPE,)
    assert smtp_xoauth2(sandbox, MAILBOX, token) == 235


def test_a_signed_jwt_is_taken_as_it_is(sandbox: SandboxThread, api: requests.Session) -> None:
    payload = json.dumps(claims(sandbox))
    answer = api.post(sign_url(sandbox, "signJwt"), headers=bearer(cloud_token(sandbox)), json={"payload": payload},
                      timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"keyId", "signedJwt"}
    head, middle, _ = body["signedJwt"].split(".")
    assert json.loads(base64.urlsafe_b64decode(head + "==")) == {"alg": "RS256", "kid": body["keyId"], "typ": "JWT"}
    assert base64.urlsafe_b64decode(middle + "==").decode() == payload  # the claims as given, not re-encoded
    minted = exchange(api, sandbox, body["signedJwt"])
    assert minted.status_code == 200, minted.text
    assert smtp_xoauth2(sandbox, MAILBOX, minted.json()["access_token"]) == 235


def test_google_auths_iam_signer_mints_a_delegated_token(sandbox: SandboxThread, monkeypatch) -> None:
    """google-auth's own keyless path (iam.Signer under service_account.Credentials), pointed at the sandbox."""
    monkeypatch.setattr(google.auth.iam, "_IAM_SIGN_ENDPOINT", sign_url(sandbox, "signBlob", "{}"))
    session = requests.Session()
    session.verify, session.trust_env = sandbox.info["ca_cert"], False
    request = ga_requests.Request(session)
    admin = user_credentials.Credentials(token=cloud_token(sandbox))
    signer = google.auth.iam.Signer(request, admin, sa_email(sandbox))
    creds = service_account.Credentials(signer, sa_email(sandbox), f"{sandbox.info['http']}/token",
                                        scopes=[MAIL_SCOPE], subject=MAILBOX)
    creds.refresh(request)
    assert sandbox.grants.lookup_access_token(creds.token).grant.email == MAILBOX


def test_a_scope_the_domain_did_not_delegate_is_still_refused(sandbox: SandboxThread, api: requests.Session) -> None:
    """Keyless changes who signs, not what the client's domain allows: the token endpoint's checks still apply."""
    wrong = {**claims(sandbox, "ops@mayorista-ti.example"), "scope": "https://www.googleapis.com/auth/drive"}
    answer = api.post(sign_url(sandbox, "signJwt"), headers=bearer(cloud_token(sandbox)),
                      json={"payload": json.dumps(wrong)}, timeout=10)
    assert answer.status_code == 200
    assert exchange(api, sandbox, answer.json()["signedJwt"]).json()["error"] == "unauthorized_client"


# --- refusals ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("rpc", ["signBlob", "signJwt"])
def test_without_a_valid_token_it_is_401(sandbox: SandboxThread, api: requests.Session, rpc: str) -> None:
    method = {"signBlob": "SignBlob", "signJwt": "SignJwt"}[rpc]
    for headers, reason, words in (({}, "CREDENTIALS_MISSING", "Request is missing required authentication"),
                                   (bearer("ya29.not-a-token"), "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                                    "Request had invalid authentication credentials")):
        answer = api.post(sign_url(sandbox, rpc), headers=headers, json={"payload": "e30="}, timeout=10)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="https://accounts.google.com/"')
        error = error_of(answer)
        assert error["message"].startswith(words) and error["status"] == "UNAUTHENTICATED" and "errors" not in error
        assert error["details"] == [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                     "domain": "googleapis.com",
                                     "metadata": {"service": "iamcredentials.googleapis.com",
                                                  "method": f"google.iam.credentials.v1.IAMCredentials.{method}"}}]
    assert api.get(get_url(sandbox), timeout=10).status_code == 401


def test_a_revoked_token_is_401(fresh_sandbox: SandboxThread) -> None:
    token = cloud_token(fresh_sandbox)
    fresh_sandbox.grants.revoke_token(token)
    answer = requests.post(sign_url(fresh_sandbox, "signBlob"), headers=bearer(token), json={"payload": "e30="},
                           verify=fresh_sandbox.info["ca_cert"], timeout=10)
    assert answer.status_code == 401


def test_a_token_without_cloud_platform_is_403_insufficient_scopes(sandbox: SandboxThread,
                                                                    api: requests.Session) -> None:
    token = cloud_token(sandbox, scopes=(MAIL_SCOPE, DIRECTORY_SCOPE))
    for answer, method in ((api.post(sign_url(sandbox, "signBlob"), headers=bearer(token), json={"payload": "e30="},
                                     timeout=10), "google.iam.credentials.v1.IAMCredentials.SignBlob"),
                           (api.get(get_url(sandbox), headers=bearer(token), timeout=10),
                            "google.iam.admin.v1.IAM.GetServiceAccount")):
        assert answer.status_code == 403
        assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
        error = error_of(answer)
        assert error["message"] == "Request had insufficient authentication scopes."
        assert error["status"] == "PERMISSION_DENIED"
        assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
        assert error["details"][0]["metadata"]["method"] == method


@pytest.mark.parametrize("rpc", ["signBlob", "signJwt"])
def test_a_caller_without_the_role_or_another_account_is_403_permission_denied(sandbox: SandboxThread,
                                                                              api: requests.Session, rpc: str) -> None:
    permission = f"iam.serviceAccounts.{rpc}"
    expected = {"code": 403, "message": f"Permission '{permission}' denied on resource (or it may not exist).",
                "status": "PERMISSION_DENIED",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
                             "domain": "iam.googleapis.com", "metadata": {"permission": permission}}]}
    payload = {"signBlob": "e30=", "signJwt": "{}"}[rpc]
    for url, token, body in (
            (sign_url(sandbox, rpc), cloud_token(sandbox, NOT_CREATOR), {"payload": payload}),
            (sign_url(sandbox, rpc, "other@mailkit-sandbox.iam.gserviceaccount.com"), cloud_token(sandbox),
             {"payload": payload}),  # exists or not, Google does not say
            (sign_url(sandbox, rpc), cloud_token(sandbox), {"payload": payload, "delegates": [
                "projects/-/serviceAccounts/other@mailkit-sandbox.iam.gserviceaccount.com"]})):
        answer = api.post(url, headers=bearer(token), json=body, timeout=10)
        assert answer.status_code == 403, (url, answer.text)
        assert error_of(answer) == expected


@pytest.mark.parametrize(("rpc", "body", "message"), [
    ("signBlob", b"not json", "Invalid JSON payload received. Unexpected token."),
    ("signBlob", b"[1, 2]", "Invalid JSON payload received. Unexpected token."),
    ("signBlob", b'{"payload": "e30=", "extra": 1}', 'Invalid JSON payload received. Unknown name "extra": Cannot '
                                                      'find field.'),
    ("signBlob", b'{"payload": "not base64!"}', "Invalid value at 'payload' (TYPE_BYTES), \"not base64!\""),
    ("signBlob", b'{"payload": 12}', "Invalid value at 'payload' (TYPE_BYTES), 12"),
    ("signBlob", b'{"payload": ""}', "Request contains an invalid argument."),
    ("signBlob", b"{}", "Request contains an invalid argument."),
    ("signJwt", b'{"payload": 12}', "Invalid value at 'payload' (TYPE_STRING), 12"),
    ("signJwt", b'{"payload": "not claims"}', "Request contains an invalid argument."),
    ("signJwt", b'{"payload": "[1]"}', "Request contains an invalid argument."),
    ("signJwt", json.dumps({"payload": json.dumps({"exp": 1})}).encode(), "Request contains an invalid argument."),
    ("signJwt", json.dumps({"payload": json.dumps({"exp": int(time.time()) + 13 * 3600})}).encode(),
     "Request contains an invalid argument."),
])
def test_a_bad_body_or_payload_is_400_invalid_argument(sandbox: SandboxThread, api: requests.Session, rpc: str,
                                                       body: bytes, message: str) -> None:
    answer = api.post(sign_url(sandbox, rpc), headers={**bearer(cloud_token(sandbox)),
                                                       "Content-Type": "application/json"}, data=body, timeout=10)
    assert answer.status_code == 400, answer.text
    error = error_of(answer)
    assert error["message"] == message and error["status"] == "INVALID_ARGUMENT"


def test_url_safe_unpadded_base64_is_accepted_as_protobuf_json_does(sandbox: SandboxThread,
                                                                    api: requests.Session) -> None:
    blob = bytes(range(250, 256))  # '+' and '/' in standard base64
    token = cloud_token(sandbox)
    signed = [api.post(sign_url(sandbox, "signBlob"), headers=bearer(token), json={"payload": text}, timeout=10)
              for text in (base64.b64encode(blob).decode(), base64.urlsafe_b64encode(blob).decode().rstrip("="))]
    assert [a.status_code for a in signed] == [200, 200]
    assert signed[0].json()["signedBlob"] == signed[1].json()["signedBlob"]  # PKCS#1 v1.5 is deterministic


def test_other_methods_and_paths_are_googles_404(sandbox: SandboxThread, api: requests.Session) -> None:
    token = bearer(cloud_token(sandbox))
    assert api.get(sign_url(sandbox, "signBlob"), headers=token, timeout=10).status_code == 404
    assert api.post(sign_url(sandbox, "generateIdTokenX"), headers=token, json={}, timeout=10).status_code == 404
    assert api.post(get_url(sandbox) + ":signBlob", headers=token, json={}, timeout=10).status_code == 404


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rpc=st.sampled_from(["signBlob", "signJwt"]),
       body=st.one_of(st.binary(max_size=200),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                   lambda inner: st.lists(inner, max_size=3)
                                   | st.dictionaries(st.sampled_from(["payload", "delegates", "x"]), inner,
                                                     max_size=3), max_leaves=8).map(lambda v: json.dumps(v).encode()),
                      st.text(max_size=60).map(lambda p: json.dumps({"payload": p}).encode())))
def test_no_body_ever_gives_a_500(sandbox: SandboxThread, api: requests.Session, rpc: str, body: bytes) -> None:
    answer = api.post(sign_url(sandbox, rpc), headers={**bearer(cloud_token(sandbox)),
                                                       "Content-Type": "application/json"}, data=body, timeout=10)
    assert answer.status_code in (200, 400, 403), (body, answer.text)
    assert "error" in answer.json() or answer.status_code == 200


# --- the consent page --------------------------------------------------------------------------------
def test_any_account_may_consent_to_cloud_platform_and_use_it(sandbox_env: SandboxThread) -> None:
    info = sandbox_env.info
    redirect_uri = "http://127.0.0.1:8765/"
    url = f"{info['pages']}/o/oauth2/v2/auth?" + urlencode({
        "client_id": sandbox_env.client_id, "redirect_uri": redirect_uri, "response_type": "code",
        "scope": CLOUD_PLATFORM_SCOPE, "login_hint": CREATOR, "access_type": "offline"})
    landed = approve(url)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    secret = json.loads(Path(info["client_config"]).read_text())["installed"]["client_secret"]
    tokens = requests.post(f"{info['http']}/token", verify=info["ca_cert"], timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "client_id": sandbox_env.client_id, "client_secret": secret}).json()
    assert tokens["scope"] == CLOUD_PLATFORM_SCOPE
    answer = requests.get(get_url(sandbox_env), headers=bearer(tokens["access_token"]), verify=info["ca_cert"],
                          timeout=10)
    assert answer.status_code == 200 and answer.json()["email"] == sa_email(sandbox_env)

"""IMAP sign-in check against the sandbox's imap.gmail.com: steps, statuses, redaction, XOAUTH2."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket

from keyring.errors import PasswordDeleteError

from mailkit.checks.imap import Response, capabilities, check_imap, check_imap_account, offered_mechanisms, quote
from mailkit.checks.results import Credentials, Timeouts
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.secrets.backends import SandboxFileKeyring
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import access_token

APP_PASSWORD = "qwhk pznr tvbe lmsa"  # facturas.lupita@gmail.com's, in mailkit/assets/sandbox/accounts.toml
FAST = Timeouts(dns=3, connect=3, tls=3, reply=5)


def gmail(email: str = "facturas.lupita@gmail.com", **kw: object):
    return build_account(email, "lupita", provider_key="gmail", auth=kw.pop("auth", "app_password"),
                         allow_insecure="imap_host" in kw, **kw)


def workspace_account(email: str, auth: str = "app_password"):
    return build_account(email, "kowalski", provider_key="workspace", auth=auth)


def run(coro):
    return asyncio.run(coro)


# --- pure parts ---------------------------------------------------------------------------------
def test_quote_escapes_backslash_and_quote():
    assert quote('a"b\\c') == '"a\\"b\\\\c"'


def test_capabilities_from_untagged_and_response_code():
    caps = capabilities(["* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN", "OK [CAPABILITY IMAP4rev1 IDLE]"])
    assert {"SASL-IR", "AUTH=XOAUTH2", "AUTH=PLAIN", "IDLE"} <= caps
    assert offered_mechanisms(caps) == {"XOAUTH2", "PLAIN", "LOGIN"}
    assert offered_mechanisms({"LOGINDISABLED", "AUTH=PLAIN"}) == {"PLAIN"}


def test_response_evidence_keeps_webalert_and_the_tagged_reply():
    response = Response("NO", "[ALERT] Please log in via your web browser (Failure)",
                        ["* CAPABILITY IMAP4rev1", "* NO [WEBALERT https://accounts.google.com/x] Web login required."])
    assert response.evidence.splitlines() == ["* NO [WEBALERT https://accounts.google.com/x] Web login required.",
                                              "NO [ALERT] Please log in via your web browser (Failure)"]


# --- against the sandbox --------------------------------------------------------------------------
def test_app_password_signs_in_and_selects_inbox(sandbox_env):
    account = gmail()
    result = run(check_imap(account, Credentials("PASSWORD", account.email, APP_PASSWORD.replace(" ", "")),
                            timeouts=FAST))
    assert result.status is Status.OK, result.transcript
    assert result.protocol == "imap"
    assert [s.name for s in result.steps] == ["dns", "tcp", "tls", "greeting", "auth", "select"]
    assert all(s.ok for s in result.steps)
    assert "INBOX" in result.steps[-1].detail
    text = "\n".join(result.transcript)
    assert "AUTHENTICATE PLAIN [redacted]" in text
    assert "qwhkpznrtvbelmsa" not in text
    assert base64.b64encode(b"\0facturas.lupita@gmail.com\0qwhkpznrtvbelmsa").decode() not in text
    assert "LOGOUT" in text


def test_login_command_when_asked_for(sandbox_env):
    account = gmail()
    result = run(check_imap(account, Credentials("LOGIN", account.email, "QWHKPZNRTVBELMSA"), timeouts=FAST))
    assert result.ok
    assert 'LOGIN "facturas.lupita@gmail.com" [redacted]' in "\n".join(result.transcript)


def test_wrong_app_password_is_bad_credentials(sandbox_env):
    account = gmail()
    result = run(check_imap(account, Credentials("PASSWORD", account.email, "abcdabcdabcdabcd"), timeouts=FAST))
    assert result.status is Status.BAD_CREDENTIALS
    assert result.failed_step == "auth"
    assert "[AUTHENTICATIONFAILED]" in result.diagnosis.raw
    assert "myaccount.google.com/apppasswords" in result.to_dict()["remedy"]


def test_account_password_on_a_2sv_account_needs_an_app_password(sandbox_env):
    account = gmail("recuperacion.lupita@gmail.com")
    result = run(check_imap(account, Credentials("PASSWORD", account.email, "Recupera-2020!"), timeouts=FAST))
    assert result.status is Status.APP_PASSWORD_REQUIRED
    assert "Application-specific password required" in result.diagnosis.raw
    assert "Recupera-2020!" not in "\n".join(result.transcript)


def test_web_login_required(sandbox_env):
    account = workspace_account("crm@biuro-kowalski.example")
    result = run(check_imap(account, Credentials("PASSWORD", account.email, "lkjhgfdspoiuytre"), timeouts=FAST))
    assert result.status is Status.WEB_LOGIN_REQUIRED
    assert "WEBALERT" in "\n".join(result.transcript)
    assert result.to_dict("es")["cause"] != result.to_dict("en")["cause"]


def test_xoauth2_with_a_sandbox_token(sandbox_env):
    account = workspace_account("facturacion@ferreteria-delnorte.example", auth="oauth2")
    token = access_token(sandbox_env, account.email)
    result = run(check_imap(account, Credentials("XOAUTH2", account.email, token), timeouts=FAST))
    assert result.ok, result.transcript
    assert "XOAUTH2 as facturacion@ferreteria-delnorte.example" in result.steps[4].detail
    assert token not in "\n".join(result.transcript)


def test_xoauth2_from_a_stored_token_bundle(sandbox_env, workspace):
    """The refresh token in keyring is exchanged at the sandbox's /token, then used for XOAUTH2."""
    from mailkit.oauth.store import TokenBundle, save_bundle

    account = workspace_account("facturacion@ferreteria-delnorte.example", auth="oauth2")
    client_id = sandbox_env.sandbox.client_id
    code = sandbox_env.grants.issue_code(account.email, client_id, (MAIL_SCOPE,), "http://127.0.0.1:8080/")
    grant = sandbox_env.grants.redeem_code(code, client_id, "http://127.0.0.1:8080/", "")
    save_bundle(workspace, account.email, TokenBundle(grant.refresh_token, client_id=client_id, scopes=(MAIL_SCOPE,),
                                                      authorized_email=account.email))
    result = run(check_imap_account(account, workspace=workspace, timeouts=FAST))
    assert result.ok, result.to_dict()
    assert result.steps[4].detail.startswith("XOAUTH2 as facturacion@")
    assert grant.refresh_token not in "\n".join(result.transcript)


def test_bad_token_is_refreshed_once_then_accepted(sandbox_env):
    account = workspace_account("facturacion@ferreteria-delnorte.example", auth="oauth2")
    calls: list[int] = []

    async def refresh() -> str:
        calls.append(1)
        return access_token(sandbox_env, account.email)

    creds = Credentials("XOAUTH2", account.email, "ya29.expired-token-abcdefghijkl", refresh=refresh)
    result = run(check_imap(account, creds, timeouts=FAST))
    assert result.ok and calls == [1]
    assert "refreshing the access token once" in "\n".join(result.transcript)


def test_bad_token_without_refresh_is_oauth_token_invalid(sandbox_env):
    account = workspace_account("facturacion@ferreteria-delnorte.example", auth="oauth2")
    result = run(check_imap(account, Credentials("XOAUTH2", account.email, "ya29.bogus-token-abcdefghijkl"),
                            timeouts=FAST))
    assert result.status is Status.OAUTH_TOKEN_INVALID
    assert json.loads(result.diagnosis.raw.split("(challenge ", 1)[1].rstrip(")"))["status"] == "400"


def test_stored_app_password_is_used_by_check_imap_account(sandbox_env, workspace):
    account = gmail()
    secret_store(workspace).set(account.email, SecretKind.APP_PASSWORD, APP_PASSWORD)
    assert run(check_imap_account(account, workspace=workspace, timeouts=FAST)).ok


def test_nothing_stored_is_not_configured(sandbox_env, workspace):
    result = run(check_imap_account(gmail(), workspace=workspace, timeouts=FAST))
    assert result.status is Status.NOT_CONFIGURED
    assert result.failed_step == "auth"


def test_nothing_listening_is_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    account = gmail(imap_host="127.0.0.1", imap_port=port)
    result = run(check_imap(account, Credentials("PASSWORD", account.email, "x" * 16), timeouts=FAST))
    assert result.status is Status.CONNECTION_REFUSED
    assert result.failed_step == "tcp"


def test_plain_text_server_on_the_tls_port_is_a_tls_error(sandbox_env):
    host, port = sandbox_env.info["smtp"]["host"], sandbox_env.info["smtp"]["port"]  # greets in plain text
    account = gmail(imap_host=host, imap_port=port)
    result = run(check_imap(account, Credentials("PASSWORD", account.email, "x" * 16), timeouts=FAST))
    assert result.status is Status.TLS_ERROR
    assert result.failed_step == "tls"


def test_cli_check_with_imap(sandbox_env, workspace):
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inventory.upsert_account(gmail("recuperacion.lupita@gmail.com"))
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "MAILKIT_LANG": "es"}
    sandbox_secrets = SandboxFileKeyring(sandbox_env.state_dir / "sandbox-secrets.json")
    try:
        done = run_mailkit("secret", "set", "recuperacion.lupita@gmail.com", "--no-test",
                           input="abcd efgh ijkl mnop\n", home=workspace.home, env=env)
        assert done.returncode == 0, done.stderr
        done = run_mailkit("check", "recuperacion.lupita@gmail.com", "--imap", "--json", home=workspace.home, env=env)
    finally:
        with contextlib.suppress(PasswordDeleteError):
            sandbox_secrets.delete_password("mailkit", "recuperacion.lupita@gmail.com/app_password")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert (data["imap"]["protocol"], data["imap"]["status"]) == ("imap", "bad_credentials")
    assert [s["name"] for s in data["imap"]["steps"]][-1] == "auth"
    assert data["imap"]["cause"].startswith("Google no aceptó")
    assert "abcdefghijklmnop" not in done.stdout


def test_dead_refresh_token_after_a_refused_token_is_a_result_not_an_exception(sandbox_env):
    """The refresh after a refusal can fail (revoked grant): that is the check's answer, as over SMTP."""
    from mailkit.errors import OAuthError

    account = workspace_account("facturacion@ferreteria-delnorte.example", auth="oauth2")

    async def refresh() -> str:
        raise OAuthError("the stored refresh token no longer works (invalid_grant)", Status.OAUTH_REAUTH_REQUIRED)

    creds = Credentials("XOAUTH2", account.email, "ya29.expired-token-abcdefghijkl", refresh=refresh)
    result = run(check_imap(account, creds, timeouts=FAST))
    assert result.status is Status.OAUTH_REAUTH_REQUIRED
    assert result.failed_step == "auth"

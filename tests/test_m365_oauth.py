"""Microsoft 365 OAuth end to end against the sandbox's Microsoft personality: msal over real HTTPS, real
loopback redirects and device-code polling, tokens kept only in keyring, XOAUTH2 on the Outlook SMTP/IMAP."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
import threading
import time

import keyring
import pytest
from keyring.backends import fail

from mailkit.checks.account import check_account
from mailkit.checks.imap import check_imap_account
from mailkit.endpoints import route
from mailkit.errors import OAuthError, UsageError
from mailkit.inventory import Inventory
from mailkit.oauth.microsoft import MicrosoftDeviceFlow, MicrosoftTokenSource
from mailkit.oauth.microsoft_cache import load_bundle_view
from mailkit.oauth.microsoft_client import microsoft_client, register_microsoft_client
from mailkit.oauth.scopes import MS_IMAP_SCOPE, MS_SMTP_SEND_SCOPE
from mailkit.oauth.store import GrantStore
from mailkit.oauth.tokens import TokenSource, grant_status, revoke
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import FACTURAS, VENTAS, account, browser_login

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

APP_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def stored(ws: Workspace, email: str = FACTURAS) -> dict:
    data = secret_store(ws).get_json(email, SecretKind.OAUTH_TOKEN)
    assert data is not None
    return data


def facts(ws: Workspace, email: str = FACTURAS):
    with Inventory.open(ws) as inventory:
        return GrantStore(inventory).facts(email)


def device_login(ws: Workspace, email: str = FACTURAS, *, pick: str | None = None, cancel: bool = False,
                 untick: tuple[str, ...] = (), approve_after: float = 1.2) -> tuple:
    """A device-code sign-in: mailkit polls while a person, a little later, enters the code elsewhere."""
    flow = MicrosoftDeviceFlow(account(ws, email), ws)

    def person() -> None:
        time.sleep(approve_after)  # at least one poll answers authorization_pending first
        approve(f"{flow.verification_uri}?otc={flow.user_code}&login_hint={pick or email}", cancel=cancel,
                untick=untick)

    helper = threading.Thread(target=person)
    helper.start()
    started = time.monotonic()
    result = flow.run(20)
    helper.join()
    return flow, result, time.monotonic() - started


# --- consent ----------------------------------------------------------------------------------------

def test_loopback_consent_keeps_the_msal_cache_in_keyring_and_xoauth2_checks_end_ok(mws: Workspace) -> None:
    result = browser_login(mws)
    assert result.ok and result.status is Status.OK, result.message
    assert result.authorized_email == FACTURAS and {MS_SMTP_SEND_SCOPE, MS_IMAP_SCOPE} <= set(result.scopes)
    data = stored(mws)
    cache = json.loads(data["msal_cache"])
    assert data["refresh_token"] and data["refresh_token"] in json.dumps(cache["RefreshToken"])
    assert data["meta"]["provider"] == "microsoft" and data["meta"]["authorized_email"] == FACTURAS
    row = facts(mws)
    assert row.status == "ok" and row.mail_scope and row.authorized_email == FACTURAS
    checked = asyncio.run(check_account(account(mws), workspace=mws))
    assert checked.ok, checked.to_dict("en")
    assert any(step.name == "auth" and "XOAUTH2" in step.detail for step in checked.steps)
    assert any("Microsoft ESMTP MAIL Service ready" in line for line in checked.transcript)
    imap = asyncio.run(check_imap_account(account(mws), workspace=mws))
    assert imap.ok, imap.to_dict("en")


def test_device_code_consent_polls_until_the_code_is_used(mws: Workspace) -> None:
    flow, result, took = device_login(mws)
    assert flow.user_code and flow.verification_uri.endswith("/devicelogin") and flow.user_code in flow.message
    assert result.ok, result.message
    assert took >= 1.0  # it waited through authorization_pending, then finished
    assert TokenSource.for_account(account(mws), mws).configured()
    assert asyncio.run(check_account(account(mws), workspace=mws)).ok


def test_device_code_refused_on_the_page_is_denied_and_nothing_is_stored(mws: Workspace) -> None:
    _, result, _ = device_login(mws, cancel=True)
    assert (result.outcome, result.status, result.stored) == ("denied", Status.NOT_CONFIGURED, False)
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is None


def test_device_code_nobody_enters_the_code_times_out(mws: Workspace) -> None:
    flow = MicrosoftDeviceFlow(account(mws), mws)
    result = flow.run(1.5)
    assert (result.outcome, result.status, result.stored) == ("timeout", Status.TIMEOUT, False)


def test_device_code_cancel_from_another_thread_returns_promptly(mws: Workspace) -> None:
    flow = MicrosoftDeviceFlow(account(mws), mws)
    threading.Timer(0.3, flow.cancel).start()
    started = time.monotonic()
    result = flow.run(30)
    assert result.outcome == "cancelled" and time.monotonic() - started < 3


def test_another_mailbox_picked_is_wrong_account_and_nothing_is_stored(mws: Workspace) -> None:
    result = browser_login(mws, pick=VENTAS)
    assert (result.ok, result.status, result.authorized_email) == (False, Status.OAUTH_WRONG_ACCOUNT, VENTAS)
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is None and facts(mws) is None
    _, device, _ = device_login(mws, pick=VENTAS)
    assert device.status is Status.OAUTH_WRONG_ACCOUNT


def test_consent_without_smtp_send_is_scope_missing(mws: Workspace) -> None:
    result = browser_login(mws, untick=(MS_SMTP_SEND_SCOPE,))
    assert (result.ok, result.status, result.stored) == (False, Status.OAUTH_SCOPE_MISSING, False)
    assert "SMTP.Send" in result.message and MS_IMAP_SCOPE in result.scopes
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is None


def test_consent_without_offline_access_keeps_nothing(mws: Workspace) -> None:
    result = browser_login(mws, untick=("offline_access",))
    assert (result.stored, result.status) == (False, Status.OAUTH_REAUTH_REQUIRED)


def test_cancel_on_microsofts_page_is_denied(mws: Workspace) -> None:
    result = browser_login(mws, cancel=True)
    assert (result.outcome, result.stored) == ("denied", False)


def test_paste_fallback_and_cancel_come_from_the_shared_consent_flow(mws: Workspace) -> None:
    from mailkit.oauth.microsoft import MicrosoftConsentFlow

    flow = MicrosoftConsentFlow(account(mws), mws)
    assert flow.redirect_uri.startswith("http://localhost:")
    with pytest.raises(UsageError):
        flow.complete_from_url("http://localhost/?code=x&state=not-ours")
    result = flow.complete_from_url(approve(flow.authorization_url))
    assert result.ok, result.message
    other = MicrosoftConsentFlow(account(mws), mws)
    assert other.cancel().outcome == "cancelled" and other.run(1).outcome == "cancelled"


# --- tokens -----------------------------------------------------------------------------------------

def test_expired_access_token_is_refreshed_silently_with_msal(mws: Workspace, m365: SandboxThread) -> None:
    assert browser_login(mws).ok
    before = stored(mws)
    data = dict(before, expiry=time.time() - 60)  # the stored access token has run out
    secret_store(mws).set_json(FACTURAS, SecretKind.OAUTH_TOKEN, data)
    m365.grants.expire_access_tokens(FACTURAS)  # ...and Microsoft agrees
    source = TokenSource.for_account(account(mws), mws)
    assert isinstance(source, MicrosoftTokenSource)
    fresh = asyncio.run(source.access_token())
    assert fresh != before["access_token"] and load_bundle_view(mws, FACTURAS).fresh()
    assert facts(mws).last_refresh_at is not None
    assert asyncio.run(check_account(account(mws), workspace=mws)).ok


def test_token_rejected_by_the_server_is_replaced_once(mws: Workspace, m365: SandboxThread) -> None:
    assert browser_login(mws).ok
    m365.grants.expire_access_tokens(FACTURAS)  # the server refuses the token mailkit still thinks fresh
    source = TokenSource.for_account(account(mws), mws)
    old = asyncio.run(source.access_token())
    new = source.access_token_sync(rejected=old)
    assert new != old and source.access_token_sync(rejected=old) == new  # a second caller finds the fresh one


def test_revoked_grant_needs_a_new_consent(mws: Workspace, m365: SandboxThread) -> None:
    assert browser_login(mws).ok
    m365.grants.revoke_account(FACTURAS)
    with pytest.raises(OAuthError) as refused:
        TokenSource.for_account(account(mws), mws).access_token_sync(force_refresh=True)
    assert refused.value.status is Status.OAUTH_REAUTH_REQUIRED and "mailkit oauth login" in str(refused.value)
    assert facts(mws).status == Status.OAUTH_REAUTH_REQUIRED.value


def test_many_callers_after_expiry_cause_one_refresh(mws: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    assert browser_login(mws).ok
    secret_store(mws).set_json(FACTURAS, SecretKind.OAUTH_TOKEN, dict(stored(mws), expiry=time.time() - 60))
    source = TokenSource.for_account(account(mws), mws)

    async def many() -> set[str]:
        return set(await asyncio.gather(*(source.access_token() for _ in range(12))))

    with caplog.at_level("INFO", logger="mailkit.oauth"):
        tokens = asyncio.run(many())
    assert len(tokens) == 1
    assert sum("refreshed the Microsoft access token" in r.getMessage() for r in caplog.records) == 1


def test_forget_removes_the_cache_and_the_facts(mws: Workspace) -> None:
    assert browser_login(mws).ok
    with Inventory.open(mws) as inventory:
        row = {r["email"]: r for r in grant_status(inventory, mws)}[FACTURAS]
    assert (row["status"], row["configured"], row["scopes_ok"]) == ("ok", True, True)
    outcome = revoke(account(mws), mws)
    assert outcome["deleted_locally"] and outcome["provider"] == "microsoft"
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is None and facts(mws) is None
    with Inventory.open(mws) as inventory:
        assert {r["email"]: r for r in grant_status(inventory, mws)}[FACTURAS]["status"] == "not_configured"


def test_tokens_live_only_in_keyring_never_in_sqlite_or_transcripts(mws: Workspace, memory_keyring) -> None:
    assert browser_login(mws).ok
    checked = asyncio.run(check_account(account(mws), workspace=mws))
    data = stored(mws)
    cache = json.loads(data["msal_cache"])
    secrets = {data["refresh_token"], data["access_token"]} | {
        entry["secret"] for section in ("AccessToken", "RefreshToken", "IdToken")
        for entry in cache.get(section, {}).values()}
    assert len(secrets) >= 3
    files = [p for p in mws.home.rglob("*") if p.is_file()]
    assert files
    texts = [p.read_bytes().decode("utf-8", "replace") for p in files]
    with sqlite3.connect(mws.home / "mailkit.sqlite") as conn:
        texts.append("\n".join(str(row) for table, in conn.execute("SELECT name FROM sqlite_master WHERE "
                                                                     "type='table'")
                               for row in conn.execute(f"SELECT * FROM {table}")))
    texts += [json.dumps(checked.to_dict("en")), "\n".join(checked.transcript)]
    for secret in secrets:
        assert not any(secret in text for text in texts)


# --- the admin's app ---------------------------------------------------------------------------------

def test_register_the_entra_app_per_workspace_and_per_company(mws: Workspace) -> None:
    sandbox_app = microsoft_client(mws)
    assert sandbox_app.client_id and not (mws.home / "microsoft_clients.json").exists()
    register_microsoft_client(mws, APP_ID, TENANT_ID)
    register_microsoft_client(mws, APP_ID.replace("0b1c", "1b1c"), "contoso-mx.example", "contoso")
    assert microsoft_client(mws).client_id == APP_ID
    assert microsoft_client(mws, "contoso").tenant == "contoso-mx.example"
    assert microsoft_client(mws, "other").client_id == APP_ID
    assert stat.S_IMODE((mws.home / "microsoft_clients.json").stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="client-id"):
        register_microsoft_client(mws, "not-a-guid", TENANT_ID)
    with pytest.raises(UsageError, match="tenant"):
        register_microsoft_client(mws, APP_ID, "no tenant here")


def test_an_unknown_app_or_tenant_is_refused_at_microsoft(mws: Workspace, m365: SandboxThread) -> None:
    register_microsoft_client(mws, APP_ID, m365.info["microsoft"]["tenant"])  # not the sandbox's app
    with pytest.raises(OAuthError) as refused:
        MicrosoftDeviceFlow(account(mws), mws)
    assert refused.value.status is Status.NOT_CONFIGURED and "AADSTS700016" in str(refused.value)
    register_microsoft_client(mws, APP_ID, TENANT_ID)  # a tenant this Microsoft does not know
    with pytest.raises(OAuthError, match="does not know the tenant") as unknown:
        MicrosoftDeviceFlow(account(mws), mws)
    assert unknown.value.status is Status.NOT_CONFIGURED
    result = asyncio.run(check_account(account(mws), workspace=mws))
    assert not result.ok


def test_cli_registers_the_app_and_refuses_bad_ids(workspace: Workspace) -> None:
    done = run_mailkit("oauth", "client", "--microsoft", "--tenant", TENANT_ID, "--client-id", APP_ID, "--json",
                       home=workspace.home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["client_id"] == APP_ID
    bad = run_mailkit("oauth", "client", "--microsoft", "--tenant", TENANT_ID, "--client-id", "nope",
                      home=workspace.home)
    assert bad.returncode == 2 and "--client-id 'nope'" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


# --- routing ------------------------------------------------------------------------------------------

def test_microsoft_hosts_route_to_the_sandbox_only_in_sandbox_mode(mws: Workspace, m365: SandboxThread,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ms = m365.info["microsoft"]
    assert (route("smtp.office365.com", 587).host, route("smtp.office365.com", 587).port) == (
        ms["smtp"]["host"], ms["smtp"]["port"])
    assert route("outlook.office365.com", 993).port == ms["imaps"]["port"]
    assert microsoft_client(mws).authority.startswith(m365.info["http"])
    monkeypatch.delenv("MAILKIT_SANDBOX")
    assert route("smtp.office365.com", 587).host == "smtp.office365.com"
    with pytest.raises(OAuthError, match="no Microsoft app registered"):
        microsoft_client(mws)


# --- the command line, as an admin runs it --------------------------------------------------------------

def test_cli_device_code_login_then_check_ends_ok(mws: Workspace, m365: SandboxThread) -> None:
    import os
    import subprocess
    import sys

    keyring.set_keyring(fail.Keyring())  # as in the subprocess: the sandbox's file store holds the fake secrets
    env = {**os.environ, "MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND":
           "keyring.backends.fail.Keyring", "PYTHONIOENCODING": "utf-8"}
    child = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(mws.home), "oauth", "login", FACTURAS,
                              "--device-code", "--timeout", "30"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert "enter the code" in line, line
        code = line.rsplit(" ", 1)[-1].strip()
        uri = line.split("open ", 1)[1].split(" ", 1)[0]
        approve(f"{uri}?otc={code}&login_hint={FACTURAS}")
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out + err
    assert "authorized" in out
    check = run_mailkit("check", FACTURAS, "--json", home=mws.home, env={
        "MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert '"ok"' in check.stdout


def test_cli_loopback_login_with_the_pasted_address(mws: Workspace, m365: SandboxThread) -> None:
    """`mailkit oauth login` for a Microsoft mailbox on a machine whose browser cannot reach the loopback port:
    the admin consents elsewhere and pastes the address the browser ended on."""
    import os
    import subprocess
    import sys

    keyring.set_keyring(fail.Keyring())
    env = {**os.environ, "MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND":
           "keyring.backends.fail.Keyring", "PYTHONIOENCODING": "utf-8"}
    child = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(mws.home), "oauth", "login", FACTURAS,
                              "--no-browser", "--timeout", "30"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [child.stdout.readline(), child.stdout.readline()]
        url = lines[1].strip()
        assert url.startswith(m365.info["pages"] + "/") and "/oauth2/v2.0/authorize?" in url, lines
        ended_on = approve(url)
        assert ended_on.startswith("http://localhost:")
        out, err = child.communicate(ended_on + "\n", timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out + err
    assert "authorized" in out and FACTURAS in out


def test_a_check_whose_token_microsoft_refuses_refreshes_once_and_ends_ok(mws: Workspace, m365: SandboxThread) -> None:
    assert browser_login(mws).ok
    old = stored(mws)["access_token"]
    m365.grants.expire_access_tokens(FACTURAS)  # mailkit still thinks its token fresh; Exchange says 535 5.7.3
    checked = asyncio.run(check_account(account(mws), workspace=mws))
    assert checked.ok, checked.to_dict("en")
    assert any("5.7.3" in line for line in checked.transcript) and stored(mws)["access_token"] != old


def test_cli_revoke_of_a_microsoft_mailbox_forgets_it_and_says_how_to_cut_it_there(mws: Workspace,
                                                                                   m365: SandboxThread) -> None:
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: the sandbox's file store holds the fake secrets
    assert browser_login(mws).ok
    env = {"MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    status = run_mailkit("oauth", "status", "--json", home=mws.home, env=env)
    rows = {r["email"]: r for r in json.loads(status.stdout)}
    assert status.returncode == 1 and rows[VENTAS]["status"] == "not_configured"  # never consented
    assert (rows[FACTURAS]["status"], rows[FACTURAS]["scopes_ok"]) == ("ok", True)
    done = run_mailkit("oauth", "revoke", FACTURAS, home=mws.home, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deleted the token" in done.stdout and "Revoke sessions" in done.stdout
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is None

"""OAuth 2.0 end to end against the sandbox: real HTTPS, real loopback redirects, real SMTP (XOAUTH2).

The "browser" is `requests` doing what a browser does: GET the authorization URL, read the consent
form, POST it (with some boxes unticked, or another account chosen), then GET the redirect on
mailkit's loopback port.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from typer.testing import CliRunner

from mailkit.checks.account import check_account
from mailkit.cli import app
from mailkit.errors import OAuthError, UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.client import MAIL_SCOPE, active_client, parse_client_config, register_client
from mailkit.oauth.flow import ConsentFlow, ConsentResult
from mailkit.oauth.store import GrantStore, load_bundle, save_bundle, utcnow
from mailkit.oauth.tokens import TokenSource, grant_status, revoke
from mailkit.sandbox.runner import SandboxThread
from mailkit.status import Status
from mailkit.workspace import Workspace

FACTURACION = "facturacion@ferreteria-delnorte.example"
CITAS = "citas.tallerruiz@gmail.com"
AVISOS = "avisos.tallerruiz@gmail.com"
ACCOUNTS = {FACTURACION: ("ferreteria-delnorte", "workspace"), CITAS: ("taller-ruiz", "gmail"),
            AVISOS: ("taller-ruiz", "gmail")}
REFRESHED = "refreshed the OAuth access token"


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_ca_bundle_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """REQUESTS_CA_BUNDLE would beat the scripted browser's `verify`: only the sandbox CA must count."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def add_accounts(workspace: Workspace) -> Workspace:
    with Inventory.open(workspace) as inventory:
        for email, (company, provider) in ACCOUNTS.items():
            inventory.upsert_company(Company(company, company.replace("-", " ").title()))
            inventory.upsert_account(build_account(email, company, provider_key=provider, auth="oauth2"))
    return workspace


@pytest.fixture
def ws(workspace: Workspace, sandbox_env: SandboxThread) -> Workspace:
    """A workspace with the accounts, in sandbox mode on the shared sandbox (whose grants stay untouched)."""
    return add_accounts(workspace)


@pytest.fixture
def own(fresh_sandbox: SandboxThread) -> SandboxThread:
    """A sandbox of its own, for tests that revoke or expire grants."""
    return fresh_sandbox


@pytest.fixture
def own_ws(workspace: Workspace, fresh_sandbox: SandboxThread) -> Workspace:
    return add_accounts(workspace)


def account(ws: Workspace, email: str = FACTURACION):
    with Inventory.open(ws) as inventory:
        return inventory.account(email)


# --- a scripted browser -----------------------------------------------------------------------
class Page(HTMLParser):
    """The forms, inputs, buttons and links of one page."""

    def __init__(self, text: str):
        super().__init__()
        self.forms: list[dict] = []
        self.links: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "fields": []})
        elif tag in ("input", "button") and self.forms:
            self.forms[-1]["fields"].append({"tag": tag, **a})
        elif tag == "a" and a.get("id"):
            self.links[a["id"]] = a.get("href", "")


class Browser:
    """Follows Google's pages as a person would; `ends_on` is where the browser lands (the loopback URL)."""

    def __init__(self, ca: str):
        self.session = requests.Session()
        self.session.verify = ca

    def consent(self, url: str, *, untick: tuple[str, ...] = (), choose: str | None = None,
                action: str = "allow") -> str:
        page = self.session.get(url, timeout=10)
        assert page.status_code == 200, page.text[-500:]
        if choose:
            chooser = self.session.get(urljoin(page.url, Page(page.text).links["switch-account"]), timeout=10)
            form = Page(chooser.text).forms[0]
            fields = {f["name"]: f["value"] for f in form["fields"] if f.get("type") == "hidden"}
            assert any(f.get("data-email") == choose for f in form["fields"])
            page = self.session.get(urljoin(chooser.url, form["action"]), params={**fields, "authuser": choose},
                                    timeout=10)
        form = Page(page.text).forms[0]
        data: list[tuple[str, str]] = [(f["name"], f["value"]) for f in form["fields"] if f.get("type") == "hidden"]
        data += [("scope", f["value"]) for f in form["fields"]
                 if f.get("name") == "scope" and "checked" in f and f["value"] not in untick]
        data.append(("action", action))
        answer = self.session.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[-500:]
        return answer.headers["Location"]

    @staticmethod
    def arrive(location: str) -> requests.Response:
        """The browser following the redirect to mailkit's loopback receiver."""
        return requests.get(location, timeout=10)


def login(ws: Workspace, sandbox: SandboxThread, email: str = FACTURACION, *, timeout: float = 10,
          url_edit=None, **browse) -> ConsentResult:
    """A whole consent: the flow waits (async) while the browser consents and follows the redirect."""
    async def main() -> ConsentResult:
        flow = ConsentFlow(account(ws, email), ws)
        url = url_edit(flow.authorization_url) if url_edit else flow.authorization_url

        def browse_and_arrive() -> None:
            Browser.arrive(Browser(sandbox.info["ca_cert"]).consent(url, **browse))

        waiting = asyncio.create_task(flow.wait(timeout))
        await asyncio.to_thread(browse_and_arrive)
        return await waiting
    return asyncio.run(main())


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def grant_row(ws: Workspace, email: str = FACTURACION):
    with Inventory.open(ws) as inventory:
        return GrantStore(inventory).facts(email)


# --- the client JSON --------------------------------------------------------------------------
INSTALLED = {"installed": {"client_id": "1234-abc.apps.googleusercontent.com", "project_id": "acme",
                           "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                           "token_uri": "https://oauth2.googleapis.com/token",
                           "client_secret": "GOCSPX-not-really-secret-0001", "redirect_uris": ["http://localhost"]}}


def test_web_client_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="redirect_uri_mismatch") as caught:
        parse_client_config({"web": INSTALLED["installed"]}, "web.json")
    assert "Desktop app" in str(caught.value)
    with pytest.raises(UsageError, match="client_secret"):
        parse_client_config({"installed": {"client_id": "x"}})
    with pytest.raises(UsageError, match="not a JSON file"):
        (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
        register_client(Workspace(tmp_path / "ws"), tmp_path / "bad.json")


def test_register_client_keeps_a_private_copy_and_never_shows_the_secret(workspace: Workspace,
                                                                        tmp_path: Path) -> None:
    source = tmp_path / "client_secret_1234.json"
    source.write_text(json.dumps(INSTALLED), encoding="utf-8")
    client = register_client(workspace, source)
    assert stat.S_IMODE(workspace.oauth_client_path.stat().st_mode) == 0o600
    assert client.client_id == "1234-abc.apps.googleusercontent.com"
    assert "GOCSPX" not in repr(client) and "GOCSPX" not in json.dumps(client.describe())
    assert active_client(workspace).token_uri == "https://oauth2.googleapis.com/token"
    shown = CliRunner().invoke(app, ["--home", str(workspace.home), "oauth", "client", str(source)])
    assert shown.exit_code == 0 and "1234-abc" in shown.output and "GOCSPX" not in shown.output


def test_no_client_outside_the_sandbox_is_not_configured(workspace: Workspace) -> None:
    with pytest.raises(OAuthError) as caught:
        active_client(workspace)
    assert caught.value.status is Status.NOT_CONFIGURED and "oauth client FILE" in str(caught.value)


def test_sandbox_mode_routes_a_registered_client_to_the_sandbox(ws: Workspace, sandbox: SandboxThread,
                                                                tmp_path: Path) -> None:
    assert active_client(ws).client_id == sandbox.sandbox.client_id  # none registered: the sandbox's own
    (tmp_path / "c.json").write_text(json.dumps(INSTALLED), encoding="utf-8")
    register_client(ws, tmp_path / "c.json")
    assert active_client(ws).token_uri == sandbox.info["http"] + "/token"


# --- consent -------------------------------------------------------------------------------------
def test_consent_then_check_over_xoauth2_and_the_cli_check(ws: Workspace, sandbox: SandboxThread) -> None:
    result = login(ws, sandbox)
    assert result.ok and result.status is Status.OK, result.message
    assert result.authorized_email == FACTURACION and MAIL_SCOPE in result.scopes
    bundle = load_bundle(ws, FACTURACION)
    assert bundle is not None and bundle.refresh_token.startswith("1//") and bundle.fresh()
    facts = grant_row(ws)
    assert facts.status == "ok" and facts.authorized_email == FACTURACION and facts.mail_scope
    checked = asyncio.run(check_account(account(ws), workspace=ws))
    assert checked.ok, checked.to_dict("en")
    assert any(step.name == "auth" and "XOAUTH2" in step.detail for step in checked.steps)
    cli = CliRunner().invoke(app, ["--home", str(ws.home), "check", FACTURACION])
    assert cli.exit_code == 0, cli.output


def test_unticked_mail_scope_is_scope_missing_and_nothing_is_stored(ws: Workspace, sandbox: SandboxThread) -> None:
    result = login(ws, sandbox, untick=(MAIL_SCOPE,))
    assert (result.ok, result.status, result.stored) == (False, Status.OAUTH_SCOPE_MISSING, False)
    assert "Read, compose, send" in result.message
    assert "tick" in result.to_dict("en")["remedy"]
    assert load_bundle(ws, FACTURACION) is None and grant_row(ws) is None
    assert not TokenSource.for_account(account(ws), ws).configured()


def test_another_account_chosen_is_wrong_account(ws: Workspace, sandbox: SandboxThread) -> None:
    result = login(ws, sandbox, choose=CITAS)
    assert result.status is Status.OAUTH_WRONG_ACCOUNT and result.authorized_email == CITAS
    assert FACTURACION in result.message and load_bundle(ws, FACTURACION) is None and load_bundle(ws, CITAS) is None


def test_cancel_on_googles_page_then_an_immediate_retry_works(ws: Workspace, sandbox: SandboxThread) -> None:
    denied = login(ws, sandbox, action="deny")
    assert denied.outcome == "denied" and "cancelled in the browser" in denied.message and not denied.stored
    assert login(ws, sandbox).ok


def test_cancel_from_mailkit_returns_at_once_frees_the_port_and_retry_works(ws: Workspace,
                                                                            sandbox: SandboxThread) -> None:
    flow = ConsentFlow(account(ws), ws)
    port = urlsplit(flow.redirect_uri).port
    threading.Timer(0.2, flow.cancel).start()
    started = time.monotonic()
    result = flow.run(timeout=30)
    assert result.outcome == "cancelled" and time.monotonic() - started < 2
    assert port_is_free(port)
    assert login(ws, sandbox).ok


def test_async_cancel_and_timeout(ws: Workspace, sandbox: SandboxThread) -> None:
    async def main() -> tuple[ConsentResult, ConsentResult, float]:
        flow = ConsentFlow(account(ws), ws)
        asyncio.get_running_loop().call_later(0.1, flow.cancel)
        cancelled = await flow.wait(30)
        started = time.monotonic()
        timed_out = await ConsentFlow(account(ws), ws).wait(0.3)
        return cancelled, timed_out, time.monotonic() - started
    cancelled, timed_out, took = asyncio.run(main())
    assert cancelled.outcome == "cancelled"
    assert timed_out.status is Status.TIMEOUT and "0.3 s" in timed_out.message and took < 2
    assert login(ws, sandbox).ok


def test_timeout_frees_the_port_and_an_immediate_retry_works(ws: Workspace, sandbox: SandboxThread) -> None:
    flow = ConsentFlow(account(ws), ws)
    result = flow.run(timeout=0.3)
    assert result.status is Status.TIMEOUT and not result.stored
    assert port_is_free(urlsplit(flow.redirect_uri).port)
    assert login(ws, sandbox).ok


def test_paste_the_final_url_when_the_browser_cannot_reach_the_port(ws: Workspace, sandbox: SandboxThread) -> None:
    stale = ConsentFlow(account(ws), ws)
    flow = ConsentFlow(account(ws), ws)
    stale_url = Browser(sandbox.info["ca_cert"]).consent(stale.authorization_url)
    stale.cancel()
    with pytest.raises(UsageError, match="not the address"):
        flow.complete_from_url("hello")
    with pytest.raises(UsageError, match="another login attempt"):
        flow.complete_from_url(stale_url)
    landed = Browser(sandbox.info["ca_cert"]).consent(flow.authorization_url)
    result = flow.complete_from_url("  " + landed + "\n")
    assert result.ok, result.message
    assert flow.run(timeout=1) is result  # a waiter sees the same result


def test_loopback_ignores_stray_requests_and_other_attempts(ws: Workspace) -> None:
    with ConsentFlow(account(ws), ws) as flow:
        assert requests.get(flow.redirect_uri + "favicon.ico", timeout=5).status_code == 404
        stale = requests.get(flow.redirect_uri + "?state=from-an-old-tab&code=4/old", timeout=5)
        assert stale.status_code == 400 and "another mailkit login attempt" in stale.text
        assert not flow.done
    assert flow.done and port_is_free(urlsplit(flow.redirect_uri).port)


def test_reconsent_without_refresh_token_keeps_the_stored_one(ws: Workspace, sandbox: SandboxThread) -> None:
    assert login(ws, sandbox).ok
    first = load_bundle(ws, FACTURACION)
    again = login(ws, sandbox, url_edit=lambda url: url.replace("prompt=consent", "prompt=none"))
    assert again.ok, again.message
    second = load_bundle(ws, FACTURACION)
    assert second.refresh_token == first.refresh_token and second.access_token != first.access_token


# --- tokens in use ---------------------------------------------------------------------------------
def test_revoked_grant_gives_reauth_required(own_ws: Workspace, own: SandboxThread) -> None:
    ws, sandbox = own_ws, own
    assert login(ws, sandbox, AVISOS).ok
    assert sandbox.grants.revoke_account(AVISOS) >= 1
    checked = asyncio.run(check_account(account(ws, AVISOS), workspace=ws))
    assert checked.status is Status.OAUTH_REAUTH_REQUIRED, checked.to_dict("en")
    assert grant_row(ws, AVISOS).status == "oauth_reauth_required"
    with pytest.raises(OAuthError, match="7 days") as caught:
        asyncio.run(TokenSource.for_account(account(ws, AVISOS), ws).access_token(force_refresh=True))
    assert caught.value.status is Status.OAUTH_REAUTH_REQUIRED


def test_expired_access_token_is_refreshed_silently(own_ws: Workspace, own: SandboxThread,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    ws, sandbox = own_ws, own
    assert login(ws, sandbox, CITAS).ok
    assert grant_row(ws, CITAS).last_refresh_at is None
    sandbox.grants.expire_access_tokens(CITAS)  # Google's side: the token we hold is dead
    with caplog.at_level(logging.INFO, logger="mailkit.oauth"):
        checked = asyncio.run(check_account(account(ws, CITAS), workspace=ws))
    assert checked.ok, checked.to_dict("en")
    assert grant_row(ws, CITAS).last_refresh_at is not None
    assert sum(REFRESHED in r.getMessage() for r in caplog.records) == 1


def test_twenty_concurrent_callers_after_expiry_cause_one_refresh(own_ws: Workspace, own: SandboxThread,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ws, sandbox = own_ws, own
    assert login(ws, sandbox, CITAS).ok
    bundle = load_bundle(ws, CITAS)
    save_bundle(ws, CITAS, replace(bundle, expiry=utcnow() - timedelta(seconds=1)))
    issued = []
    original = sandbox.grants.issue_access_token
    monkeypatch.setattr(sandbox.grants, "issue_access_token", lambda grant: issued.append(1) or original(grant))
    source = TokenSource.for_account(account(ws, CITAS), ws)

    async def many() -> set[str]:
        return set(await asyncio.gather(*(source.access_token() for _ in range(20))))
    tokens = asyncio.run(many())
    assert len(issued) == 1 and len(tokens) == 1 and tokens != {bundle.access_token}
    forced = asyncio.run(many_forced(source))
    assert len(issued) == 2 and len(forced) == 1 and forced != tokens  # Google refused it: twenty ask, one refresh
    save_bundle(ws, CITAS, replace(load_bundle(ws, CITAS), expiry=utcnow()))
    start = threading.Barrier(5)
    seen: list[str] = []

    def sync_caller() -> None:
        start.wait()
        seen.append(source.access_token_sync())
    workers = [threading.Thread(target=sync_caller) for _ in range(5)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(issued) == 3 and len(set(seen)) == 1  # threads too: one refresh


async def many_forced(source: TokenSource) -> set[str]:
    """What twenty SMTP sessions do when Google rejects the same token: each forces a refresh."""
    return set(await asyncio.gather(*(source.access_token(force_refresh=True) for _ in range(20))))


def test_not_configured_and_status_rows(ws: Workspace, sandbox: SandboxThread) -> None:
    source = TokenSource.for_account(account(ws, CITAS), ws)
    assert not source.configured()
    with pytest.raises(OAuthError) as caught:
        asyncio.run(source.access_token())
    assert caught.value.status is Status.NOT_CONFIGURED
    assert login(ws, sandbox).ok
    with Inventory.open(ws) as inventory:
        rows = {r["email"]: r for r in grant_status(inventory, ws)}
    assert rows[FACTURACION]["status"] == "ok" and rows[FACTURACION]["scopes_ok"]
    assert rows[CITAS]["status"] == "not_configured" and not rows[CITAS]["configured"]


def test_revoke_at_google_and_locally(ws: Workspace, sandbox: SandboxThread) -> None:
    assert login(ws, sandbox).ok
    refresh_token = load_bundle(ws, FACTURACION).refresh_token
    outcome = revoke(account(ws), ws)
    assert outcome["revoked_at_google"] and outcome["deleted_locally"]
    assert load_bundle(ws, FACTURACION) is None and grant_row(ws) is None
    assert sandbox.grants.grant_for_refresh(refresh_token, sandbox.sandbox.client_id) is None


# --- the command line and secrecy -------------------------------------------------------------------
def test_cli_login_status_revoke_and_no_token_anywhere(own_ws: Workspace, own: SandboxThread,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    ws, sandbox = own_ws, own
    runner = CliRunner()
    home = ["--home", str(ws.home)]
    outputs: list[str] = []
    caplog.set_level(logging.DEBUG)

    def browse_when_url_printed(flows: list[ConsentFlow]) -> None:
        deadline = time.monotonic() + 10
        while not flows and time.monotonic() < deadline:
            time.sleep(0.02)
        Browser.arrive(Browser(sandbox.info["ca_cert"]).consent(flows[0].authorization_url))

    flows: list[ConsentFlow] = []
    original_init = ConsentFlow.__init__

    def spy_init(self, *args, **kwargs):  # the test's "browser" needs the URL the CLI printed
        original_init(self, *args, **kwargs)
        flows.append(self)
    ConsentFlow.__init__ = spy_init
    try:
        browser = threading.Thread(target=browse_when_url_printed, args=(flows,))
        browser.start()
        logged_in = runner.invoke(app, [*home, "oauth", "login", CITAS, "--no-browser", "--timeout", "10"],
                                  input="not a url\n")
        browser.join()
    finally:
        ConsentFlow.__init__ = original_init
    outputs.append(logged_in.output)
    assert logged_in.exit_code == 0, logged_in.output
    assert flows[0].authorization_url in logged_in.output and "authorized" in logged_in.output
    assert "not the address the browser ended on" in logged_in.output  # a bad paste is explained, not fatal
    first_access = load_bundle(ws, CITAS).access_token
    sandbox.grants.expire_access_tokens(CITAS)
    checked = runner.invoke(app, [*home, "check", CITAS, "--transcript", "--json"])
    outputs.append(checked.output)
    assert checked.exit_code == 0, checked.output
    status = runner.invoke(app, [*home, "oauth", "status", "--json"])
    outputs.append(status.output)
    rows = {r["email"]: r for r in json.loads(status.stdout)}
    assert rows[CITAS]["status"] == "ok" and rows[CITAS]["last_refresh_at"] and status.exit_code == 1
    tokens = load_bundle(ws, CITAS)
    secrets = [tokens.refresh_token, tokens.access_token, first_access, active_client(ws).client_secret]
    revoked = runner.invoke(app, [*home, "oauth", "revoke", CITAS])
    outputs.append(revoked.output)
    assert revoked.exit_code == 0 and "revoked at Google" in revoked.output
    denied = runner.invoke(app, [*home, "oauth", "login", FACTURACION, "--timeout", "0.2", "--json"], input="")
    outputs.append(denied.output)
    assert denied.exit_code == 1 and json.loads(denied.stdout)["status"] == "timeout"
    raw = b"".join(p.read_bytes() for p in ws.home.glob("mailkit.sqlite3*"))
    logs = "\n".join(r.getMessage() for r in caplog.records)
    for secret in secrets:
        assert secret.encode() not in raw
        assert all(secret not in text for text in outputs)
        assert secret not in logs


def test_cli_subprocess_paste_on_stdin_and_ctrl_c(own_ws: Workspace, own: SandboxThread) -> None:
    """The real command: a pasted final address on stdin completes it; Ctrl-C (SIGINT) cancels cleanly.
    (Its keyring is the sandbox's file in the sandbox's own state dir, hence a sandbox of its own.)"""
    ws, sandbox = own_ws, own
    env = {**os.environ, "MAILKIT_HOME": str(ws.home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}

    def start(email: str) -> tuple[subprocess.Popen, str]:
        proc = subprocess.Popen([sys.executable, "-m", "mailkit", "oauth", "login", email, "--no-browser",
                                 "--timeout", "20"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        for line in proc.stdout:
            if line.startswith(("https://", "http://127.0.0.1:")):
                return proc, line.strip()
        raise AssertionError(proc.stderr.read())

    proc, url = start(FACTURACION)
    landed = Browser(sandbox.info["ca_cert"]).consent(url)
    out, err = proc.communicate(landed + "\n", timeout=20)
    assert proc.returncode == 0, out + err
    assert "authorized" in out and "code=" not in out + err
    proc, url = start(CITAS)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1 and "cancelled" in out and "Traceback" not in err


def test_both_grant_stores_keep_the_one_typed_interface(workspace: Workspace) -> None:
    """The mail consent's store and the Directory admin's store answer the same calls with the same signatures."""
    import inspect

    from mailkit.oauth.store import DirectoryGrantStore, GrantFactsStore

    members = [name for name in dir(GrantFactsStore) if not name.startswith("_")]
    with Inventory.open(workspace) as inventory:
        for store in (GrantStore(inventory), DirectoryGrantStore(inventory)):
            assert isinstance(store, GrantFactsStore)
            for name in members:
                wanted = inspect.signature(getattr(GrantFactsStore, name)).parameters
                assert list(inspect.signature(getattr(type(store), name)).parameters) == list(wanted), name

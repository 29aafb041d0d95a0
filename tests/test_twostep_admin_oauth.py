"""2-Step Verification read from the Directory with a Workspace admin's own OAuth consent, against the sandbox:
the consent (scripted consent page), the token in keyring, the one list call per domain, a non-admin's 403,
silent refresh, the CLI in a subprocess with a pasted address, and the 2SV panel's "Connect as Workspace admin"."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import subprocess
import sys
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from mailkit.cli import app
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.flow import ConsentFlow, ConsentResult
from mailkit.oauth.store import DirectoryGrantStore, load_bundle
from mailkit.sandbox.consent_robot import approve
from mailkit.secrets.backends import SandboxFileKeyring
from mailkit.secrets.store import SecretKind, SecretStore, secret_store
from mailkit.status import Status
from mailkit.twostep.directory import (
    ADMIN_OAUTH,
    DIRECTORY_ADMIN,
    DIRECTORY_BOX,
    DIRECTORY_SCOPE,
    SERVICE_ACCOUNT,
    DirectoryClient,
    DirectoryError,
    configure_directory,
    confirm_admin_oauth,
)
from mailkit.twostep.state import DIRECTORY, DIRECTORY_OAUTH, check_twostep
from mailkit.ui import TwoStepPanel
from mailkit.workspace import Workspace
from tests.cli_helpers import run_mailkit

DELNORTE = "ferreteria-delnorte.example"
ADMIN, FACTURACION, VENTAS = (f"{name}@{DELNORTE}" for name in ("admin", "facturacion", "ventas"))
REFRESHED = "refreshed the OAuth access token"


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    """Ferretería del Norte's three Workspace accounts (app passwords: no mail OAuth involved)."""
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("ferreteria", "Ferretería del Norte"))
        for email in (ADMIN, FACTURACION, VENTAS):
            inventory.upsert_account(build_account(email, "ferreteria", provider_key="workspace", auth="app_password"))
    return workspace


class Recording:
    """A directory factory that keeps the clients it made, to count their HTTP requests."""

    def __init__(self, workspace: Workspace):
        self.workspace, self.clients = workspace, []

    def __call__(self, domain: str) -> DirectoryClient:
        client = DirectoryClient.for_domain(self.workspace, domain)
        self.clients.append(client)
        return client


def consent(ws: Workspace, admin: str, *, untick: tuple[str, ...] = (), as_email: str | None = None) -> ConsentResult:
    """The admin's consent, done on the sandbox's page by the consent robot and finished as a pasted address."""
    with ConsentFlow(admin, ws, purpose=DIRECTORY_ADMIN) as flow:
        url = _with_login_hint(flow.authorization_url, as_email) if as_email else flow.authorization_url
        return flow.complete_from_url(approve(url, untick=untick))


def _with_login_hint(url: str, email: str) -> str:
    """Another account signed in on Google's page than the one mailkit hinted."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**dict(parse_qsl(parts.query)), "login_hint": email})))


def check(ws: Workspace, **kwargs) -> dict:
    with Inventory.open(ws) as inventory:
        rows = asyncio.run(check_twostep(inventory, inventory.accounts("ferreteria"), workspace=ws, **kwargs))
    return {row.email: row for row in rows}


def grant(ws: Workspace, admin: str = ADMIN):
    with Inventory.open(ws) as inventory:
        return DirectoryGrantStore(inventory).facts(admin)


def stored_files(ws: Workspace) -> bytes:
    """Everything mailkit wrote in the workspace: the SQLite files and the settings."""
    return b"".join(p.read_bytes() for p in sorted(ws.home.glob("mailkit.sqlite3*")) + [ws.settings_path]
                    if p.exists())


# --- the consent ----------------------------------------------------------------------------------
def test_admin_consents_then_the_domain_is_read_in_one_list_call(ws: Workspace, sandbox_env) -> None:
    result = consent(ws, ADMIN)
    assert result.ok and result.purpose == "directory" and result.authorized_email == ADMIN, result.message
    assert DIRECTORY_SCOPE in result.scopes and "2-Step Verification" in result.message
    bundle = load_bundle(ws, ADMIN, SecretKind.DIRECTORY_TOKEN)
    assert bundle is not None and bundle.refresh_token and DIRECTORY_SCOPE in bundle.scopes
    assert load_bundle(ws, ADMIN) is None  # not the admin's mail token: another keyring kind
    facts = grant(ws)
    assert (facts.domain, facts.status, facts.last_refresh_at) == (DELNORTE, "ok", None)

    recording = Recording(ws)
    found = check(ws, directory=recording)
    assert {e: (s.state, s.enforced, s.source) for e, s in found.items()} == {
        ADMIN: ("on", True, DIRECTORY_OAUTH), FACTURACION: ("on", True, DIRECTORY_OAUTH),
        VENTAS: ("off", False, DIRECTORY_OAUTH)}
    assert "the admin's own OAuth consent" in found[VENTAS].detail and "isEnrolledIn2Sv=false" in found[VENTAS].detail
    [client] = recording.clients
    assert client.via == ADMIN_OAUTH and client.admin == ADMIN
    assert len(client.calls) == 1 and f"/users?domain={DELNORTE}" in client.calls[0] and client.calls[0].endswith(
        "-> 200")
    for secret in (bundle.refresh_token, bundle.access_token):
        assert secret.encode() not in stored_files(ws)


def test_service_account_is_preferred_when_both_are_configured(ws: Workspace, sandbox_env) -> None:
    assert consent(ws, ADMIN).ok
    configure_directory(ws, service_account=sandbox_env.state_dir / "service_account.json", admin=ADMIN)
    client = DirectoryClient.for_domain(ws, DELNORTE)
    assert client.via == SERVICE_ACCOUNT
    assert {s.source for s in check(ws).values()} == {DIRECTORY}


def test_unticked_directory_box_stores_nothing_and_names_the_box(ws: Workspace, sandbox_env) -> None:
    result = consent(ws, ADMIN, untick=(DIRECTORY_SCOPE,))
    assert (result.outcome, result.status, result.stored) == ("scope_missing", Status.OAUTH_SCOPE_MISSING, False)
    assert f"'{DIRECTORY_BOX}'" in result.message and "nothing was stored" in result.message
    assert "mailkit oauth login" not in json.dumps(result.to_dict())  # the mail remedy does not apply here
    assert load_bundle(ws, ADMIN, SecretKind.DIRECTORY_TOKEN) is None and grant(ws) is None
    with pytest.raises(DirectoryError) as caught:
        DirectoryClient.for_domain(ws, DELNORTE)
    assert caught.value.reason == "not_configured" and f"--admin-oauth ADMIN@{DELNORTE}" in str(caught.value)


def test_another_account_chosen_is_wrong_account(ws: Workspace, sandbox_env) -> None:
    result = consent(ws, ADMIN, as_email=FACTURACION)
    assert (result.outcome, result.stored) == ("wrong_account", False)
    assert f"authorized {FACTURACION}, not {ADMIN}" in result.message
    assert load_bundle(ws, ADMIN, SecretKind.DIRECTORY_TOKEN) is None
    assert load_bundle(ws, FACTURACION, SecretKind.DIRECTORY_TOKEN) is None


def test_a_non_admin_gets_403_not_an_admin_with_the_remedy(ws: Workspace, sandbox_env) -> None:
    assert consent(ws, FACTURACION).ok  # Google lets anyone consent; the Directory then refuses
    with pytest.raises(DirectoryError) as caught:
        DirectoryClient.for_domain(ws, DELNORTE).list_domain(DELNORTE)
    assert (caught.value.reason, caught.value.http_status) == ("not_admin", 403)
    assert f"{FACTURACION} is not an admin there" in str(caught.value)
    assert f"`mailkit twostep setup --admin-oauth ADMIN@{DELNORTE}`" in str(caught.value)
    found = check(ws)
    assert {s.state for s in found.values()} == {"unknown"}
    assert all("Directory API (not_admin)" in s.detail for s in found.values())
    with pytest.raises(DirectoryError, match="not an admin"):
        confirm_admin_oauth(ws, FACTURACION)
    assert load_bundle(ws, FACTURACION, SecretKind.DIRECTORY_TOKEN) is None and grant(ws, FACTURACION) is None
    assert consent(ws, ADMIN).ok and confirm_admin_oauth(ws, ADMIN).enrolled


def test_a_newer_admin_of_the_domain_replaces_the_older(ws: Workspace, sandbox_env) -> None:
    assert consent(ws, FACTURACION).ok and consent(ws, ADMIN).ok
    with Inventory.open(ws) as inventory:
        assert [g.admin_email for g in DirectoryGrantStore(inventory).all()] == [ADMIN]
    assert load_bundle(ws, FACTURACION, SecretKind.DIRECTORY_TOKEN) is None


# --- refresh ---------------------------------------------------------------------------------------
def test_expired_access_token_is_refreshed_silently_once(ws: Workspace, fresh_sandbox,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    assert consent(ws, ADMIN).ok
    first = load_bundle(ws, ADMIN, SecretKind.DIRECTORY_TOKEN)
    fresh_sandbox.grants.expire_access_tokens(ADMIN)  # Google's side: the token mailkit holds is dead
    recording = Recording(ws)
    with caplog.at_level(logging.INFO, logger="mailkit.oauth"):
        found = check(ws, directory=recording)
    assert found[VENTAS].state == "off" and found[ADMIN].source == DIRECTORY_OAUTH
    assert [call.rsplit(" ", 1)[1] for call in recording.clients[0].calls] == ["401", "200"]
    assert sum(REFRESHED in r.getMessage() for r in caplog.records) == 1
    second = load_bundle(ws, ADMIN, SecretKind.DIRECTORY_TOKEN)
    assert second.access_token != first.access_token and second.refresh_token == first.refresh_token
    assert grant(ws).last_refresh_at is not None

    clients = [DirectoryClient.for_domain(ws, DELNORTE) for _ in range(3)]  # three sessions hold the token
    fresh_sandbox.grants.expire_access_tokens(ADMIN)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mailkit.oauth"):
        assert [len(client.list_domain(DELNORTE)) for client in clients] == [3, 3, 3]
    assert sum(REFRESHED in r.getMessage() for r in caplog.records) == 1  # the others take the fresh one
    assert all([c.rsplit(" ", 1)[1] for c in client.calls] == ["401", "200"] for client in clients)


def test_revoked_admin_grant_says_to_consent_again(ws: Workspace, fresh_sandbox) -> None:
    assert consent(ws, ADMIN).ok
    fresh_sandbox.grants.revoke_account(ADMIN)
    with pytest.raises(DirectoryError) as caught:
        DirectoryClient.for_domain(ws, DELNORTE).list_domain(DELNORTE)
    assert caught.value.reason == "reauth_required" and f"mailkit twostep setup --admin-oauth {ADMIN}" in str(
        caught.value)
    assert grant(ws).status == "oauth_reauth_required"


# --- command line ----------------------------------------------------------------------------------
def test_cli_subprocess_setup_with_a_pasted_address_then_check(ws: Workspace, fresh_sandbox) -> None:
    """The real command, as in `mailkit oauth login`: the address the browser ended on, pasted on stdin.
    (Its keyring is the sandbox's file in the sandbox's own state dir, hence a sandbox of its own.)"""
    env = {**os.environ, "MAILKIT_HOME": str(ws.home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = subprocess.Popen([sys.executable, "-m", "mailkit", "twostep", "setup", "--admin-oauth", ADMIN,
                             "--no-browser", "--timeout", "20"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    printed = []
    for line in proc.stdout:
        printed.append(line)
        if line.startswith(("https://", "http://127.0.0.1:")):
            break
    landed = approve(printed[-1].strip())
    out, err = proc.communicate(landed + "\n", timeout=20)
    outputs = ["".join(printed), out, err]
    assert proc.returncode == 0, out + err
    assert f"ok: read {ADMIN}: 2SV on" in out and "code=" not in out + err
    done = run_mailkit("twostep", "check", "--company", "ferreteria", home=ws.home,
                       env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    outputs += [done.stdout, done.stderr]
    assert done.returncode == 1, done.stderr  # ventas@ has 2SV off
    lines = {line.split()[0]: line.split()[1:4] for line in done.stdout.splitlines()[1:] if "@" in line}
    assert lines[VENTAS] == ["off", "no", DIRECTORY_OAUTH] and lines[ADMIN] == ["on", "yes", DIRECTORY_OAUTH]
    keyring_file = SandboxFileKeyring(fresh_sandbox.state_dir / "sandbox-secrets.json")
    bundle = SecretStore(keyring_file).get_json(ADMIN, SecretKind.DIRECTORY_TOKEN)
    assert bundle is not None and bundle["refresh_token"]
    for secret in (bundle["refresh_token"], bundle["access_token"]):
        assert secret.encode() not in stored_files(ws)
        assert all(secret not in text for text in outputs)


def test_cli_non_admin_fails_with_the_remedy_and_keeps_nothing(ws: Workspace, sandbox_env) -> None:
    flows: list[ConsentFlow] = []
    original_init = ConsentFlow.__init__

    def spy_init(self, *args, **kwargs):  # the test's "browser" needs the URL the command printed
        original_init(self, *args, **kwargs)
        flows.append(self)

    def browse() -> None:
        for _ in range(500):
            if flows:
                break
            threading.Event().wait(0.02)
        flows[0].complete_from_url(approve(flows[0].authorization_url))
    ConsentFlow.__init__ = spy_init
    try:
        browser = threading.Thread(target=browse)
        browser.start()
        done = CliRunner().invoke(app, ["--home", str(ws.home), "twostep", "setup", "--admin-oauth", FACTURACION,
                                        "--no-browser", "--timeout", "10", "--json"])
        browser.join(20)
    finally:
        ConsentFlow.__init__ = original_init
    assert done.exit_code == 1, done.output
    data = json.loads(done.stdout)
    assert data["consent"]["ok"] and data["tested"] and not data["ok"] and data["reason"] == "not_admin"
    assert "not an admin" in data["detail"] and f"--admin-oauth ADMIN@{DELNORTE}" in data["detail"]
    assert load_bundle(ws, FACTURACION, SecretKind.DIRECTORY_TOKEN) is None and grant(ws, FACTURACION) is None
    usage = CliRunner().invoke(app, ["--home", str(ws.home), "twostep", "setup", "--admin-oauth", ADMIN,
                                     "--admin", ADMIN])
    assert isinstance(usage.exception, UsageError) and "without --service-account/--admin" in str(usage.exception)


# --- the 2SV panel ---------------------------------------------------------------------------------
def _connect(panel: TwoStepPanel, admin: str) -> str:
    panel.admin.value = admin
    panel.connect_admin.click()
    assert panel.flow is not None and panel.connect_admin.disabled and not panel.cancel_admin.disabled
    assert panel.paste_box.layout.display == "flex" and "sign in as" in panel.admin_link.value
    return panel.flow.authorization_url


def _finished(panel: TwoStepPanel) -> ConsentResult:
    panel.waiting.join(20)
    assert not panel.waiting.is_alive() and not panel.connect_admin.disabled
    return panel.consent


def test_panel_connects_the_admin_with_the_paste_fallback_then_checks(ws: Workspace, sandbox_env) -> None:
    panel = TwoStepPanel(ws, company="ferreteria", lang="en", open_browser=False, timeout=30)
    assert panel.connect_admin.description == "Connect as Workspace admin" and "none yet" in panel.directory_state.value
    panel.admin.value = "not an address"
    panel.connect_admin.click()
    assert panel.alert.kind == "error" and panel.flow is None

    url = _connect(panel, ADMIN)
    panel.cancel_admin.click()
    assert _finished(panel).outcome == "cancelled" and panel.alert.kind == "info"  # the admin's own cancel: neutral

    url = _connect(panel, ADMIN)
    landed = approve(url)  # the browser could not reach the kernel: its address is pasted
    panel.paste.value = landed
    panel.finish.click()
    assert _finished(panel).ok and panel.alert.kind == "success", panel.alert.text
    assert f"{ADMIN} connected" in panel.alert.text
    assert f"admin's own consent: {ADMIN}" in html.unescape(panel.directory_state.value)
    assert secret_store(ws).get_json(ADMIN, SecretKind.DIRECTORY_TOKEN) is not None
    panel.check.click()
    assert {s.source for s in panel.results} == {DIRECTORY_OAUTH} and DIRECTORY_OAUTH in panel.table.value
    panel.language.value = "es"
    assert panel.connect_admin.description == "Conectar como administrador de Workspace"


def test_panel_shows_not_an_admin_and_a_missing_box(ws: Workspace, sandbox_env) -> None:
    panel = TwoStepPanel(ws, company="ferreteria", lang="en", open_browser=False, timeout=30)
    url = _connect(panel, FACTURACION)
    panel.flow.complete_from_url(approve(url))
    assert _finished(panel).ok and panel.alert.kind == "error" and "not an admin" in panel.alert.text
    assert "none yet" in panel.directory_state.value  # the useless token was dropped

    url = _connect(panel, ADMIN)
    panel.flow.complete_from_url(approve(url, untick=(DIRECTORY_SCOPE,)))
    assert _finished(panel).outcome == "scope_missing" and panel.alert.kind == "error"
    assert DIRECTORY_BOX in panel.alert.text

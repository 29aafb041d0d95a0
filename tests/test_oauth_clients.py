"""One Google OAuth client per company, for real: a sandbox whose accounts file lists two more clients (an
Internal one for Ferretería del Norte's Workspace, one in Testing for Taller Ruiz), the real `mailkit oauth
client/clients/status/check` commands in subprocesses, consents over the sandbox's pages, refreshes over HTTPS."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backends import fail

from mailkit import reports
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.clients import client_for, register_scoped_client
from mailkit.oauth.flow import ConsentFlow
from mailkit.oauth.store import GrantStore, load_bundle, parse_time
from mailkit.sandbox.aging import Aging, age
from mailkit.sandbox.clients import load_clients
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.runner import SandboxThread
from mailkit.workspace import Workspace
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import m365, mws  # noqa: F401 - fixtures
from tests.sandbox_fixtures import ACCOUNTS
from tests.test_oauth import CITAS, FACTURACION, login

FERRETERIA, TALLER = "ferreteria-delnorte", "taller-ruiz"
LIMITE = "limite.tallerruiz@gmail.com"  # Taller Ruiz's test user of its Testing client
CRM = "crm@biuro-kowalski.example"  # a Workspace account of another organisation, kept by Ferretería
INTERNAL_ID, INTERNAL_SECRET = "1111-ferreteria.apps.googleusercontent.com", "GOCSPX-ferreteria-internal-0001"
TESTING_ID, TESTING_SECRET = "2222-taller.apps.googleusercontent.com", "GOCSPX-taller-testing-0002"
CLIENTS_TOML = f"""
[[client]]
client_id = "{INTERNAL_ID}"
client_secret = "{INTERNAL_SECRET}"
publishing = "internal"
domain = "ferreteria-delnorte.example"
name = "Ferretería ERP"

[[client]]
client_id = "{TESTING_ID}"
client_secret = "{TESTING_SECRET}"
publishing = "testing"
test_users = ["{LIMITE}"]
name = "Taller CRM"
"""
ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def client_json(path: Path, client_id: str, secret: str) -> Path:
    path.write_text(json.dumps({"installed": {
        "client_id": client_id, "client_secret": secret, "project_id": client_id.split(".")[0],
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    return path


@pytest.fixture
def two_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A sandbox of its own whose accounts file adds the two companies' clients; its file keyring on both sides."""
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(ACCOUNTS.read_text(encoding="utf-8") + CLIENTS_TOML, encoding="utf-8")
    running = SandboxThread(accounts, tmp_path / "sandbox")
    running.start()
    monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
    keyring.set_keyring(fail.Keyring())
    yield running
    running.stop()


@pytest.fixture
def cws(workspace: Workspace, two_clients: SandboxThread) -> Workspace:
    with Inventory.open(workspace) as inventory:
        for slug in (FERRETERIA, TALLER):
            inventory.upsert_company(Company(slug, slug.replace("-", " ").title()))
        for email, company, provider in ((FACTURACION, FERRETERIA, "workspace"), (CRM, FERRETERIA, "workspace"),
                                         (CITAS, TALLER, "gmail"), (LIMITE, TALLER, "gmail")):
            inventory.upsert_account(build_account(email, company, provider_key=provider, auth="oauth2"))
    return workspace


def mailkit(ws: Workspace, sandbox: SandboxThread, *args: str, outputs: list[str]):
    done = run_mailkit(*args, home=ws.home, env={**ENV, "MAILKIT_SANDBOX": str(sandbox.info_path)})
    outputs.append(done.stdout + done.stderr)
    return done


def sandbox_grant(sandbox: SandboxThread, ws: Workspace, email: str):
    """The sandbox's grant behind the refresh token mailkit keeps for `email`."""
    return sandbox.grants._refresh[load_bundle(ws, email).refresh_token]


def account_of(ws: Workspace, email: str):
    with Inventory.open(ws) as inventory:
        return inventory.account(email)


def test_two_companies_two_clients_consent_refresh_and_status(cws: Workspace, two_clients: SandboxThread,
                                                              tmp_path: Path) -> None:
    ws, sandbox, outputs = cws, two_clients, []
    own_id = sandbox.sandbox.client_id
    workspace_client = mailkit(ws, sandbox, "oauth", "client", sandbox.info["client_config"], outputs=outputs)
    assert workspace_client.returncode == 0, workspace_client.stderr
    assert login(ws, sandbox, CITAS).ok  # an older grant, given to the workspace's client
    assert sandbox_grant(sandbox, ws, CITAS).client_id == own_id

    internal = client_json(tmp_path / "ferreteria.json", INTERNAL_ID, INTERNAL_SECRET)
    testing = client_json(tmp_path / "taller.json", TESTING_ID, TESTING_SECRET)
    done = mailkit(ws, sandbox, "oauth", "client", str(internal), "--company", FERRETERIA, "--internal",
                   outputs=outputs)
    assert done.returncode == 0 and f"company {FERRETERIA}: {INTERNAL_ID} (internal)" in done.stdout, done.stderr
    done = mailkit(ws, sandbox, "oauth", "client", str(testing), "--company", TALLER, "--testing", outputs=outputs)
    assert done.returncode == 0, done.stderr
    kept = ws.home / "oauth_clients" / f"{TALLER}.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    # consents go to the account's company client
    assert login(ws, sandbox, FACTURACION).ok
    assert sandbox_grant(sandbox, ws, FACTURACION).client_id == INTERNAL_ID
    assert login(ws, sandbox, LIMITE).ok
    limite_grant = sandbox_grant(sandbox, ws, LIMITE)
    assert limite_grant.client_id == TESTING_ID and limite_grant.testing

    # refreshes: each with the client that issued the grant, the workspace client's older grant too
    sandbox.grants.expire_access_tokens()
    for email in (FACTURACION, CITAS, LIMITE):
        checked = mailkit(ws, sandbox, "check", email, "--json", outputs=outputs)
        assert json.loads(checked.stdout)["status"] == "ok", checked.stdout + checked.stderr
        assert sandbox_grant(sandbox, ws, email).last_used > 0
    assert sandbox_grant(sandbox, ws, CITAS).client_id == own_id

    listed = mailkit(ws, sandbox, "oauth", "clients", "--json", outputs=outputs)
    rows = {r["owner"]: r for r in json.loads(listed.stdout)}
    assert {o: (r["client_id"], r["declared"], r["grants"]) for o, r in rows.items()} == {
        "workspace": (own_id, None, 1), FERRETERIA: (INTERNAL_ID, "internal", 1), TALLER: (TESTING_ID, "testing", 1)}
    assert rows[TALLER]["observed"] == "testing" and rows[FERRETERIA]["observed"] == "no_limit"
    text = mailkit(ws, sandbox, "oauth", "clients", outputs=outputs).stdout
    assert TESTING_ID in text and "Testing (7-day tokens)" in text

    status = mailkit(ws, sandbox, "oauth", "status", "--json", outputs=outputs)
    by_email = {r["email"]: r for r in json.loads(status.stdout)}
    with Inventory.open(ws) as inventory:
        ends = parse_time(GrantStore(inventory).facts(LIMITE).refresh_expires_at).date().isoformat()
    assert by_email[LIMITE]["client_id"] == TESTING_ID and by_email[LIMITE]["client_owner"] == TALLER
    assert by_email[LIMITE]["refresh_token_ends"] == ends and by_email[LIMITE]["refresh_token_ends_soon"]
    assert by_email[FACTURACION]["publishing_declared"] == "internal"
    assert by_email[FACTURACION]["refresh_token_ends"] is None
    shown = mailkit(ws, sandbox, "oauth", "status", outputs=outputs).stdout
    assert f"⚠ refresh token ends on {ends} (OAuth client in Testing)" in shown
    assert f"client 2222-taller ({TALLER}); publishing declared: testing, observed: Testing" in shown

    frame = reports.status(ws, lang="en").set_index("email")
    assert frame.loc[LIMITE, "oauth_client"] == (f"2222-taller ({TALLER}) · declared: Testing · seen: Testing · "
                                                 f"token ends {ends}")
    assert frame.loc[CITAS, "oauth_client"].startswith(f"{own_id.split('.')[0][:20]}")
    spanish = reports.status(ws, lang="es")
    assert any(f"declarado: Prueba · visto: Prueba · el token termina el {ends}" in str(v)
               for v in spanish.to_numpy().ravel())

    # the forecast names the Testing token's end and how to declare its own (company) client published
    foreseen = mailkit(ws, sandbox, "forecast", "--json", outputs=outputs)
    item = next(i for i in json.loads(foreseen.stdout)["items"]
                if i["email"] == LIMITE and i["kind"] == "oauth_testing")
    assert f"`mailkit oauth client --company {TALLER} --published`" in item["remedy"] and ends in item["cause"]

    # Google's clock: a week later the Testing client's token is dead; mailkit says to consent again
    age(Aging(LIMITE, days=8), sandbox.state_dir)
    sandbox.grants.expire_access_tokens(LIMITE)
    dead = mailkit(ws, sandbox, "check", LIMITE, "--json", outputs=outputs)
    assert json.loads(dead.stdout)["status"] == "oauth_reauth_required"

    secrets = [INTERNAL_SECRET, TESTING_SECRET, sandbox.sandbox.client_secret]
    stored = b"".join(p.read_bytes() for p in ws.home.glob("mailkit.sqlite3*")) + ws.settings_path.read_bytes()
    for secret in secrets:
        assert all(secret not in out for out in outputs)
        assert secret.encode() not in stored


def test_a_new_company_client_keeps_older_grants_and_a_gone_issuer_says_reauth(
        cws: Workspace, two_clients: SandboxThread, tmp_path: Path) -> None:
    ws, sandbox = cws, two_clients
    assert login(ws, sandbox, FACTURACION).ok  # the sandbox's own client (no workspace client registered)
    register_scoped_client(ws, client_json(tmp_path / "f.json", INTERNAL_ID, INTERNAL_SECRET), company=FERRETERIA)
    assert client_for(ws, FACTURACION, FERRETERIA).client_id == INTERNAL_ID
    outputs: list[str] = []
    sandbox.grants.expire_access_tokens(FACTURACION)
    ok = mailkit(ws, sandbox, "check", FACTURACION, "--json", outputs=outputs)
    assert json.loads(ok.stdout)["status"] == "ok"  # still refreshed with the client that issued it
    # the issuing client is no longer registered: a workspace client replaces the sandbox's own
    ws.oauth_client_path.write_text(client_json(tmp_path / "w.json", TESTING_ID, TESTING_SECRET).read_text())
    sandbox.grants.expire_access_tokens(FACTURACION)
    gone = mailkit(ws, sandbox, "check", FACTURACION, "--json", outputs=outputs)
    answer = json.loads(gone.stdout)
    assert answer["status"] == "oauth_reauth_required", gone.stdout
    assert "issued to another OAuth client" in gone.stdout and "1111-ferreteria" in gone.stdout


def test_org_internal_and_access_denied_pages_and_their_remedies(cws: Workspace, two_clients: SandboxThread,
                                                                 tmp_path: Path) -> None:
    ws, sandbox = cws, two_clients
    register_scoped_client(ws, client_json(tmp_path / "f.json", INTERNAL_ID, INTERNAL_SECRET), company=FERRETERIA,
                           publishing="internal")
    register_scoped_client(ws, client_json(tmp_path / "t.json", TESTING_ID, TESTING_SECRET), company=TALLER,
                           publishing="testing")
    ca = sandbox.info["ca_cert"]
    with ConsentFlow(account_of(ws, CRM), ws) as flow:  # another organisation's account on the Internal client
        assert flow.client.client_id == INTERNAL_ID
        page = requests.get(flow.authorization_url, verify=ca, timeout=10)
        assert page.status_code == 403 and "Error 403: org_internal" in page.text
        assert "This client is restricted to users within its organization." in page.text
        with pytest.raises(UsageError, match="org_internal.*--company SLUG"):
            approve(flow.authorization_url)
    with ConsentFlow(account_of(ws, CITAS), ws) as flow:  # not one of the Testing client's test users
        assert flow.client.client_id == TESTING_ID
        page = requests.get(flow.authorization_url, verify=ca, timeout=10)
        assert page.status_code == 403 and "Error 403: access_denied" in page.text
        assert "Taller CRM has not completed the Google verification process" in page.text
        assert "developer-approved testers" in page.text
        with pytest.raises(UsageError, match=f"access_denied.*{CITAS} is not one of its test users.*Test users"):
            approve(flow.authorization_url)
    timed_out = ConsentFlow(account_of(ws, CITAS), ws).run(timeout=0.1)
    assert "Error 403: access_denied" in timed_out.message and "Error 403: org_internal" in timed_out.message


def test_an_internal_company_client_is_not_used_for_its_gmail_accounts(cws: Workspace, tmp_path: Path) -> None:
    register_scoped_client(cws, client_json(tmp_path / "f.json", INTERNAL_ID, INTERNAL_SECRET), company=TALLER,
                           publishing="internal")
    assert client_for(cws, CITAS, TALLER).client_id != INTERNAL_ID  # Gmail users are in no Workspace organisation
    register_scoped_client(cws, client_json(tmp_path / "g.json", TESTING_ID, TESTING_SECRET),
                           domain="biuro-kowalski.example")
    assert client_for(cws, CRM, FERRETERIA).client_id == TESTING_ID  # the domain's client beats the company's


def test_the_sandbox_token_endpoint_knows_its_extra_clients(cws: Workspace, two_clients: SandboxThread) -> None:
    token_uri, ca = two_clients.info["http"] + "/token", two_clients.info["ca_cert"]

    def refresh(client_id: str, secret: str) -> dict:
        return requests.post(token_uri, data={"grant_type": "refresh_token", "refresh_token": "1//nope",
                                              "client_id": client_id, "client_secret": secret},
                             verify=ca, timeout=10).json()

    assert refresh("9999-unknown.apps.googleusercontent.com", "x") == {
        "error": "invalid_client", "error_description": "The OAuth client was not found."}
    assert refresh(TESTING_ID, "GOCSPX-wrong")["error_description"] == "Unauthorized"
    assert refresh(TESTING_ID, TESTING_SECRET)["error"] == "invalid_grant"  # a known client, an unknown token


@pytest.mark.parametrize(("table", "fix"), [
    ('client_id = "a"\nclient_secret = "b"\npublishing = "beta"', "publishing` must be one of"),
    ('client_id = "a"\nclient_secret = "b"\npublishing = "internal"', "`domain`"),
    ('client_id = "a"\nclient_secret = "b"\ntest_users = ["x@gmail.com"]', "only apply to a client with"),
    ('client_id = "a"\nclient_secret = "b"\ncolour = "red"', "unknown key(s) colour"),
    ('client_id = "a"', "`client_secret` is required"),
])
def test_bad_client_tables_name_the_table_and_the_fix(tmp_path: Path, table: str, fix: str) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(f'[[account]]\nemail = "x@gmail.com"\n\n[[client]]\n{table}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="client #1") as caught:
        load_clients(path)
    assert fix in str(caught.value)


def test_bad_registrations_are_one_line_and_exit_2(workspace: Workspace, tmp_path: Path) -> None:
    source = client_json(tmp_path / "c.json", TESTING_ID, TESTING_SECRET)
    for args, words in ((("--company", "nope"), "no such company"), (("--domain", "gmail.com"), "--company SLUG"),
                        (("--company", "x", "--domain", "y.example"), "either --company")):
        done = run_mailkit("oauth", "client", str(source), *args, home=workspace.home, env=ENV)
        assert done.returncode == 2 and words in done.stderr and TESTING_SECRET not in done.stderr + done.stdout
    assert not (workspace.home / "oauth_clients").exists() or not any((workspace.home / "oauth_clients").iterdir())


def test_the_oauth_panel_registers_a_company_client_and_shows_the_accounts_client(
        cws: Workspace, two_clients: SandboxThread, tmp_path: Path) -> None:
    from mailkit.ui.oauth_panel import OAuthPanel

    panel = OAuthPanel(cws, lang="es", email=FACTURACION)
    box = panel.clients
    assert box.register.description == "Registrar cliente"
    box.file.value = str(client_json(tmp_path / "f.json", INTERNAL_ID, INTERNAL_SECRET))
    box.company.value, box.publishing.value = FERRETERIA, "internal"
    box.register.click()
    assert f"data-client='{INTERNAL_ID}'" in box.message.value and INTERNAL_SECRET not in box.message.value
    assert "registrado para ferreteria-delnorte" in box.message.value
    assert (cws.home / "oauth_clients" / f"{FERRETERIA}.json").exists()
    assert login(cws, two_clients, FACTURACION).ok
    panel.refresh(select=FACTURACION)
    panel.show_state()
    assert f"1111-ferreteria ({FERRETERIA}) · declarado: Interno" in panel.state.value


def test_declare_a_company_clients_publishing_later_and_list_it(cws: Workspace, tmp_path: Path) -> None:
    outputs: list[str] = []
    source = client_json(tmp_path / "t.json", TESTING_ID, TESTING_SECRET)
    assert run_mailkit("oauth", "client", str(source), "--company", TALLER, home=cws.home, env=ENV).returncode == 0
    for args in (("--company", TALLER, "--testing"), ("--company", TALLER, "--published")):
        said = run_mailkit("oauth", "client", *args, "--json", home=cws.home, env=ENV)
        outputs.append(said.stdout + said.stderr)
        assert said.returncode == 0 and json.loads(said.stdout)["client_id"] == TESTING_ID, said.stderr
    listed = run_mailkit("oauth", "client", "--list", "--json", home=cws.home, env=ENV)
    outputs.append(listed.stdout + listed.stderr)
    row = next(r for r in json.loads(listed.stdout) if r["company"] == TALLER)
    assert row["declared"] == "published" and row["grants"] == 0
    both = run_mailkit("oauth", "client", "--company", TALLER, "--testing", "--internal", home=cws.home, env=ENV)
    none = run_mailkit("oauth", "client", "--company", FERRETERIA, "--internal", home=cws.home, env=ENV)
    assert both.returncode == 2 and "one publishing status" in both.stderr
    assert none.returncode == 2 and f"no OAuth client registered for {FERRETERIA}" in none.stderr
    assert all(TESTING_SECRET not in out for out in outputs)


def test_login_names_the_client_and_what_testing_means(cws: Workspace, two_clients: SandboxThread,
                                                       tmp_path: Path) -> None:
    register_scoped_client(cws, client_json(tmp_path / "t.json", TESTING_ID, TESTING_SECRET), company=TALLER,
                           publishing="testing")
    done = run_mailkit("oauth", "login", CITAS, "--no-browser", "--timeout", "0.3", home=cws.home,
                       env={**ENV, "MAILKIT_SANDBOX": str(two_clients.info_path)})
    assert done.returncode == 1
    assert f"OAuth client 2222-taller (in Testing: {CITAS} must be one of its test users" in done.stdout
    assert "Error 403: access_denied" in done.stdout and TESTING_SECRET not in done.stdout + done.stderr


def test_a_microsoft_mailbox_shows_its_entra_app_not_an_unregistered_client(mws: Workspace,  # noqa: F811
                                                                            m365: SandboxThread) -> None:  # noqa: F811
    from mailkit.oauth.tokens import grant_status
    from tests.m365_fixtures import FACTURAS, browser_login

    assert browser_login(mws).ok
    with Inventory.open(mws) as inventory:
        row = {r["email"]: r for r in grant_status(inventory, mws)}[FACTURAS]
    assert row["client_id"] == m365.info["microsoft"]["client_id"] and row["client_owner"] == "workspace"
    assert row["publishing_declared"] is None and row["refresh_token_ends"] is None
    label = reports.status(mws, lang="en").set_index("email").loc[FACTURAS, "oauth_client"]
    assert label == f"{m365.info['microsoft']['client_id']} (workspace)"

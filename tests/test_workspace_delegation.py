"""Domain-wide delegation for mail, end to end on the sandbox: `mailkit workspace connect/status/disconnect`
through subprocesses, audits of Workspace accounts with test sends and no consent at all, a delegation revoked
in the middle of an audit, the Directory read through the connected key, and a leak scan of everything written."""

from __future__ import annotations

import asyncio
import csv
import json
import time
from pathlib import Path

import pytest

from mailkit.audit import AuditOptions, Selection, run_audit
from mailkit.google_workspace.connect import connect_domain, connected_domains
from mailkit.google_workspace.keys import load_key, load_key_file
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.scopes import DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.oauth.tokens import TokenSource
from mailkit.sandbox.runner import SandboxThread
from mailkit.status import Status
from mailkit.twostep.directory import DirectoryClient
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import shared_secrets

SOL = "constructora-sol.example"
LUNA = "hotel-luna.example"
USERS = 6
SOL_USERS = [f"caja{n}@{SOL}" for n in range(1, USERS + 1)]
ADMIN = f"admin@{SOL}"
LUNA_USER = f"recepcion@{LUNA}"
ADMIN_CONSOLE = ("In the Admin console of {domain} open Security → Access and data control → API controls → "
                 "Domain-wide delegation → Add new; Client ID: {client_id}; OAuth scopes: https://mail.google.com/")


def accounts_file(path: Path) -> Path:
    users = "".join(f'[[account]]\nemail = "{email}"\nworkspace = true\n\n' for email in SOL_USERS)
    path.write_text(f"""{users}
[[account]]
email = "{ADMIN}"
workspace = true
admin = true
two_step = true

[[account]]
email = "{LUNA_USER}"
workspace = true

[[delegation]]
domain = "{SOL}"
scopes = ["{MAIL_SCOPE}", "{DIRECTORY_SCOPE}"]

[[delegation]]
domain = "{LUNA}"
scopes = ["{DIRECTORY_SCOPE}"]   # the mail scope was never added
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dwd")
    running = SandboxThread(accounts_file(folder / "accounts.toml"), folder / "state")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def env(sandbox, monkeypatch):
    yield shared_secrets(sandbox, monkeypatch)
    sandbox.delegations.grant(SOL, [MAIL_SCOPE, DIRECTORY_SCOPE])


@pytest.fixture
def key_file(sandbox) -> Path:
    return sandbox.state_dir / "service_account.json"


@pytest.fixture
def inventory(workspace):
    with Inventory.open(workspace) as inv:
        inv.upsert_company(Company("sol", "Constructora Sol"))
        inv.upsert_company(Company("luna", "Hotel Luna"))
        for email in SOL_USERS:
            inv.upsert_account(build_account(email, "sol", provider_key="workspace", auth="oauth2"))
        inv.upsert_account(build_account(LUNA_USER, "luna", provider_key="workspace", auth="oauth2"))
        yield inv


def client_id(key_file: Path) -> str:
    return json.loads(key_file.read_text())["client_id"]


# --- the command line ------------------------------------------------------------------------------
def test_connect_then_audit_with_test_sends_and_no_consent(inventory, workspace, env, sandbox, key_file, tmp_path):
    done = run_mailkit("workspace", "connect", SOL, "--service-account", str(key_file), home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"ok: {SOL} is connected") and client_id(key_file) in done.stdout
    assert f"signed in as caja1@{SOL}" in done.stdout
    status = run_mailkit("--lang", "pl", "workspace", "status", home=workspace.home, env=env)
    assert f"{SOL}: konto usługi mailkit-audit@" in status.stdout and "ostatnie sprawdzenie" in status.stdout
    status = run_mailkit("workspace", "status", "--json", home=workspace.home, env=env)
    [row] = json.loads(status.stdout)
    assert (row["domain"], row["client_id"], row["scopes"], row["last_result"]) == (
        SOL, client_id(key_file), [MAIL_SCOPE], "ok")
    sandbox.reset()
    started = time.monotonic()
    audit = run_mailkit("audit", "--company", "sol", "--send-test", "--json", "--no-progress", home=workspace.home,
                        env=env)
    elapsed = time.monotonic() - started
    assert audit.returncode == 0, audit.stdout + audit.stderr
    results = json.loads(audit.stdout)["results"]
    assert {r["email"]: (r["status"], r["token_source"]) for r in results} == {
        email: ("ok", "delegation") for email in SOL_USERS}
    assert sorted(m.recipients[0] for m in sandbox.messages) == sorted(SOL_USERS)
    assert elapsed < 30
    secrets_file = (sandbox.state_dir / "sandbox-secrets.json").read_text()
    assert "/oauth_token" not in secrets_file  # no consent, no refresh token anywhere
    report = tmp_path / "report.csv"
    done = run_mailkit("report", "--company", "sol", "--output", str(report), home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    with report.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["email"]: r["token_source"] for r in rows} == {email: "delegation" for email in SOL_USERS}
    spanish = run_mailkit("report", "--company", "sol", "--lang", "es", "--json", home=workspace.home, env=env)
    assert spanish.returncode == 0, spanish.stderr
    assert "delegación" in spanish.stdout


def test_connect_without_the_mail_scope_names_what_to_paste(inventory, workspace, env, key_file):
    done = run_mailkit("workspace", "connect", LUNA, "--service-account", str(key_file), home=workspace.home, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert ADMIN_CONSOLE.format(domain=LUNA, client_id=client_id(key_file)) in done.stderr
    assert "delegation_unauthorized" in done.stderr
    assert load_key(workspace, LUNA) is None and connected_domains(workspace) == []  # nothing kept
    spanish = run_mailkit("--lang", "es", "workspace", "connect", LUNA, "--service-account", str(key_file),
                          home=workspace.home, env=env)
    assert spanish.returncode == 1 and "Consola del administrador" in spanish.stderr


@pytest.mark.parametrize("kind", ["oauth_client", "missing", "not_json", "edited_key"])
def test_a_wrong_key_file_is_one_line_and_exit_2(inventory, workspace, env, sandbox, key_file, tmp_path, kind):
    path = {"oauth_client": Path(sandbox.info["client_config"]), "missing": tmp_path / "nope.json",
            "not_json": tmp_path / "key.txt", "edited_key": tmp_path / "edited.json"}[kind]
    if kind == "not_json":
        path.write_text("-----BEGIN PRIVATE KEY-----\n")
    if kind == "edited_key":
        info = json.loads(key_file.read_text())
        path.write_text(json.dumps({**info, "private_key": info["private_key"][:200]}))
    done = run_mailkit("workspace", "connect", SOL, "--service-account", str(path), home=workspace.home, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line and not line.startswith("sandbox mode:")]
    assert len(lines) == 1 and str(path) in lines[0]
    assert "PRIVATE KEY" not in done.stderr


def test_disconnect_deletes_the_key_and_accounts_go_back_to_consent(inventory, workspace, env, key_file):
    assert connect_domain(workspace, SOL, key_file).ok
    account = inventory.account(SOL_USERS[0])
    assert TokenSource.for_account(account, workspace).token_source == "delegation"
    done = run_mailkit("workspace", "disconnect", SOL, home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    assert load_key(workspace, SOL) is None and connected_domains(workspace) == []
    assert TokenSource.for_account(account, workspace).token_source == "consent"
    again = run_mailkit("workspace", "disconnect", SOL, home=workspace.home, env=env)
    assert again.returncode == 2 and "is not connected" in again.stderr


def test_oauth_status_shows_delegated_accounts_as_delegated(inventory, workspace, env, key_file):
    done = run_mailkit("workspace", "connect", SOL, "--service-account", str(key_file), home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    status = run_mailkit("oauth", "status", "--json", home=workspace.home, env=env)
    rows = {row["email"]: row for row in json.loads(status.stdout)}
    assert {rows[e]["token_source"] for e in SOL_USERS} == {"delegation"}
    assert all(rows[e]["status"] == "ok" and rows[e]["scopes_ok"] for e in SOL_USERS)
    assert (rows[LUNA_USER]["token_source"], rows[LUNA_USER]["status"]) == ("consent", "not_configured")
    check = run_mailkit("check", SOL_USERS[0], "--imap", "--json", home=workspace.home, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    result = json.loads(check.stdout)
    assert (result["status"], result["token_source"]) == ("ok", "delegation")
    assert (result["imap"]["status"], result["imap"]["token_source"]) == ("ok", "delegation")


def test_the_sandbox_refuses_a_bad_delegation_table_in_one_line(workspace, tmp_path):
    bad = tmp_path / "accounts.toml"
    bad.write_text(f'[[account]]\nemail = "a@{SOL}"\nworkspace = true\n\n[[delegation]]\ndomain = "{SOL}"\n'
                   'scopes = "https://mail.google.com/"\n', encoding="utf-8")
    done = run_mailkit("sandbox", "--accounts", str(bad), "--state-dir", str(tmp_path / "state"), home=workspace.home)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{bad}: delegation #1 ({SOL}): `scopes` must be a non-empty list" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- the library ------------------------------------------------------------------------------------
def test_a_delegation_revoked_mid_audit_is_a_status_with_a_remedy(inventory, workspace, env, sandbox, key_file):
    assert connect_domain(workspace, SOL, key_file).ok
    seen = []

    def revoke_after_first(result):
        seen.append(result)
        if len(seen) == 1:
            sandbox.delegations.revoke(SOL)

    summary = asyncio.run(run_audit(workspace, Selection(company="sol"),
                                    AuditOptions(concurrency=1, send_test=True), on_result=revoke_after_first))
    assert len(summary.results) == USERS  # every account has its result: nothing crashed
    first, *rest = seen
    assert first.status is Status.OK and first.token_source == "delegation"
    assert rest and all(r.status is Status.DELEGATION_UNAUTHORIZED for r in rest)
    assert all(r.token_source == "delegation" for r in rest)
    remedy = rest[0].diagnosis.remedy("en", email=rest[0].email, provider="workspace")
    assert "Domain-wide delegation" in remedy and MAIL_SCOPE in remedy
    assert "Delegación de todo el dominio" in rest[0].diagnosis.remedy("es", provider="workspace")
    assert connected_domains(workspace)[0].last_result == "delegation_unauthorized"


def test_the_directory_is_read_as_the_remembered_admin_with_the_connected_key(inventory, workspace, env, key_file):
    assert connect_domain(workspace, SOL, key_file, admin=ADMIN).ok
    client = DirectoryClient.for_domain(workspace, SOL)
    assert client.admin == ADMIN
    assert client.get_user(ADMIN).enrolled is True
    assert connected_domains(workspace)[0].scopes == [MAIL_SCOPE, DIRECTORY_SCOPE]


def test_connect_with_an_admin_also_proves_the_directory_scope(inventory, workspace, env, sandbox, key_file):
    sandbox.delegations.grant(SOL, [MAIL_SCOPE])  # mail delegated, the Directory scope not
    done = run_mailkit("workspace", "connect", SOL, "--service-account", str(key_file), "--admin", ADMIN,
                       home=workspace.home, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    expected = ADMIN_CONSOLE.format(domain=SOL, client_id=client_id(key_file)) + "," + DIRECTORY_SCOPE
    assert expected in done.stderr
    assert connected_domains(workspace) == []
    outsider = run_mailkit("workspace", "connect", SOL, "--service-account", str(key_file), "--admin",
                           "boss@elsewhere.example", home=workspace.home, env=env)
    assert outsider.returncode == 2 and "--admin: boss@elsewhere.example is not an address of" in outsider.stderr


def test_tokens_are_cached_per_mailbox_until_five_minutes_before_they_end(inventory, workspace, env, key_file):
    from datetime import UTC, datetime, timedelta

    from mailkit.google_workspace import delegation

    assert connect_domain(workspace, SOL, key_file).ok
    source = TokenSource.for_account(inventory.account(SOL_USERS[1]), workspace)
    first = asyncio.run(source.access_token())
    assert asyncio.run(source.access_token()) == first == source.access_token_sync()
    other = TokenSource.for_account(inventory.account(SOL_USERS[2]), workspace).access_token_sync()
    assert other != first  # each mailbox its own token
    renewed = source.access_token_sync(rejected=first)  # a server refused it: a new one, once
    assert renewed != first and source.access_token_sync(rejected=first) == renewed
    key = (str(workspace.home.resolve()), SOL_USERS[1])
    delegation._cache[key] = delegation.Minted(renewed, datetime.now(UTC) + timedelta(minutes=4))
    assert source.access_token_sync() not in (first, renewed)  # within 5 minutes of its end: minted again


def test_many_mailboxes_load_the_key_once_and_read_the_database_once(inventory, workspace, env, key_file,
                                                                      monkeypatch):
    from google.oauth2 import service_account

    from mailkit.google_workspace import delegation, domains

    assert connect_domain(workspace, SOL, key_file).ok
    delegation._bases.clear()
    loads, opens = [], []
    real_load, real_open = service_account.Credentials.from_service_account_info, Inventory.open
    monkeypatch.setattr(service_account.Credentials, "from_service_account_info",
                        lambda *a, **k: loads.append(1) or real_load(*a, **k))
    monkeypatch.setattr(domains.Inventory, "open", lambda *a, **k: opens.append(1) or real_open(*a, **k))
    tokens = {TokenSource.for_account(inventory.account(email), workspace).access_token_sync() for email in SOL_USERS}
    assert len(tokens) == USERS and len(loads) == 1  # ~30 ms of RSA key loading, once
    assert len(opens) <= 1  # the connected domains are read again only after the database changed


def test_a_key_file_that_is_not_a_service_account_key_says_which_file_to_give(tmp_path, sandbox):
    from mailkit.errors import UsageError
    from mailkit.google_workspace.keys import parse_key

    with pytest.raises(UsageError, match="this is an OAuth client JSON, not a service-account key"):
        load_key_file(sandbox.info["client_config"])
    with pytest.raises(UsageError, match="lacks client_id"):
        parse_key({"type": "service_account", "client_email": "a@b", "private_key": "x", "token_uri": "https://t"})
    key = load_key_file(sandbox.state_dir / "service_account.json")
    assert "PRIVATE" not in repr(key) and set(key.describe()) == {"service_account", "client_id", "project_id"}


# --- no key, no token, anywhere -------------------------------------------------------------------------
def test_the_key_and_the_tokens_never_leave_keyring(inventory, workspace, env, sandbox, key_file, tmp_path):
    outputs = []
    for args in (("workspace", "connect", SOL, "--service-account", str(key_file), "--admin", ADMIN),
                 ("workspace", "connect", LUNA, "--service-account", str(key_file)),
                 ("workspace", "status"), ("workspace", "status", "--json"),
                 ("audit", "--send-test", "--json", "--no-progress"), ("check", SOL_USERS[0], "--transcript", "--json"),
                 ("report", "--output", str(tmp_path / "r.xlsx")), ("report", "--output", str(tmp_path / "r.html")),
                 ("report", "--output", str(tmp_path / "r.csv")), ("account", "export", str(tmp_path / "a.csv"))):
        done = run_mailkit(*args, home=workspace.home, env=env)
        outputs.append(done.stdout + done.stderr)
    key = load_key_file(key_file)
    body = "".join(key.info["private_key"].splitlines()[1:-1])
    secrets = {body[i:i + 40] for i in range(0, len(body) - 40, 200)}  # pieces of the key's base64
    secrets |= {access for access in sandbox.grants._access if access}  # every token the sandbox minted
    assert len(secrets) > USERS
    written = [p for p in workspace.home.rglob("*") if p.is_file()] + [p for p in tmp_path.iterdir() if p.is_file()]
    places = {str(p): p.read_bytes().decode("latin-1") for p in written}
    places.update({f"output {n}": text for n, text in enumerate(outputs)})
    leaks = [(where, secret[:8]) for where, text in places.items() for secret in secrets if secret in text]
    assert leaks == []
    assert any(p.name.startswith("mailkit.sqlite3") for p in written)

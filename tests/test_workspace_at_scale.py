"""A client's Google Workspace domain of 300 users, run as an admin runs it — every step the real command in a
subprocess against a sandbox domain on real sockets, one SQLite workspace:

connect the domain with domain-wide delegation, import its users from the Directory, audit all of them with test
sends without a single consent, list the app passwords and revoke those of five users; a delegation that lacks the
mail scope names the Admin-console line to paste; no private key or token is left anywhere mailkit writes.

The timings go to test-artifacts/workspace-300.json (measured, never asserted)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailkit.oauth.scopes import DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.reports import frames as reports
from mailkit.sandbox.runner import SandboxThread
from tests.cli_helpers import run_mailkit
from tests.leak_scan import SECRETS, record
from tests.sandbox_fixtures import smtp_login_code
from tests.workspace_domain import ADMIN, DOMAIN, DomainFile, running_domain, user, write_domain

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def domain(tmp_path_factory: pytest.TempPathFactory) -> DomainFile:
    return write_domain(tmp_path_factory.mktemp("grande-scale"))


@pytest.fixture
def grande(domain: DomainFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    for running in running_domain(domain, tmp_path / "sandbox", monkeypatch):
        key = json.loads((running.state_dir / "service_account.json").read_text(encoding="utf-8"))
        SECRETS.update(line for line in key["private_key"].splitlines() if len(line) > 40)  # the key's body
        yield running


def mailkit(home: Path, *args: str, timeout: float = 300):
    return run_mailkit(*args, home=home, timeout=timeout)




def test_a_300_user_domain_from_delegation_to_audit_and_revocation(grande: SandboxThread, domain: DomainFile,
                                                                   workspace) -> None:
    home, key_file, timings = workspace.home, grande.state_dir / "service_account.json", {}
    assert mailkit(home, "company", "add", "grande", "--name", "Grande SA").returncode == 0

    started = time.perf_counter()
    connected = mailkit(home, "workspace", "connect", DOMAIN, "--service-account", str(key_file),
                        "--check", user(1), "--admin", ADMIN, "--json")
    timings["connect_s"] = time.perf_counter() - started
    assert connected.returncode == 0, connected.stdout + connected.stderr

    started = time.perf_counter()
    imported = mailkit(home, "workspace", "users", DOMAIN, "--import", "--company", "grande")
    timings["users_import_s"] = time.perf_counter() - started
    assert imported.returncode == 0, imported.stderr
    emails = set(reports.status(workspace)["email"])
    active = {user(n) for n in range(1, 300)} - domain.suspended | {ADMIN}
    assert active <= emails and len(emails) == len(active)  # suspended users are left out unless asked for

    started = time.perf_counter()
    audited = mailkit(home, "audit", "--send-test", "--json", "--no-progress", timeout=600)
    timings["audit_with_test_sends_s"] = time.perf_counter() - started
    assert audited.returncode == 0, audited.stdout[-2000:] + audited.stderr[-2000:]
    frame = reports.status(workspace)
    assert set(frame["status"]) == {"ok"} and len(frame) == len(active)
    assert set(frame["token_source"]) == {"delegation"}  # every token minted for its mailbox, none consented
    with sqlite3.connect(workspace.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM oauth_grants").fetchone()[0] == 0
    assert len({m.mail_from.lower() for m in grande.messages}) == len(active)  # each mailbox sent its test

    started = time.perf_counter()
    listed = mailkit(home, "workspace", "app-passwords", DOMAIN, "--json")
    timings["app_passwords_list_s"] = time.perf_counter() - started
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["users_with_app_passwords"] == 12
    five = [user(n) for n in range(1, 6)]
    started = time.perf_counter()
    done = mailkit(home, "workspace", "app-passwords", DOMAIN, "--revoke-all", "--yes",
                   *[arg for email in five for arg in ("--user", email)])
    assert done.returncode == 0, done.stderr
    timings["revoke_five_users_s"] = time.perf_counter() - started
    assert all(smtp_login_code(grande, e, p) == 535 for e in five for p in domain.app_passwords[e])
    assert smtp_login_code(grande, user(7), domain.app_passwords[user(7)][0]) == 235

    ARTIFACTS.mkdir(exist_ok=True)
    figures = {"users": 300, "audited": len(active), **{k: round(v, 2) for k, v in timings.items()}}
    (ARTIFACTS / "workspace-300.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    record("workspace-300 timings", json.dumps(figures))
    _nothing_secret_written(workspace.home, key_file)


def _nothing_secret_written(home: Path, key_file: Path) -> None:
    """The key's body and any access token the sandbox issued are in no file of the workspace."""
    private = json.loads(key_file.read_text(encoding="utf-8"))["private_key"]
    needles = [line for line in private.splitlines() if len(line) > 40]
    scanned = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            assert not any(n in data for n in needles), path
            assert "ya29." not in data, path  # the sandbox's access tokens, as Google's, start so
            scanned.append(path.name)
    assert {"mailkit.sqlite3", "mailkit.sqlite3-wal"} & set(scanned), scanned


def test_a_delegation_without_the_mail_scope_names_the_admin_console_line(domain: DomainFile, tmp_path: Path,
                                                                          workspace, monkeypatch) -> None:
    accounts = tmp_path / "no-mail.toml"
    accounts.write_text(domain.path.read_text(encoding="utf-8") + "\n[[delegation]]\n"
                        f'domain = "{DOMAIN}"\nscopes = ["{DIRECTORY_SCOPE}"]\n', encoding="utf-8")
    with SandboxThread(accounts, tmp_path / "sandbox") as running:
        monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
        key_file = running.state_dir / "service_account.json"
        client_id = json.loads(key_file.read_text(encoding="utf-8"))["client_id"]
        done = mailkit(workspace.home, "workspace", "connect", DOMAIN, "--service-account", str(key_file),
                       "--check", user(1))
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "Security → Access and data control → API controls → Domain-wide delegation" in said
    assert f"Client ID: {client_id}" in said and MAIL_SCOPE in said
    status = mailkit(workspace.home, "workspace", "status", "--json")
    assert DOMAIN not in status.stdout  # nothing kept: the key was not stored for a domain that did not work

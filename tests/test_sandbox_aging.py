"""Sandbox time travel: grants and app passwords made N days old behave as Google's do at that age, for the
`mailkit check` of a real workspace, and the ageing survives a sandbox restart."""

from __future__ import annotations

import json
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.sandbox.accounts import load_accounts
from mailkit.sandbox.aging import Aging, age
from mailkit.sandbox.grants import DAY, GRANTS_FILE, GrantRegistry
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import ACCOUNTS
from tests.test_audit import consent

OAUTH = "citas.tallerruiz@gmail.com"
APP = "facturas.lupita@gmail.com"
APP_PASSWORD = "qwhk pznr tvbe lmsa"
ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _grant(registry: GrantRegistry, email: str = OAUTH) -> str:
    code = registry.issue_code(email, "client", (MAIL_SCOPE,), "http://localhost/")
    grant = registry.redeem_code(code, "client", "http://localhost/", "")
    assert not isinstance(grant, str)
    return grant.refresh_token


# --- the registry's rules ----------------------------------------------------------------------
def test_a_testing_clients_refresh_token_dies_seven_days_after_issue(tmp_path):
    registry = GrantRegistry(path=tmp_path / GRANTS_FILE)
    token = _grant(registry)
    registry.age_account(OAUTH, 6.9, testing=True)
    assert registry.grant_for_refresh(token, "client") is not None
    registry.age_account(OAUTH, 7)
    assert registry.grant_for_refresh(token, "client") is None
    registry.age_account(OAUTH, 8, testing=False)  # published: no 7-day limit
    assert registry.grant_for_refresh(token, "client") is not None


def test_an_unused_refresh_token_dies_after_six_months_and_a_use_keeps_it_alive(tmp_path):
    registry = GrantRegistry(path=tmp_path / GRANTS_FILE)
    token = _grant(registry)
    registry.age_account(OAUTH, 183)
    assert registry.grant_for_refresh(token, "client") is None
    fresh = _grant(registry)
    registry.age_account(OAUTH, 182)
    assert registry.grant_for_refresh(fresh, "client") is not None  # a use, today
    registry.age_account(OAUTH, 300)  # issued 300 days ago, last used 118 days ago: alive (and used now)
    assert registry.grant_for_refresh(fresh, "client") is not None
    registry.age_account(OAUTH, 500)  # that last use moved 200 days back: unused for too long
    assert registry.grant_for_refresh(fresh, "client") is None


def test_a_password_change_kills_older_grants_and_app_passwords_and_a_reload_keeps_it(tmp_path):
    registry = GrantRegistry(path=tmp_path / GRANTS_FILE)
    token = _grant(registry)
    registry.age_account(OAUTH, 30, password_changed_days=31)  # changed before the consent: still fine
    assert registry.grant_for_refresh(token, "client") is not None and not registry.app_passwords_revoked(OAUTH)
    registry.age_account(OAUTH, 30, password_changed_days=2)
    assert registry.grant_for_refresh(token, "client") is None and registry.app_passwords_revoked(OAUTH)
    again = GrantRegistry(path=tmp_path / GRANTS_FILE)
    assert again.grant_for_refresh(token, "client") is None and again.app_passwords_revoked(OAUTH)


def test_the_accounts_file_dates_a_password_change(tmp_path):
    path = tmp_path / "accounts.toml"
    path.write_text('[[account]]\nemail = "a@gmail.com"\ntwo_step = true\napp_passwords = ["abcd efgh ijkl mnop"]\n'
                    "password_changed_at = 2026-03-01T10:00:00Z\napp_passwords_issued_at = 2026-01-15\n")
    accounts = load_accounts(path)
    assert accounts["a@gmail.com"].password_changed_at > accounts["a@gmail.com"].app_passwords_issued_at
    assert GrantRegistry(accounts=accounts).app_passwords_revoked("a@gmail.com")
    path.write_text('[[account]]\nemail = "a@gmail.com"\npassword_changed_at = "last week"\n')
    with pytest.raises(UsageError, match="password_changed_at.*date-time"):
        load_accounts(path)


def test_bad_ageing_requests_are_one_clear_error():
    with pytest.raises(UsageError, match="nothing to change"):
        Aging(OAUTH)
    with pytest.raises(UsageError, match="days must be between"):
        Aging(OAUTH, days=-1)


# --- for real: the sandbox's HTTPS side, `mailkit check`, a restart -------------------------------
@pytest.fixture
def aged(tmp_path: Path, workspace, monkeypatch):
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: secrets go to the sandbox's file store
    running = SandboxThread(ACCOUNTS, tmp_path / "sandbox")
    running.start()
    monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("taller", "Taller"))
        inventory.upsert_account(build_account(OAUTH, "taller", provider_key="gmail", auth="oauth2"))
        inventory.upsert_account(build_account(APP, "taller", provider_key="gmail", auth="app-password"))
    secret_store(workspace).set(APP, SecretKind.APP_PASSWORD, APP_PASSWORD)
    consent(running, workspace, OAUTH, stale=True)  # the check must refresh
    yield running
    running.stop()


def _check(workspace, running: SandboxThread, email: str) -> str:
    done = run_mailkit("check", email, "--json", home=workspace.home,
                       env={**ENV, "MAILKIT_SANDBOX": str(running.info_path)})
    return json.loads(done.stdout)["status"]


def test_an_aged_testing_grant_ends_the_check_as_reauth_required(aged, workspace):
    assert age(Aging(OAUTH, days=6, testing=True), aged.state_dir) == (1, True)
    assert _check(workspace, aged, OAUTH) == "ok"
    age(Aging(OAUTH, days=7.01), aged.state_dir)
    assert _check(workspace, aged, OAUTH) == "oauth_reauth_required"


def test_an_app_password_older_than_the_password_change_is_refused_also_after_a_restart(aged, workspace):
    assert _check(workspace, aged, APP) == "ok"
    age(Aging(APP, days=40, password_changed_days=3), aged.state_dir)
    assert _check(workspace, aged, APP) == "bad_credentials"  # 535 5.7.8, as Google answers a revoked one
    state = aged.state_dir
    aged.stop()
    assert age(Aging(APP, password_changed_days=3), state) == (0, False)  # stopped: written into its state
    again = SandboxThread(ACCOUNTS, state)
    again.start()
    try:
        assert _check(workspace, again, APP) == "bad_credentials"
        assert again.grants.password_changed_at(APP) == pytest.approx(time.time() - 3 * DAY, abs=60)
    finally:
        again.stop()


def test_the_age_endpoint_refuses_an_unknown_account(aged):
    with pytest.raises(UsageError, match="no sandbox account"):
        age(Aging("nobody@gmail.com", days=3), aged.state_dir)


def test_the_cli_ages_a_running_sandbox_and_says_so(aged, workspace):
    env = {**ENV, "MAILKIT_SANDBOX": str(aged.info_path)}
    done = run_mailkit("sandbox", "age", OAUTH, "--days", "8", "--testing", "--json", home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"email": OAUTH, "days": 8.0, "testing": True, "password_changed_days": None,
                                       "grants": 1, "running": True, "state_dir": str(aged.state_dir)}
    assert _check(workspace, aged, OAUTH) == "oauth_reauth_required"
    nothing = run_mailkit("sandbox", "age", OAUTH, home=workspace.home, env=env)
    assert nothing.returncode == 2 and nothing.stderr.strip().splitlines()[-1] == (
        "error: nothing to change: give --days, --testing/--published or --password-changed")

"""2-Step Verification: Directory API (service account), sign-in probe, manual confirmation, CLI."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from mailkit.checks.results import Timeouts
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.twostep.directory import (
    DirectoryClient,
    DirectoryError,
    configure_directory,
    directory_settings,
    read_service_account,
)
from mailkit.twostep.state import (
    APP_PASSWORD_SIGNIN,
    DIRECTORY,
    MANUAL,
    PROBE,
    check_twostep,
    confirm_manually,
    manual_steps,
    stored,
    stored_all,
)
from tests.cli_helpers import run_mailkit

DELNORTE = "ferreteria-delnorte.example"
KOWALSKI = "biuro-kowalski.example"
FAST = Timeouts(dns=3, connect=3, tls=3, reply=5)
ACCOUNTS = {
    "ferreteria": [f"admin@{DELNORTE}", f"facturacion@{DELNORTE}", f"ventas@{DELNORTE}"],
    "kowalski": [f"faktury@{KOWALSKI}", f"crm@{KOWALSKI}"],
    "lupita": ["facturas.lupita@gmail.com", "recuperacion.lupita@gmail.com"],
    "ruiz": ["citas.tallerruiz@gmail.com", "avisos.tallerruiz@gmail.com"],
}


@pytest.fixture
def inventory(workspace):
    with Inventory.open(workspace) as inv:
        for slug, emails in ACCOUNTS.items():
            inv.upsert_company(Company(slug, slug.title()))
            for email in emails:
                provider = "gmail" if email.endswith("@gmail.com") else "workspace"
                inv.upsert_account(build_account(email, slug, provider_key=provider, auth="app_password"))
        yield inv


@pytest.fixture
def service_account(sandbox_env):
    """The sandbox's service-account key (domain-wide delegation), as an admin downloads it."""
    return sandbox_env.state_dir / "service_account.json"


class Recording:
    """A directory factory that keeps the clients it made, to count their HTTP requests."""

    def __init__(self, workspace):
        self.workspace, self.clients = workspace, []

    def __call__(self, domain: str) -> DirectoryClient:
        client = DirectoryClient.for_domain(self.workspace, domain)
        self.clients.append(client)
        return client


def check(inventory, workspace, company=None, emails=None, **kw):
    accounts = inventory.accounts(company, emails)
    return {s.email: s for s in asyncio.run(check_twostep(inventory, accounts, workspace=workspace, timeouts=FAST,
                                                          **kw))}


# --- Workspace: Directory API ----------------------------------------------------------------------
def test_workspace_enrolled_not_enrolled_enforced_in_one_list_call(inventory, workspace, service_account):
    configure_directory(workspace, service_account=service_account, admin=f"admin@{DELNORTE}")
    recording = Recording(workspace)
    found = check(inventory, workspace, "ferreteria", directory=recording)
    assert {e: (s.state, s.enforced, s.source) for e, s in found.items()} == {
        f"admin@{DELNORTE}": ("on", True, DIRECTORY),
        f"facturacion@{DELNORTE}": ("on", True, DIRECTORY),
        f"ventas@{DELNORTE}": ("off", False, DIRECTORY),
    }
    [client] = recording.clients
    assert len(client.calls) == 1 and f"/users?domain={DELNORTE}" in client.calls[0]
    assert client.calls[0].endswith("-> 200") and len(client.token_calls) == 1
    row = inventory.conn.execute("SELECT state, enforced, source, checked_at FROM twostep WHERE account_id = ?",
                                 (inventory.account_id(f"ventas@{DELNORTE}"),)).fetchone()
    assert tuple(row)[:3] == ("off", 0, "directory")
    assert datetime.now(UTC) - datetime.fromisoformat(row["checked_at"]) < timedelta(minutes=1)
    assert "isEnrolledIn2Sv=false" in stored(inventory, f"ventas@{DELNORTE}").detail


def test_one_account_is_one_users_get(inventory, workspace, service_account):
    configure_directory(workspace, service_account=service_account, admin=f"admin@{DELNORTE}")
    recording = Recording(workspace)
    found = check(inventory, workspace, emails=[f"facturacion@{DELNORTE}"], directory=recording)
    assert found[f"facturacion@{DELNORTE}"].state == "on"
    calls = [c.split("?")[0] for c in recording.clients[0].calls]
    assert calls == [f"GET /admin/directory/v1/users/facturacion@{DELNORTE}"]


def test_users_list_follows_next_page_tokens(workspace, service_account):
    configure_directory(workspace, service_account=service_account, admin=f"admin@{DELNORTE}")
    client = DirectoryClient.for_domain(workspace, DELNORTE)
    users = client.list_domain(DELNORTE, page_size=2)
    assert len(users) == 3 and len(client.calls) == 2 and "pageToken=" in client.calls[1]


def test_non_admin_gets_403_classified_with_a_clear_message(inventory, workspace, service_account):
    configure_directory(workspace, service_account=service_account, admin=f"faktury@{KOWALSKI}")
    with pytest.raises(DirectoryError) as caught:
        DirectoryClient.for_domain(workspace, KOWALSKI).list_domain(KOWALSKI)
    assert (caught.value.reason, caught.value.http_status) == ("not_admin", 403)
    assert f"faktury@{KOWALSKI} may not read the users of {KOWALSKI}" in str(caught.value)
    assert f"--admin ADMIN@{KOWALSKI}" in str(caught.value)
    found = check(inventory, workspace, "kowalski")
    assert {s.state for s in found.values()} == {"unknown"}
    assert all("Directory API (not_admin)" in s.detail for s in found.values())


def test_unknown_admin_and_bad_key_are_named(workspace, service_account, tmp_path):
    configure_directory(workspace, service_account=service_account, admin=f"nobody@{KOWALSKI}")
    with pytest.raises(DirectoryError) as caught:
        DirectoryClient.for_domain(workspace, KOWALSKI).get_user(f"crm@{KOWALSKI}")
    assert caught.value.reason == "unknown_admin"
    not_a_key = tmp_path / "client.json"
    not_a_key.write_text('{"installed": {"client_id": "x"}}')
    with pytest.raises(DirectoryError, match="not a service-account key"):
        configure_directory(workspace, service_account=not_a_key)
    assert directory_settings(workspace).service_account == service_account.resolve()


def test_admins_are_kept_per_domain(workspace, service_account):
    configure_directory(workspace, service_account=service_account, admin=f"admin@{DELNORTE}")
    configure_directory(workspace, admin=f"faktury@{KOWALSKI}")
    settings = configure_directory(workspace, admin=f"boss@{KOWALSKI}")
    assert settings.admins == [f"admin@{DELNORTE}", f"boss@{KOWALSKI}"]
    assert settings.admin_for(KOWALSKI.upper()) == f"boss@{KOWALSKI}"
    assert settings.admin_for("other.example") is None
    assert read_service_account(service_account)["type"] == "service_account"


def test_workspace_without_directory_setup_says_how(inventory, workspace, sandbox_env):
    found = check(inventory, workspace, emails=[f"ventas@{DELNORTE}"])
    assert found[f"ventas@{DELNORTE}"].state == "unknown"
    assert "mailkit twostep setup" in found[f"ventas@{DELNORTE}"].detail


# --- consumer Gmail: sign-in probe ---------------------------------------------------------------
def test_consumer_probe_534_means_on_and_a_working_password_means_off(inventory, workspace, sandbox_env):
    secret_store(workspace).set("citas.tallerruiz@gmail.com", SecretKind.PASSWORD, "Ruiz-Citas-9")
    found = check(inventory, workspace, emails=["recuperacion.lupita@gmail.com", "citas.tallerruiz@gmail.com"],
                  passwords={"recuperacion.lupita@gmail.com": "Recupera-2020!"})
    on, off = found["recuperacion.lupita@gmail.com"], found["citas.tallerruiz@gmail.com"]
    assert (on.state, on.source, on.enforced) == ("on", PROBE, None)
    assert "534 5.7.9" in on.detail
    assert (off.state, off.source) == ("off", PROBE)
    assert "Recupera-2020!" not in on.detail and "Ruiz-Citas-9" not in off.detail


def test_a_working_app_password_proves_2sv_on(inventory, workspace, sandbox_env):
    secret_store(workspace).set("facturas.lupita@gmail.com", SecretKind.APP_PASSWORD, "qwhk pznr tvbe lmsa")
    found = check(inventory, workspace, emails=["facturas.lupita@gmail.com"])
    assert (found["facturas.lupita@gmail.com"].state, found["facturas.lupita@gmail.com"].source) == (
        "on", APP_PASSWORD_SIGNIN)


def test_web_login_or_wrong_password_stay_unknown(inventory, workspace, sandbox_env):
    found = check(inventory, workspace, emails=[f"crm@{KOWALSKI}", "citas.tallerruiz@gmail.com"],
                  passwords={f"crm@{KOWALSKI}": "Crm.Kowalski.1", "citas.tallerruiz@gmail.com": "wrong-one"})
    assert "browser" in found[f"crm@{KOWALSKI}"].detail
    assert "not accepted" in found["citas.tallerruiz@gmail.com"].detail
    assert {s.state for s in found.values()} == {"unknown"}


# --- unknown -> manual confirmation -----------------------------------------------------------------
def test_unknown_then_confirmed_by_hand_with_who_and_when(inventory, workspace, sandbox_env):
    email = "avisos.tallerruiz@gmail.com"
    assert check(inventory, workspace, emails=[email])[email].state == "unknown"
    confirmed = confirm_manually(inventory, email, "ON", "Ana Ruiz (IT)")
    row = stored(inventory, email)
    assert (row.state, row.source, row.confirmed_by) == ("on", MANUAL, "Ana Ruiz (IT)")
    assert row.checked_at == confirmed.checked_at
    assert datetime.now(UTC) - datetime.fromisoformat(row.checked_at) < timedelta(minutes=1)
    again = check(inventory, workspace, emails=[email])[email]  # still no password: the person's answer stays
    assert (again.state, again.source, again.confirmed_by) == ("on", MANUAL, "Ana Ruiz (IT)")
    assert [s.email for s in stored_all(inventory, "ruiz")] == [email]


def test_manual_confirmation_needs_a_state_and_a_name(inventory):
    with pytest.raises(UsageError, match="on' or 'off"):
        confirm_manually(inventory, "avisos.tallerruiz@gmail.com", "maybe", "Ana")
    with pytest.raises(UsageError, match="who looked"):
        confirm_manually(inventory, "avisos.tallerruiz@gmail.com", "off", "  ")
    assert stored(inventory, "avisos.tallerruiz@gmail.com") is None


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["2-Step Verification", "App passwords", "Security"]),
    ("es", ["verificación en dos pasos", "Contraseñas de aplicaciones", "Seguridad"]),
    ("pl", ["weryfikacja dwuetapowa", "Hasła do aplikacji", "Bezpieczeństwo"]),
])
def test_manual_steps_in_three_languages(lang, words):
    text = manual_steps(lang, "avisos.tallerruiz@gmail.com")
    assert "https://myaccount.google.com" in text and "myaccount.google.com/apppasswords" in text
    assert all(word in text for word in words)
    assert "mailkit twostep confirm avisos.tallerruiz@gmail.com --state on|off" in text
    assert "mailkit twostep confirm EMAIL" in manual_steps(lang)


# --- command line -----------------------------------------------------------------------------------
def test_cli_setup_check_confirm(inventory, workspace, service_account, sandbox_env):
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path)}
    done = run_mailkit("twostep", "setup", "--service-account", str(service_account), "--admin",
                       f"admin@{DELNORTE}", home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    assert f"ok: read admin@{DELNORTE}: 2SV on" in done.stdout
    done = run_mailkit("twostep", "check", "--company", "ferreteria", home=workspace.home, env=env)
    assert done.returncode == 1, done.stderr  # ventas@ has 2SV off
    lines = {line.split()[0]: line.split()[1:4] for line in done.stdout.splitlines()[1:] if "@" in line}
    assert lines[f"ventas@{DELNORTE}"] == ["off", "no", "directory"]
    assert lines[f"admin@{DELNORTE}"] == ["on", "yes", "directory"]
    done = run_mailkit("twostep", "confirm", "avisos.tallerruiz@gmail.com", "--state", "on", "--by", "Ana",
                       "--json", home=workspace.home, env=env)
    assert json.loads(done.stdout)["confirmed_by"] == "Ana"
    done = run_mailkit("twostep", "check", "avisos.tallerruiz@gmail.com", "--json", home=workspace.home, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["source"] == "manual"


def test_cli_unknown_prints_the_manual_steps_and_exits_1(inventory, workspace, sandbox_env):
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path), "MAILKIT_LANG": "pl"}
    done = run_mailkit("twostep", "check", "facturas.lupita@gmail.com", home=workspace.home,
                       env={**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert done.returncode == 1, done.stderr
    assert "unknown" in done.stdout and "Weryfikacja dwuetapowa" in done.stdout
    done = run_mailkit("twostep", "setup", "--service-account", str(workspace.home / "missing.json"),
                       home=workspace.home, env=env)
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_pick_admin_prefers_the_domain_then_a_lone_admin():
    from mailkit.oauth.store import pick_admin

    assert pick_admin(["a@one.example", "b@two.example"], "TWO.example") == "b@two.example"
    assert pick_admin(["a@one.example", "b@two.example"], "three.example") is None
    assert pick_admin(["a@one.example"], "secondary.example") == "a@one.example"
    assert pick_admin([], "one.example") is None

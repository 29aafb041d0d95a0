"""The health forecast, for real: a sandbox moved back in time (`mailkit sandbox age`), the real `mailkit oauth
client`, consent, `check`, `audit` and `forecast` commands, and the workspace's own SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import keyring
import pytest
from keyring.backends import fail

from mailkit.audit_store import AuditStore, ResultRow
from mailkit.forecast import BASIC_AUTH_RETIREMENT, ForecastItem, forecast
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.store import GrantStore, iso
from mailkit.sandbox.aging import Aging, age
from mailkit.sandbox.runner import SandboxThread
from mailkit.workspace import Workspace
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import PASSWORD_MAILBOXES, m365, mws  # noqa: F401 - fixtures
from tests.test_oauth import CITAS, login, own, own_ws  # noqa: F401 - fixtures

APP = "facturas.lupita@gmail.com"
APP_PASSWORD = "qwhk pznr tvbe lmsa"
ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _forecast(ws: Workspace, sandbox: SandboxThread | None = None, *args: str, lang: str = "en") -> list[dict]:
    env = {**ENV, **({"MAILKIT_SANDBOX": str(sandbox.info_path)} if sandbox else {})}
    done = run_mailkit("forecast", "--json", "--lang", lang, *args, home=ws.home, env=env)
    assert done.returncode in (0, 1), done.stderr
    items = json.loads(done.stdout)["items"]
    assert done.returncode == (1 if items else 0)
    return items


def _of(items: list[dict], email: str, kind: str) -> dict:
    found = [i for i in items if i["email"] == email and i["kind"] == kind]
    assert len(found) == 1, items
    return found[0]


@pytest.fixture
def files_keyring() -> None:
    """As in the subprocesses: no keyring, so the sandbox's file store keeps the secrets both sides read."""
    keyring.set_keyring(fail.Keyring())


# --- for real, with the sandbox's time travel ------------------------------------------------------
def test_a_testing_client_grant_aged_six_days_breaks_in_one_day(own_ws, own, files_keyring):  # noqa: F811
    env = {**ENV, "MAILKIT_SANDBOX": str(own.info_path)}
    said = run_mailkit("oauth", "client", "--testing", home=own_ws.home, env=env)
    assert said.returncode == 0 and "in Testing" in said.stdout, said.stderr
    assert login(own_ws, own, CITAS).ok
    first = _of(_forecast(own_ws, own), CITAS, "oauth_testing")
    assert first["headline"] == "breaks in 7 days" and first["days_left"] == 7
    assert "7 days" in first["cause"] and "mailkit oauth login citas.tallerruiz@gmail.com" in first["remedy"]

    age(Aging(CITAS, days=6, testing=True), own.state_dir)  # Google's clock: the consent was 6 days ago
    own.grants.expire_access_tokens(CITAS)
    checked = run_mailkit("check", CITAS, "--json", home=own_ws.home, env=env)
    assert json.loads(checked.stdout)["status"] == "ok", checked.stdout + checked.stderr  # refreshed: Google told
    item = _of(_forecast(own_ws, own), CITAS, "oauth_testing")
    assert item["headline"] == "breaks in 1 day" and item["days_left"] == 1 and not item["broken"]
    assert datetime.fromisoformat(item["when"]) - datetime.now(UTC) < timedelta(days=1)
    es = _of(_forecast(own_ws, own, lang="es"), CITAS, "oauth_testing")
    assert es["headline"] == "se rompe en 1 día" and "mailkit oauth login" in es["remedy"]


def test_an_app_password_predating_a_password_change_appears(own_ws, own, files_keyring):  # noqa: F811
    env = {**ENV, "MAILKIT_SANDBOX": str(own.info_path)}
    with Inventory.open(own_ws) as inventory:
        inventory.upsert_company(Company("lupita", "Facturas Lupita"))
        inventory.upsert_account(build_account(APP, "lupita", provider_key="gmail", auth="app-password"))
    stored = run_mailkit("secret", "set", APP, "--no-test", input=APP_PASSWORD + "\n", home=own_ws.home, env=env)
    assert stored.returncode == 0, stored.stderr
    assert run_mailkit("audit", "--email", APP, "--no-progress", home=own_ws.home, env=env).returncode == 0
    assert not [i for i in _forecast(own_ws, own) if i["email"] == APP]

    age(Aging(APP, days=40, password_changed_days=3), own.state_dir)  # the password changed after it was made
    refused = run_mailkit("audit", "--email", APP, "--no-progress", home=own_ws.home, env=env)
    assert refused.returncode == 1 and "bad_credentials" in refused.stdout
    item = _of(_forecast(own_ws, own), APP, "app_password_revoked")
    assert item["broken"] and item["headline"].startswith("broken since ")
    assert item["company_name"] == "Facturas Lupita"
    assert "(535 5.7.8 Username and Password not accepted.)" in item["cause"]
    assert "password changes" in item["cause"] and f"mailkit secret set {APP}" in item["remedy"]
    assert APP_PASSWORD not in json.dumps(item)


def test_a_microsoft_mailbox_on_a_password_appears_with_the_retirement_date(mws):  # noqa: F811
    items = _forecast(mws, None)
    retiring = {i["email"]: i for i in items if i["kind"] == "basic_auth_retirement"}
    assert set(retiring) == set(PASSWORD_MAILBOXES)
    one = retiring[PASSWORD_MAILBOXES[0]]
    assert one["when"].startswith("2026-12-31") and "2026-12-31" in one["cause"]
    assert "--auth oauth2" in one["remedy"] and "oauth client --microsoft" in one["remedy"]
    pl = {i["email"]: i for i in _forecast(mws, None, lang="pl") if i["kind"] == "basic_auth_retirement"}
    assert "2026-12-31" in pl[PASSWORD_MAILBOXES[0]]["cause"] and pl[PASSWORD_MAILBOXES[0]]["cause"] != one["cause"]
    text = run_mailkit("forecast", "--company", "contoso", home=mws.home, env=ENV)
    assert text.returncode == 1 and text.stdout.startswith("Contoso MX\n") and "2026-12-31" in text.stdout


# --- the rules on a workspace's own facts ------------------------------------------------------------
def _workspace_with(ws: Workspace, email: str, provider: str, auth: str) -> int:
    with Inventory.open(ws) as inventory:
        inventory.upsert_company(Company("acme", "ACME"))
        inventory.upsert_account(build_account(email, "acme", provider_key=provider, auth=auth))
        return inventory.account_id(email)


def _grant(ws: Workspace, email: str, obtained: datetime, status: str = "ok") -> None:
    with Inventory.open(ws) as inventory:
        GrantStore(inventory).save_consent(email, client_fingerprint="f", authorized_email=email, scopes=["s"],
                                           access_expires_at=None)
        inventory.conn.execute("UPDATE oauth_grants SET obtained_at = ?, status = ?", (iso(obtained), status))


def test_a_refresh_token_unused_for_nearly_six_months_and_a_revoked_one(workspace):
    now = datetime.now(UTC)
    _workspace_with(workspace, "a@gmail.com", "gmail", "oauth2")
    _grant(workspace, "a@gmail.com", now - timedelta(days=175))
    item = next(i for i in forecast(workspace, 14, now=now) if i.kind == "oauth_unused")
    assert item.days_left(now) == 8 and (now - timedelta(days=175)).strftime("%Y-%m-%d") in item.cause("en")
    assert not [i for i in forecast(workspace, 7, now=now) if i.kind == "oauth_unused"]  # beyond a 7-day horizon
    with Inventory.open(workspace) as inventory:  # a refresh since used the refresh token
        GrantStore(inventory).record_refresh("a@gmail.com", now + timedelta(hours=1))
    assert not forecast(workspace, 14, now=now)
    with Inventory.open(workspace) as inventory:
        GrantStore(inventory).set_status("a@gmail.com", "oauth_reauth_required")
    (revoked,) = forecast(workspace, 14, now=now)
    assert revoked.kind == "oauth_revoked" and revoked.broken(now) and "oauth login a@gmail.com" in revoked.remedy("en")


def test_test_sends_near_the_daily_limit(workspace):
    now = datetime.now(UTC)
    account_id = _workspace_with(workspace, "b@empresa.example", "workspace", "app-password")
    workspace.set_setting("forecast.daily_limit", 10)
    with Inventory.open(workspace) as inventory:
        store = AuditStore(inventory.conn)
        for n in range(9):
            run = store.start_run({}, {"send_test": True}, [account_id])
            store.record(run.id, ResultRow(account_id, "ok", message_id=f"<m{n}@x>",
                                           checked_at=iso(now - timedelta(hours=20 - n))))
    (item,) = forecast(workspace, 14, now=now)
    assert item.kind == "quota_nearly_used" and item.headline("en", now) == "breaks in 1 day"
    assert "9 test messages" in item.cause("en") and "about 10 a day" in item.cause("en")
    assert not forecast(workspace, 14, now=now + timedelta(hours=21))  # the oldest sends are a day old by then


def test_the_retirement_shows_ninety_days_ahead_and_then_as_broken(workspace):
    _workspace_with(workspace, "c@contoso.example", "microsoft365", "password")
    assert not forecast(workspace, 14, now=BASIC_AUTH_RETIREMENT - timedelta(days=91))
    (item,) = forecast(workspace, 14, now=BASIC_AUTH_RETIREMENT - timedelta(days=89))
    assert item.days_left(BASIC_AUTH_RETIREMENT - timedelta(days=89)) == 89
    (after,) = forecast(workspace, 1, now=BASIC_AUTH_RETIREMENT + timedelta(days=3))
    assert after.headline("pl", BASIC_AUTH_RETIREMENT + timedelta(days=3)).endswith("2026-12-31")


def test_an_item_speaks_each_language_and_keeps_its_fields():
    item = ForecastItem("x@gmail.com", "acme", "ACME", "oauth_testing", datetime(2026, 12, 8, tzinfo=UTC))
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert [item.headline(lang, now) for lang in ("en", "es", "pl")] == [
        "breaks in 3 days", "se rompe en 3 días", "przestanie działać za 3 dni"]
    for lang in ("en", "es", "pl"):
        assert "2026-12-08" in item.cause(lang) and "x@gmail.com" in item.remedy(lang)


def test_migration_adds_the_grant_columns_to_an_old_workspace(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.sqlite3")
    from mailkit.schema import MIGRATIONS, connect

    for statements in MIGRATIONS[:5]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    columns = {r[1] for r in connect(str(tmp_path / "old.sqlite3")).execute("PRAGMA table_info(oauth_grants)")}
    assert {"refresh_expires_at", "client_testing"} <= columns


def test_the_report_has_a_breaks_soon_sheet_and_section(workspace, tmp_path):
    import openpyxl

    from mailkit.reports import export, forecast_frame
    from mailkit.reports.breaks_soon import forecast_headers

    _workspace_with(workspace, "c@contoso.example", "microsoft365", "password")
    frame = forecast_frame(workspace, lang="es", now=BASIC_AUTH_RETIREMENT - timedelta(days=10))
    assert frame.loc[0, "email"] == "c@contoso.example" and frame.loc[0, "days_left"] == 10
    assert frame.loc[0, "what"] == "Microsoft termina el inicio de sesión con contraseña"
    book = openpyxl.load_workbook(export(tmp_path / "r.xlsx", workspace, lang="pl"))
    sheet = book["Wkrótce przestanie działać"]
    headers = [c.value for c in sheet[1]]
    assert "co przestanie działać" in headers and "przestanie działać (UTC)" in headers
    row = dict(zip(headers, [c.value for c in sheet[2]], strict=True))
    assert row[forecast_headers("pl")["email"]] == "c@contoso.example"
    assert row["przestanie działać (UTC)"] == datetime(2026, 12, 31)
    page = export(tmp_path / "r.html", workspace, lang="en").read_text(encoding="utf-8")
    assert "<h2>Breaks soon</h2>" in page and "c@contoso.example" in page

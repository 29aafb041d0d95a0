"""Basic-auth readiness across companies: which Microsoft 365 mailboxes still sign in with a password (and so
break when Microsoft retires basic authentication), which Microsoft already refuses, which are on OAuth —
as a DataFrame, as `mailkit report --readiness [--json]`, and as a sheet of the Excel report."""

from __future__ import annotations

import json
from datetime import date

import keyring
import openpyxl
from keyring.backends import fail

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.reports.readiness import BLOCKED, READY, WILL_BREAK, readiness_frame, readiness_of, summary
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import DEFAULTS, FACTURAS, LEGACY, PASSWORD_MAILBOXES, PASSWORDS, RETIRED, SMTPOFF, VENTAS

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

OTHERS = "otra"  # a second company: a Gmail account (never listed) and a custom row on Microsoft's host


def _more_companies(ws: Workspace) -> None:
    with Inventory.open(ws) as inventory:
        inventory.upsert_company(Company(OTHERS, "Otra SA"))
        inventory.upsert_account(build_account("facturas.lupita@gmail.com", OTHERS, provider_key="gmail",
                                               auth="app_password"))
        inventory.upsert_account(build_account("avisos@otra.example", OTHERS, provider_key="custom",
                                               auth="password", smtp_host="smtp.office365.com", smtp_port=587,
                                               security="starttls"))


def test_readiness_of_each_sign_in_and_status() -> None:
    assert readiness_of("oauth2", "smtp_auth_disabled") == READY  # OAuth survives the retirement
    assert readiness_of("password", "") == WILL_BREAK  # not checked yet: a password all the same
    assert readiness_of("app_password", "ok") == WILL_BREAK  # an app password is basic authentication too
    assert readiness_of("password", "bad_credentials") == WILL_BREAK
    for status in (Status.SMTP_AUTH_DISABLED, Status.SECURITY_DEFAULTS, Status.BASIC_AUTH_DISABLED):
        assert readiness_of("password", status.value) == BLOCKED


def test_before_any_check_every_password_mailbox_will_break(mws: Workspace) -> None:
    _more_companies(mws)
    frame = readiness_frame(mws, today=date(2026, 12, 1))
    assert "facturas.lupita@gmail.com" not in set(frame["email"])
    rows = frame.set_index("email")
    assert rows.loc["avisos@otra.example", "readiness"] == WILL_BREAK  # Microsoft's host, whatever the provider
    assert {rows.loc[e, "readiness"] for e in (FACTURAS, VENTAS)} == {READY}
    assert {rows.loc[e, "readiness"] for e in (LEGACY, SMTPOFF, DEFAULTS, RETIRED)} == {WILL_BREAK}
    assert list(frame["will_break"]) == [True] * 5 + [False] * 2  # the ones to act on come first
    assert set(frame["days_left"]) == {30} and set(frame["deadline"]) == {"2026-12-31"}
    assert "`mailkit oauth login legacy@contoso-mx.example`" in rows.loc[LEGACY, "action"]
    spanish = readiness_frame(mws, lang="es")
    assert "readiness" not in spanish.columns and "mailkit oauth login" in spanish.iloc[0, -2]
    assert summary(frame) == {"blocked": 0, "will_break": 5, "ready": 2}


def test_cli_after_an_audit_lists_blocked_and_will_break_across_companies(mws: Workspace, m365: SandboxThread,
                                                                          tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: the sandbox's file store holds the fake secrets
    for email in PASSWORD_MAILBOXES:
        secret_store(mws).set(email, SecretKind.PASSWORD, PASSWORDS[email])
    _more_companies(mws)
    env = {"MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    audit = run_mailkit("audit", "--company", "contoso", "--no-progress", home=mws.home, env=env, timeout=120)
    assert audit.returncode == 1, audit.stdout + audit.stderr
    done = run_mailkit("report", "--readiness", "--json", home=mws.home, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(done.stdout)
    by_email = {row["email"]: row for row in data["accounts"]}
    assert data["deadline"] == "2026-12-31"
    assert data["summary"] == {"blocked": 3, "will_break": 2, "ready": 2}
    assert {e for e, row in by_email.items() if row["readiness"] == BLOCKED} == {SMTPOFF, DEFAULTS, RETIRED}
    assert by_email[SMTPOFF]["status"] == "smtp_auth_disabled" and by_email[LEGACY]["status"] == "ok"
    assert by_email[LEGACY]["readiness"] == WILL_BREAK and by_email["avisos@otra.example"]["status"] == ""
    assert [row["readiness"] for row in data["accounts"]][:3] == [BLOCKED] * 3
    only = json.loads(run_mailkit("report", "--readiness", "--json", "--company", OTHERS, home=mws.home,
                                  env=env).stdout)
    assert [row["email"] for row in only["accounts"]] == ["avisos@otra.example"]

    table = run_mailkit("report", "--readiness", "--lang", "es", "--output", str(tmp_path / "r.xlsx"),
                        home=mws.home, env=env)
    assert table.returncode == 1, table.stderr
    assert "ya bloqueada" in table.stdout and "smtpoff@contoso-mx.example" in table.stdout
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames[-1] == "Autenticación básica"
    sheet = book["Autenticación básica"]
    assert sheet.max_row == 8 and SMTPOFF in [cell.value for cell in sheet["C"]]


def test_no_microsoft_mailbox_no_readiness_sheet(workspace: Workspace, tmp_path) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        inventory.upsert_account(build_account("a@gmail.com", "acme", provider_key="gmail", auth="oauth2"))
    done = run_mailkit("report", "--readiness", home=workspace.home)
    assert done.returncode == 0 and "no Microsoft 365 accounts" in done.stdout
    run_mailkit("report", "--output", str(tmp_path / "r.xlsx"), home=workspace.home)
    sheets = openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames
    assert sheets == ["Status", "Companies", "Runs", "Results", "Breaks soon"]

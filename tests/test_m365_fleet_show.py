"""The Microsoft 365 work end to end on a mixed sandbox fleet (Gmail, Google Workspace, Microsoft 365), as an admin
runs it: consent by loopback (Google's and Microsoft's) and by device code (`mailkit oauth login --device-code`),
an audit with test sends, the readiness view listing the mailboxes still on passwords, every Microsoft status in the
report with its remedy, and no secret in any output or export."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import keyring
import openpyxl
from keyring.backends import fail

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth import ConsentFlow
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.ui import ReportView
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.cli_helpers import run_mailkit
from tests.leak_scan import SECRETS, leaks
from tests.m365_fixtures import (
    DEFAULTS,
    FACTURAS,
    LEGACY,
    PASSWORD_MAILBOXES,
    PASSWORDS,
    RETIRED,
    SMTPOFF,
    VENTAS,
    account,
    arrive,
    browser_login,
)

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

GMAIL = "facturas.lupita@gmail.com"
GMAIL_APP_PASSWORD = "qwhk pznr tvbe lmsa"
WORKSPACE = "facturacion@papeleria-gomez.example"
#: Each Microsoft status the fleet's flagged mailboxes answer with, and words its remedy must hold.
MICROSOFT_STATUSES = {
    SMTPOFF: ("smtp_auth_disabled", ("Set-CASMailbox", "-SmtpClientAuthenticationDisabled $false", "$null")),
    DEFAULTS: ("security_defaults", ("Manage security defaults", "mailkit oauth login")),
    RETIRED: ("basic_auth_disabled", ("mailkit oauth client --microsoft", "--device-code")),
}


def _fleet(ws: Workspace) -> None:
    """Two more companies beside Contoso's Microsoft 365 mailboxes: a Gmail account on an app password and a
    Google Workspace account on OAuth."""
    with Inventory.open(ws) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inventory.upsert_company(Company("papeleria", "Papelería Gómez"))
        inventory.upsert_account(build_account(GMAIL, "lupita", provider_key="gmail", auth="app_password"))
        inventory.upsert_account(build_account(WORKSPACE, "papeleria", provider_key="workspace", auth="oauth2"))
    store = secret_store(ws)
    store.set(GMAIL, SecretKind.APP_PASSWORD, GMAIL_APP_PASSWORD)
    for email in PASSWORD_MAILBOXES:
        store.set(email, SecretKind.PASSWORD, PASSWORDS[email])


def _device_code_login(ws: Workspace, env: dict[str, str], email: str) -> str:
    """`mailkit oauth login EMAIL --device-code` while a person enters the code at Microsoft's page."""
    child = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(ws.home), "oauth", "login", email,
                              "--device-code", "--timeout", "30"], env={**os.environ, **env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        assert "enter the code" in line, line
        code, uri = line.rsplit(" ", 1)[-1].strip(), line.split("open ", 1)[1].split(" ", 1)[0]
        approve(f"{uri}?otc={code}&login_hint={email}")
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out + err
    return line + out + err


def test_mixed_fleet_consents_audits_with_sends_and_reports_microsofts_statuses(
        mws: Workspace, m365: SandboxThread, tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())  # as in the subprocesses: the sandbox's file store holds the fake secrets
    _fleet(mws)
    env = {"MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "PYTHONIOENCODING": "utf-8"}
    outputs: list[tuple[str, str]] = []

    # consent: Google's loopback for the Workspace account, Microsoft's loopback and device code for Contoso's
    flow = ConsentFlow(account(mws, WORKSPACE), mws)
    arrive(approve(flow.authorization_url))
    google = flow.run(10)
    assert google.ok and google.authorized_email == WORKSPACE, google.message
    microsoft = browser_login(mws, FACTURAS)
    assert microsoft.ok and microsoft.authorized_email == FACTURAS, microsoft.message
    outputs.append(("device code", _device_code_login(mws, env, VENTAS)))

    # the audit, with a test message from every account that signs in
    audit = run_mailkit("audit", "--send-test", "--no-progress", home=mws.home, env=env, timeout=120)
    outputs.append(("audit", audit.stdout + audit.stderr))
    assert audit.returncode == 1, audit.stdout + audit.stderr  # the flagged mailboxes fail, as they should
    with sqlite3.connect(mws.db_path) as conn:
        sent = dict(conn.execute("SELECT a.email, r.sent_message_id FROM results r JOIN accounts a ON a.id = "
                                 "r.account_id WHERE r.sent_message_id IS NOT NULL").fetchall())
    assert set(sent) == {GMAIL, WORKSPACE, FACTURAS, VENTAS, LEGACY}  # Gmail, Workspace, OAuth and a password
    delivered = {message.account.lower() for message in m365.messages}
    assert set(sent) <= delivered

    # the report: every Microsoft status present, with Microsoft's remedy; the Google accounts ok
    done = run_mailkit("report", "--json", "--output", str(tmp_path / "fleet.xlsx"), home=mws.home, env=env)
    outputs.append(("report", done.stdout + done.stderr))
    assert done.returncode == 1, done.stdout + done.stderr
    rows = {row["email"]: row for row in json.loads(done.stdout)["accounts"]}
    for email, (status, words) in MICROSOFT_STATUSES.items():
        assert rows[email]["status"] == status
        assert "Microsoft 365" in rows[email]["cause"] and all(word in rows[email]["remedy"] for word in words), email
    assert {rows[e]["status"] for e in (GMAIL, WORKSPACE, FACTURAS, VENTAS, LEGACY)} == {"ok"}

    # the readiness view: the mailboxes still on passwords, blocked ones first; the OAuth ones ready
    ready = run_mailkit("report", "--readiness", "--json", home=mws.home, env=env)
    outputs.append(("readiness", ready.stdout + ready.stderr))
    data = json.loads(ready.stdout)
    assert data["summary"] == {"blocked": 3, "will_break": 1, "ready": 2}
    on_passwords = [row["email"] for row in data["accounts"] if row["readiness"] != "ready"]
    assert on_passwords[:3] == sorted(MICROSOFT_STATUSES) and on_passwords[3:] == [LEGACY]
    assert GMAIL not in {row["email"] for row in data["accounts"]}  # Microsoft 365 mailboxes only
    book = openpyxl.load_workbook(tmp_path / "fleet.xlsx")
    assert book.sheetnames[-1] == "Basic auth" and book["Basic auth"].max_row == 7
    view = ReportView(mws, lang="en", export_dir=tmp_path)
    assert view.readiness.value.count("data-readiness='blocked'") == 3
    assert f"data-readiness='will_break' data-email='{LEGACY}'" in view.readiness.value
    view.exports["html"].click()

    # no secret anywhere: the commands' outputs, the widgets, the exported files
    exported = [(path.name, path.read_text(encoding="utf-8", errors="replace")) for path in view.exported]
    exported.append(("xlsx", "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows()
                                       for cell in row if cell.value is not None)))
    widgets = [("report view", view.table.body.value + view.readiness.value)]
    assert {PASSWORDS[LEGACY], GMAIL_APP_PASSWORD} <= SECRETS
    assert leaks(outputs + exported + widgets) == []

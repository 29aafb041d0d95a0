"""Facts mailkit observed are kept: a 534 5.7.9 (or IMAP's [ALERT]) proves 2SV on wherever it was seen; a refused
consent is the account's latest result in check, audit and report until a consent succeeds."""

from __future__ import annotations

import asyncio
import json

from mailkit.audit import AuditOptions, Selection, audit
from mailkit.checks.account import check_account
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.store import load_bundle
from mailkit.reports.frames import status as report_status
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.twostep.state import stored
from tests.cli_helpers import run_mailkit
from tests.test_oauth import CITAS, FACTURACION, add_accounts, login, no_ca_bundle_override  # noqa: F401

TWO_STEP = "recuperacion.lupita@gmail.com"  # 2SV on in the sandbox; its account password is refused with 5.7.9
ACCOUNT_PASSWORD = "Recupera-2020!"


def add_password_account(workspace) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inventory.upsert_account(build_account(TWO_STEP, "lupita", provider_key="gmail", auth="password"))


def twostep_json(workspace, env) -> dict:
    done = run_mailkit("twostep", "check", TWO_STEP, "--json", home=workspace.home, env=env)
    return json.loads(done.stdout)[0]


def test_secret_set_refused_with_5_7_9_records_2sv_on_for_twostep_check(workspace, sandbox_env):
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    add_password_account(workspace)
    refused = run_mailkit("secret", "set", TWO_STEP, input=ACCOUNT_PASSWORD + "\n", home=workspace.home, env=env)
    assert refused.returncode == 1 and "app_password_required" in refused.stdout + refused.stderr
    answer = twostep_json(workspace, env)
    assert (answer["state"], answer["source"]) == ("on", "observed"), answer
    assert "5.7.9" in answer["detail"] and "`mailkit secret set`" in answer["detail"]


def test_audit_and_check_record_2sv_on_from_the_reply(workspace, sandbox_env):
    add_password_account(workspace)
    secret_store(workspace).set(TWO_STEP, SecretKind.PASSWORD, ACCOUNT_PASSWORD)
    summary = audit(workspace, Selection(emails=[TWO_STEP]), AuditOptions())
    assert summary.counts == {"app_password_required": 1}
    with Inventory.open(workspace) as inventory:
        seen = stored(inventory, TWO_STEP)
    assert (seen.state, seen.source) == ("on", "observed") and f"audit run {summary.run_id}" in seen.detail


def test_cli_check_imap_alert_records_2sv_on(workspace, sandbox_env):
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path)}
    add_password_account(workspace)
    with Inventory.open(workspace) as inventory:  # SMTP would see 5.7.9 too: make IMAP the only witness
        inventory.conn.execute("UPDATE accounts SET smtp_port = 1 WHERE email = ?", (TWO_STEP,))
    keyring_file = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    # the subprocess cannot see this test's in-memory keyring: its sandbox-mode file keyring gets the password
    run_mailkit("secret", "set", TWO_STEP, "--no-test", input=ACCOUNT_PASSWORD + "\n", home=workspace.home,
                env={**env, **keyring_file})
    done = run_mailkit("check", TWO_STEP, "--imap", "--json", home=workspace.home, env={**env, **keyring_file})
    assert json.loads(done.stdout)["imap"]["status"] == "app_password_required"
    with Inventory.open(workspace) as inventory:
        seen = stored(inventory, TWO_STEP)
    assert (seen.state, seen.source) == ("on", "observed") and "(IMAP)" in seen.detail


def test_unknown_never_erases_an_observed_answer(workspace, sandbox_env):
    add_password_account(workspace)
    secret_store(workspace).set(TWO_STEP, SecretKind.PASSWORD, ACCOUNT_PASSWORD)
    audit(workspace, Selection(emails=[TWO_STEP]), AuditOptions())
    secret_store(workspace).delete(TWO_STEP, SecretKind.PASSWORD)  # now no password is known to probe with
    with Inventory.open(workspace) as inventory:
        from mailkit.syncio import run_sync
        from mailkit.twostep.state import check_twostep

        answer = run_sync(check_twostep(inventory, [inventory.account(TWO_STEP)], workspace=workspace))[0]
    assert (answer.state, answer.source) == ("on", "observed")


def test_refused_consent_stands_in_check_audit_and_report_until_a_consent_succeeds(workspace, sandbox_env):
    ws, sandbox = add_accounts(workspace), sandbox_env
    refused = login(ws, sandbox, untick=("https://mail.google.com/",))
    assert refused.status is Status.OAUTH_SCOPE_MISSING and load_bundle(ws, FACTURACION) is None
    with Inventory.open(ws) as inventory:
        account = inventory.account(FACTURACION)
    checked = asyncio.run(check_account(account, workspace=ws))
    assert checked.status is Status.OAUTH_SCOPE_MISSING
    assert "was refused" in checked.diagnosis.raw and "Read, compose, send" in checked.diagnosis.raw
    summary = audit(ws, Selection(emails=[FACTURACION]), AuditOptions())
    assert summary.counts == {"oauth_scope_missing": 1}

    wrong = login(ws, sandbox, choose=CITAS)
    assert wrong.status is Status.OAUTH_WRONG_ACCOUNT
    row = report_status(ws).set_index("email").loc[FACTURACION]
    assert row["status"] == "oauth_wrong_account" and CITAS in row["reply"]
    assert asyncio.run(check_account(account, workspace=ws)).status is Status.OAUTH_WRONG_ACCOUNT

    assert login(ws, sandbox).ok
    assert asyncio.run(check_account(account, workspace=ws)).status is Status.OK
    assert report_status(ws).set_index("email").loc[FACTURACION]["status"] != "oauth_wrong_account"

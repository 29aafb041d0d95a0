"""A Google or Microsoft account may not send its password in clear or to a foreign host unless the admin says so
explicitly (--allow-insecure, stored per account), and check/audit then warn about it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mailkit.errors import ValidationError
from mailkit.models import build_account, insecure_settings
from tests.cli_helpers import run_mailkit

ROWS = ("email,company,provider,smtp_host,security\n"
        "ana@gmail.com,acme,gmail,smtp.gmail.com,none\n"
        "bea@acme.example,acme,workspace,smtp.evil.example,starttls\n"
        "cid@acme.example,acme,microsoft365,,starttls\n")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def cleartext_csv(tmp_path: Path) -> Path:
    path = tmp_path / "clear.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def test_the_rule_names_each_insecure_setting():
    with pytest.raises(ValidationError) as refused:
        build_account("ana@gmail.com", "acme", provider_key="gmail", security="none")
    assert refused.value.field == "security" and "--allow-insecure" in refused.value.reason
    allowed = build_account("ana@gmail.com", "acme", provider_key="gmail", smtp_host="mx.evil.example",
                            security="none", allow_insecure=True)
    assert [name for name, _ in insecure_settings(allowed)] == ["security", "smtp_host"] and allowed.allow_insecure
    safe = build_account("ana@gmail.com", "acme", provider_key="gmail", allow_insecure=True)
    assert not safe.allow_insecure  # an allowance is kept only while it is needed
    custom = build_account("x@acme.example", "acme", provider_key="custom", smtp_host="mail.acme.example",
                           security="none")
    assert insecure_settings(custom) == []


def test_import_rejects_insecure_rows_naming_line_field_and_fix_dry_run_too(home: Path, cleartext_csv: Path):
    for extra in (["--dry-run"], []):
        done = run_mailkit("account", "import", str(cleartext_csv), *extra, home=home)
        assert done.returncode == 1
        assert "rejected line 2: security: 'none' sends the Gmail (@gmail.com) password unencrypted" in done.stderr
        assert "rejected line 3: smtp_host: 'smtp.evil.example' is not a Google Workspace server" in done.stderr
        assert "--allow-insecure" in done.stderr and "line 4" not in done.stderr
    listed = json.loads(run_mailkit("account", "list", "--json", home=home).stdout)
    assert [a["email"] for a in listed] == ["cid@acme.example"]


def test_import_with_allow_insecure_stores_the_allowance_and_check_audit_warn(home: Path, cleartext_csv: Path):
    done = run_mailkit("account", "import", str(cleartext_csv), "--allow-insecure", home=home)
    assert done.returncode == 0, done.stderr
    assert "insecure settings allowed by --allow-insecure" in done.stdout
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    stored = dict(conn.execute("SELECT email, allow_insecure FROM accounts").fetchall())
    assert stored == {"ana@gmail.com": 1, "bea@acme.example": 1, "cid@acme.example": 0}
    again = run_mailkit("account", "import", str(cleartext_csv), home=home)  # the stored allowance holds
    assert again.returncode == 0 and "unchanged 3" in again.stdout, again.stderr
    check = run_mailkit("check", "ana@gmail.com", home=home, env={"PYTHON_KEYRING_BACKEND":
                                                                    "keyring.backends.fail.Keyring"})
    assert "warning: ana@gmail.com: 'none' sends the Gmail (@gmail.com) password unencrypted" in check.stderr
    audit = run_mailkit("audit", "--no-progress", "--deadline", "5", home=home,
                        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    warned = [line for line in audit.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 2 and "bea@acme.example" in warned[1] and "allowed with --allow-insecure" in warned[1]


def test_account_add_needs_allow_insecure(home: Path):
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home)
    refused = run_mailkit("account", "add", "ana@gmail.com", "--company", "acme", "--security", "none", home=home)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "security: 'none' sends the Gmail (@gmail.com) password unencrypted" in refused.stderr
    allowed = run_mailkit("account", "add", "ana@gmail.com", "--company", "acme", "--security", "none",
                          "--allow-insecure", home=home)
    assert allowed.returncode == 0 and "warning: ana@gmail.com" in allowed.stderr
    assert "(insecure, allowed)" in run_mailkit("account", "list", home=home).stdout


def test_check_refuses_an_insecure_account_stored_before_the_rule(home: Path):
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home)
    run_mailkit("account", "add", "ana@gmail.com", "--company", "acme", home=home)
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    conn.execute("UPDATE accounts SET security = 'none', smtp_port = 25")
    conn.commit()
    conn.close()
    done = run_mailkit("check", "ana@gmail.com", home=home)
    assert done.returncode == 2 and "NOT allowed" in done.stderr and "--allow-insecure" in done.stderr
    assert "Traceback" not in done.stderr


def test_audit_and_imap_check_never_connect_for_an_insecure_account_nobody_allowed(workspace):
    """Stored before the rule (or edited in the database): no check path sends its password anywhere."""
    import asyncio
    import socket

    from mailkit.audit import AuditOptions, Selection, audit
    from mailkit.checks.imap import check_imap_account
    from mailkit.inventory import Inventory
    from mailkit.models import Company
    from mailkit.secrets.store import SecretKind, secret_store

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        inventory.upsert_account(build_account("ana@gmail.com", "acme", provider_key="gmail", auth="app-password"))
        inventory.conn.execute("UPDATE accounts SET smtp_host = '127.0.0.1', smtp_port = ?, security = 'none', "
                               "imap_host = '127.0.0.1', imap_port = ?", (port, port))
        account = inventory.account("ana@gmail.com")
    secret_store(workspace).set("ana@gmail.com", SecretKind.APP_PASSWORD, "abcdefghijklmnop")
    summary = audit(workspace, Selection(), AuditOptions())
    imap = asyncio.run(check_imap_account(account, workspace=workspace))
    for result in (summary.results[0], imap):
        assert (result.status.value, result.diagnosis.variant) == ("not_configured", "insecure"), result
        assert "unencrypted" in result.diagnosis.remedy("en") or "--allow-insecure" in result.diagnosis.remedy("en")
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    listener.close()

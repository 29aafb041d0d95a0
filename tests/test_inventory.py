"""The inventory on a real SQLite file: normalisation, uniqueness, migrations, WAL, integrity."""

from __future__ import annotations

import sqlite3

import pytest

from mailkit.errors import NotFoundError, UsageError, ValidationError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account, normalize_email, slugify
from mailkit.providers import classify_mx, detect_provider
from mailkit.schema import SCHEMA_VERSION


@pytest.fixture
def inventory(tmp_path):
    inv = Inventory(str(tmp_path / "mailkit.sqlite3"))
    inv.upsert_company(Company("lupita", "Abarrotes Lupita", "ALU010101AB1"))
    yield inv
    inv.close()


def test_email_is_trimmed_and_domain_lowercased():
    assert normalize_email("  Facturas.Lupita@GMAIL.COM ") == "Facturas.Lupita@gmail.com"
    with pytest.raises(ValidationError, match="email: 'facturas.gmail.com' is not an email"):
        normalize_email("facturas.gmail.com")


def test_slug_from_accented_name():
    assert slugify("Ferretería del Norte, S.A. de C.V.") == "ferreteria-del-norte-s-a-de-c-v"


def test_schema_version_wal_and_foreign_keys(inventory):
    conn = inventory.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    with Inventory(path) as inv:
        inv.upsert_company(Company("a", "A"))
    with Inventory(path) as inv:
        assert [c.slug for c in inv.companies()] == ["a"]


def test_newer_schema_is_refused_untouched(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UsageError, match="newer mailkit"):
        Inventory(path)


def test_processes_opening_a_new_workspace_at_once_migrate_it_once(tmp_path):
    """Two commands started together on a fresh workspace (cron and the admin): the second waits for the
    first's migration instead of running it again ("table companies already exists")."""
    import threading

    from mailkit.schema import connect

    for attempt in range(8):
        path = str(tmp_path / f"race{attempt}.sqlite3")
        barrier, failures = threading.Barrier(3), []

        def open_once(path=path, barrier=barrier, failures=failures):
            barrier.wait()
            try:
                connect(path).close()
            except sqlite3.Error as exc:
                failures.append(exc)

        threads = [threading.Thread(target=open_once) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []


def test_gmail_defaults_and_idempotent_upsert(inventory):
    account = build_account("facturas.lupita@gmail.com", "lupita", auth="app-password", tags="invoices; crm")
    assert (account.provider, account.smtp_host, account.smtp_port, account.security) == (
        "gmail", "smtp.gmail.com", 587, "starttls")
    assert inventory.upsert_account(account) == "added"
    stamp = inventory.account(account.email).updated_at
    assert inventory.upsert_account(account) == "unchanged"
    assert inventory.account(account.email).updated_at == stamp
    assert inventory.account("FACTURAS.LUPITA@gmail.com").tags == ["invoices", "crm"]


def test_email_unique_case_insensitively(inventory):
    inventory.upsert_account(build_account("a@gmail.com", "lupita", auth="oauth2"))
    with pytest.raises(sqlite3.IntegrityError):
        inventory.conn.execute(
            "INSERT INTO accounts (email, company_slug, provider, auth, smtp_host, smtp_port, security, created_at,"
            " updated_at) VALUES ('A@gmail.com', 'lupita', 'gmail', 'oauth2', 'smtp.gmail.com', 587, 'starttls',"
            " '', '')")


def test_workspace_gets_google_hosts_never_guessed(inventory):
    account = build_account("ventas@ferreteria-delnorte.example", "lupita", provider_key="google workspace")
    assert (account.smtp_host, account.imap_host) == ("smtp.gmail.com", "imap.gmail.com")


def test_ssl_security_picks_465(inventory):
    account = build_account("a@gmail.com", "lupita", security="SSL/TLS")
    assert (account.security, account.smtp_port) == ("ssl", 465)


def test_account_needs_existing_company(inventory):
    with pytest.raises(NotFoundError, match="company 'nope' does not exist"):
        inventory.upsert_account(build_account("a@gmail.com", "nope"))


def test_account_belongs_to_one_company(inventory):
    inventory.upsert_company(Company("other", "Other"))
    inventory.upsert_account(build_account("a@gmail.com", "lupita"))
    with pytest.raises(UsageError, match="belongs to 'lupita'"):
        inventory.rename_check("a@gmail.com", "other")


def test_bad_fields_name_the_field():
    with pytest.raises(ValidationError, match="auth: 'magic'"):
        build_account("a@gmail.com", "lupita", auth="magic")
    with pytest.raises(ValidationError, match="smtp_port: '99999'"):
        build_account("a@x.example", "lupita", provider_key="custom", smtp_host="mail.x.example", smtp_port="99999")


def test_provider_detection_without_dns_falls_back_to_choose(dns_server):
    dns_server("silent")
    found = detect_provider("ventas@empresa.example", timeout=0.5)
    assert found.provider is None and "choose" in found.reason
    assert detect_provider("x@googlemail.com").provider == "gmail"


def test_mx_classification():
    assert classify_mx("a.mx", ("aspmx.l.google.com", "alt1.aspmx.l.google.com")).provider == "workspace"
    assert classify_mx("a.pl", ("a-pl.mail.protection.outlook.com",)).provider == "microsoft365"
    assert classify_mx("a.pl", ("mx.home.pl",)).provider == "custom"
    assert classify_mx("a.mx", ("smtp.google.com",)).provider == "workspace"
    assert classify_mx("a.mx", ("mx.notgoogle.com",)).provider == "custom"
    assert classify_mx("a.pl", ("mail.myoutlook.com",)).provider == "custom"
    assert classify_mx("a.pl", ()).provider is None


def test_secret_facts_hold_dates_not_secrets(inventory):
    inventory.upsert_account(build_account("a@gmail.com", "lupita", auth="app-password"))
    inventory.record_secret_set("a@gmail.com", "app_password")
    facts = inventory.secret_facts("a@gmail.com")
    assert facts["app_password"]["set_at"] and facts["app_password"]["verified_at"] is None


def test_failed_write_leaves_data_intact(inventory):
    inventory.upsert_account(build_account("a@gmail.com", "lupita"))
    with pytest.raises(RuntimeError), inventory.transaction() as tx:
        tx.execute("DELETE FROM accounts")
        raise RuntimeError("crash in the middle")
    assert [a.email for a in inventory.accounts()] == ["a@gmail.com"]


def test_move_account_keeps_its_id_and_secret_facts(inventory):
    inventory.upsert_company(Company("other", "Other Co"))
    inventory.upsert_account(build_account("a@gmail.com", "lupita"))
    before = inventory.account_id("a@gmail.com")
    inventory.record_secret_set("a@gmail.com", "app_password")
    assert inventory.move_account("a@gmail.com", "Other Co") == "updated"  # by name or slug
    assert inventory.account("a@gmail.com").company == "other"
    assert inventory.account_id("a@gmail.com") == before
    assert "app_password" in inventory.secret_facts("a@gmail.com")
    assert inventory.move_account("a@gmail.com", "other") == "unchanged"
    inventory.rename_check("a@gmail.com", "other")  # it belongs there now


def test_move_account_to_a_missing_company_changes_nothing(inventory):
    inventory.upsert_account(build_account("a@gmail.com", "lupita"))
    with pytest.raises(NotFoundError, match="no company 'nope'"):
        inventory.move_account("a@gmail.com", "nope")
    assert inventory.account("a@gmail.com").company == "lupita"

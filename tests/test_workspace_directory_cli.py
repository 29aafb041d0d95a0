"""`mailkit workspace users / app-passwords / tokens` end to end, as an admin runs them: the real command in a
subprocess, a sandbox Workspace domain of 300 users on real sockets, a service account with domain-wide
delegation, a real SQLite workspace. After a revocation the sandbox's SMTP refuses the app password."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from mailkit.google_workspace import import_users, list_app_passwords, list_users, revocation_record
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.reports import frames as reports
from mailkit.sandbox.runner import SandboxThread
from mailkit.twostep.directory import DirectoryClient, configure_directory
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import access_token, smtp_login_code
from tests.workspace_domain import (
    ADMIN,
    CALENDAR_CLIENT,
    DOMAIN,
    ERP_CLIENT,
    OTHER,
    DomainFile,
    running_domain,
    user,
    write_domain,
)


@pytest.fixture(scope="module")
def domain(tmp_path_factory: pytest.TempPathFactory) -> DomainFile:
    return write_domain(tmp_path_factory.mktemp("grande"))


@pytest.fixture
def grande(domain: DomainFile, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    yield from running_domain(domain, tmp_path / "sandbox", monkeypatch)


@pytest.fixture
def delegated(grande: SandboxThread, workspace):
    """The workspace set up as `mailkit twostep setup --service-account KEY --admin ADMIN` leaves it."""
    configure_directory(workspace, service_account=grande.state_dir / "service_account.json", admin=ADMIN)
    return workspace


def mailkit(workspace, *args: str, input: str | None = None):
    return run_mailkit(*args, home=workspace.home, input=input, timeout=120)


def errors(done) -> list[str]:
    """The stderr lines that are not the sandbox-mode notice."""
    return [line for line in done.stderr.splitlines() if line and not line.startswith("sandbox mode:")]




# --- users -------------------------------------------------------------------------------------------
def test_users_lists_the_domain_and_imports_it_for_a_company(delegated, grande) -> None:
    with Inventory.open(delegated) as inventory:
        inventory.upsert_company(Company("grande", "Grande SA"))
        inventory.upsert_account(build_account(user(1), "grande", provider_key="workspace", auth="app_password"))
    listed = mailkit(delegated, "workspace", "users", DOMAIN, "--json")
    assert listed.returncode == 0, listed.stderr
    users = json.loads(listed.stdout)["users"]
    assert len(users) == 295 and not any(u["suspended"] for u in users)  # five suspended ones left out
    ten = next(u for u in users if u["email"] == user(10))
    assert (ten["name"], ten["aliases"], ten["last_login"], ten["enrolled_2sv"], ten["enforced_2sv"]) == (
        "Usuario 10 Grande", [f"alias10@{DOMAIN}"], "2026-11-11T12:00:00+00:00", True, True)
    everyone = json.loads(mailkit(delegated, "workspace", "users", DOMAIN, "--json", "--include-suspended").stdout)
    assert len(everyone["users"]) == 300
    table = mailkit(delegated, "workspace", "users", DOMAIN)
    assert "295 user(s)" in table.stdout and f"alias10@{DOMAIN}" in table.stdout
    assert "2026-11-11 12:00" in table.stdout and "never" in table.stdout

    imported = mailkit(delegated, "workspace", "users", DOMAIN, "--import", "--company", "grande")
    assert imported.returncode == 0, imported.stderr
    lines = [line for line in imported.stdout.splitlines() if line.startswith(("added:", "skipped:"))]
    assert len(lines) == 295 and sum(line.startswith("added:") for line in lines) == 294
    assert f"skipped: {user(1)} is already in the inventory (company grande); left as it is" in lines
    with Inventory.open(delegated) as inventory:
        accounts = {a.email: a for a in inventory.accounts("grande")}
    assert len(accounts) == 295 and accounts[user(1)].auth == "app_password"  # the existing row untouched
    two = accounts[user(2)]
    assert (two.provider, two.auth, two.smtp_host, two.imap_host, two.display_name) == (
        "workspace", "oauth2", "smtp.gmail.com", "imap.gmail.com", "Usuario 2 Grande")
    again = mailkit(delegated, "workspace", "users", DOMAIN, "--import", "--company", "grande", "--only",
                    f"{user(50)},alias10@{DOMAIN}")
    assert again.returncode == 0
    assert f"added: {user(50)} to grande" in again.stdout  # a suspended user named on purpose is imported
    assert f"skipped: {user(10)} is already in the inventory" in again.stdout


def test_users_pages_through_the_directory(delegated, grande) -> None:
    client = DirectoryClient.for_domain(delegated, DOMAIN)
    found = list_users(delegated, DOMAIN, include_suspended=True, client=client, page_size=120)
    assert len(found) == 300 and len(client.calls) == 3 and "pageToken=" in client.calls[2]
    assert [u.email for u in list_users(delegated, DOMAIN, only=[f"ALIAS20@{DOMAIN}"])] == [user(20)]


@pytest.mark.parametrize(("args", "words"), [
    (["users", DOMAIN, "--import"], "--import and --company go together"),
    (["users", DOMAIN, "--import", "--company", "nope"], "no company 'nope'"),
    (["users", DOMAIN, "--only", f"nadie@{DOMAIN}"], f"--only: nadie@{DOMAIN} is not a user of {DOMAIN}"),
    (["users", "not a domain"], "DOMAIN: 'not a domain' is not a domain name"),
    (["app-passwords", DOMAIN, "--revoke", "abc", "--user", user(1)], "--revoke: 'abc' is not an app password id"),
    (["app-passwords", DOMAIN, "--revoke", "1"], "--revoke needs --user EMAIL"),
    (["app-passwords", DOMAIN, "--revoke", "1", "--user", user(1), "--user", user(2)], "give one --user EMAIL"),
    (["tokens", DOMAIN, "--revoke-all"], "--revoke-all needs --user EMAIL"),
    (["app-passwords", DOMAIN, "--revoke-all", "--revoke-stale", "3", "--user", user(1)], "give only one of them"),
    (["app-passwords", DOMAIN, "--user", f"ana@{OTHER}"], f"--user: ana@{OTHER} is not in {DOMAIN}"),
    (["app-passwords", DOMAIN, "--revoke", "12345", "--user", user(1)], f"{user(1)} has no app password with id"),
    (["tokens", DOMAIN, "--revoke", "nobody", "--user", user(1)], "has given no listed token to the client"),
])
def test_bad_input_is_one_line_and_exit_2(delegated, grande, args: list[str], words: str) -> None:
    done = mailkit(delegated, "workspace", *args)
    assert done.returncode == 2 and len(errors(done)) == 1, done.stderr
    assert words in errors(done)[0]


def test_without_directory_access_the_fix_is_named(workspace, grande) -> None:
    done = mailkit(workspace, "workspace", "app-passwords", DOMAIN)
    assert done.returncode == 2 and len(errors(done)) == 1
    assert f"no Directory access configured for {DOMAIN}" in errors(done)[0]


# --- app passwords ----------------------------------------------------------------------------------
def test_app_passwords_of_five_users_revoked_then_refused_over_smtp(delegated, grande, domain) -> None:
    with Inventory.open(delegated) as inventory:
        inventory.upsert_company(Company("grande", "Grande SA"))
    import_users(delegated, list_users(delegated, DOMAIN), "grande")
    listed = mailkit(delegated, "workspace", "app-passwords", DOMAIN, "--json")
    assert listed.returncode == 0, listed.stderr
    body = json.loads(listed.stdout)
    assert (body["users_listed"], body["users_with_app_passwords"], len(body["app_passwords"])) == (300, 12, 18)
    three = [a for a in body["app_passwords"] if a["email"] == user(3)]
    assert [(a["name"], a["created"], a["last_used"]) for a in three] == [
        ("ERP facturas 3", "2026-04-10T08:00:00+00:00", "2026-11-13T09:30:00+00:00"),
        ("Scanner 3", "2025-03-01T00:00:00+00:00", None)]
    five = [user(n) for n in range(1, 6)]
    assert all(smtp_login_code(grande, e, p) == 235 for e in five for p in domain.app_passwords[e])

    done = mailkit(delegated, "workspace", "app-passwords", DOMAIN, "--revoke-all", "--yes",
                   *[arg for email in five for arg in ("--user", email)])
    assert done.returncode == 0, done.stderr
    revoked = [line for line in done.stdout.splitlines() if line.startswith("revoked: ")]
    assert len(revoked) == sum(len(domain.app_passwords[e]) for e in five) == 8
    assert {e for e in five if any(e in line for line in revoked)} == set(five)

    assert all(smtp_login_code(grande, e, p) == 535 for e in five for p in domain.app_passwords[e])
    assert smtp_login_code(grande, user(6), domain.app_passwords[user(6)][0]) == 235
    record = revocation_record(delegated)
    assert len(record) == 8 and {r.email for r in record} == set(five)
    assert {(r.kind, r.reason, r.admin, r.outcome) for r in record} == {("app_password", "all", ADMIN, "revoked")}
    assert all(r.operator and r.item_name and r.item_id.isdigit() and r.revoked_at for r in record)

    with Inventory.open(delegated) as inventory:  # a Gmail account and a Workspace one of a domain never listed
        inventory.upsert_account(build_account("ventas.grande@gmail.com", "grande", provider_key="gmail"))
        inventory.upsert_account(build_account(f"ana@{OTHER}", "grande", provider_key="workspace"))
    column = reports.status(delegated).set_index("email")["app_passwords"]
    assert column["ventas.grande@gmail.com"] == column[f"ana@{OTHER}"] == ""
    assert column[user(1)] == "0" and column[user(6)] == "1, last used 2026-11-16"
    assert column[user(7)] == "2, last used 2026-11-17" and column[user(20)] == "0"
    assert reports.status(delegated, lang="es").set_index(
        reports.HEADERS["es"]["email"])[reports.HEADERS["es"]["app_passwords"]][user(9)] == \
        "2, último uso 2026-11-19"
    _no_app_password_in_the_database(delegated, domain)


def test_stale_app_passwords_are_revoked_only_when_confirmed(delegated, grande, domain) -> None:
    days = str((datetime.now(UTC) - datetime(2026, 1, 1, tzinfo=UTC)).days)  # the 2025 scanners, unused
    declined = mailkit(delegated, "workspace", "app-passwords", DOMAIN, "--revoke-stale", days, input="n\n")
    assert declined.returncode == 1 and "Revoke 6 app password(s)?" in declined.stderr
    assert "Nothing revoked." in declined.stderr and revocation_record(delegated) == []
    assert smtp_login_code(grande, user(7), domain.app_passwords[user(7)][1]) == 235  # used now: no longer stale

    confirmed = mailkit(delegated, "workspace", "app-passwords", DOMAIN, "--revoke-stale", days, "--json",
                        input="y\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "Revoke 5 app password(s)?" in confirmed.stderr
    body = json.loads(confirmed.stdout)  # the question went to stderr: stdout stays JSON
    assert sorted((r["email"], r["item_name"]) for r in body["revocations"]) == [
        (user(n), f"Scanner {n}") for n in (1, 3, 5, 9, 11)]
    assert {r["reason"] for r in body["revocations"]} == {f"stale:{days}"}
    scanner, erp = domain.app_passwords[user(9)][1], domain.app_passwords[user(9)][0]
    assert smtp_login_code(grande, user(9), scanner) == 535 and smtp_login_code(grande, user(9), erp) == 235
    assert smtp_login_code(grande, user(7), domain.app_passwords[user(7)][1]) == 235
    again = mailkit(delegated, "workspace", "app-passwords", DOMAIN, "--revoke-stale", days)  # no question needed
    assert again.returncode == 0 and "Nothing to revoke." in again.stdout and "Revoke" not in again.stderr
    assert len(revocation_record(delegated)) == 5


def _no_app_password_in_the_database(workspace, domain: DomainFile) -> None:
    """The leak scan of the SQLite files: no app password in any form, whatever the tables hold."""
    with sqlite3.connect(workspace.db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [p for p in workspace.home.iterdir() if p.name.startswith(workspace.db_path.name)]
    raw = b"".join(p.read_bytes() for p in files)
    for values in domain.app_passwords.values():
        for value in values:
            for form in (value, value.replace(" ", ""), value.upper()):
                assert form.encode() not in raw


# --- tokens ---------------------------------------------------------------------------------------------
def test_tokens_listed_with_mail_scopes_and_revoked(delegated, grande) -> None:
    token = access_token(grande, user(2))  # user 2 also consented to mailkit's own client (the sandbox's)
    listed = json.loads(mailkit(delegated, "workspace", "tokens", DOMAIN, "--json").stdout)
    assert sorted((t["email"], t["client_id"]) for t in listed["tokens"]) == sorted(
        [(user(n), ERP_CLIENT) for n in range(1, 5)] + [(user(2), grande.client_id)])
    erp = next(t for t in listed["tokens"] if t["client_id"] == ERP_CLIENT)
    assert (erp["app"], erp["mail_scopes"], erp["native_app"]) == ("ERP Facturas", ["https://mail.google.com/"], True)
    everything = json.loads(mailkit(delegated, "workspace", "tokens", DOMAIN, "--json", "--all-scopes").stdout)
    assert len(everything["tokens"]) == 9
    table = mailkit(delegated, "workspace", "tokens", DOMAIN)
    assert "5 token(s) of 300 user(s)." in table.stdout and "mailkit sandbox" in table.stdout

    one = mailkit(delegated, "workspace", "tokens", DOMAIN, "--revoke", ERP_CLIENT, "--user", user(1), "--yes")
    assert one.returncode == 0 and f"revoked: {user(1)}: ERP Facturas ({ERP_CLIENT})" in one.stdout
    assert not json.loads(mailkit(delegated, "workspace", "tokens", DOMAIN, "--user", user(1), "--json").stdout
                          )["tokens"]
    every = mailkit(delegated, "workspace", "tokens", DOMAIN, "--revoke-all", "--user", user(2), input="y\n")
    assert every.returncode == 0 and every.stdout.count("revoked: ") == 2
    assert grande.grants.lookup_access_token(token) is None  # mailkit's own grant ended with it
    left = json.loads(mailkit(delegated, "workspace", "tokens", DOMAIN, "--user", user(2), "--all-scopes",
                              "--json").stdout)["tokens"]
    assert [t["client_id"] for t in left] == [CALENDAR_CLIENT]
    record = revocation_record(delegated)
    assert [(r.email, r.kind, r.item_id, r.reason) for r in record] == [
        (user(1), "token", ERP_CLIENT, "one"), (user(2), "token", ERP_CLIENT, "all"),
        (user(2), "token", grande.client_id, "all")]


def test_the_listing_is_a_function_notebooks_call(delegated, grande) -> None:
    listing = list_app_passwords(delegated, DOMAIN, users=[user(3), user(4)])
    assert listing.users == [user(3), user(4)] and [a.name for a in listing.of(user(3))] == [
        "ERP facturas 3", "Scanner 3"]
    assert listing.holders() == [user(3), user(4)] and listing.admin == ADMIN


class DeletedMeanwhile(DirectoryClient):
    """The real client, but the users' page also names one deleted before its app passwords are asked for."""

    def list_users(self, domain, fields, *, page_size=500):
        yield from super().list_users(domain, fields, page_size=page_size)
        yield {"primaryEmail": f"deleted@{DOMAIN}"}


def test_a_user_deleted_while_listing_is_left_out_not_the_end(delegated, grande) -> None:
    from mailkit.google_workspace.app_passwords import security_client
    from mailkit.google_workspace.third_party_tokens import list_tokens

    real = security_client(delegated, DOMAIN)
    client = DeletedMeanwhile(real.session.credentials, admin=real.admin, scopes=real.scopes)
    listing = list_app_passwords(delegated, DOMAIN, client=client)
    assert len(listing.users) == 300 and f"deleted@{DOMAIN}" not in listing.users and len(listing.items) == 18
    assert any(c.startswith(f"GET /admin/directory/v1/users/deleted@{DOMAIN}/asps") and c.endswith("-> 404")
               for c in client.calls)
    assert len(list_tokens(delegated, DOMAIN, client=client).users) == 300


def test_an_admins_own_consent_is_told_it_cannot_read_app_passwords(workspace, sandbox_env) -> None:
    """The admin's consent holds the read-only Directory scope: asps.list answers 403, and the fix is named."""
    from mailkit.oauth.flow import ConsentFlow
    from mailkit.sandbox.consent_robot import approve
    from mailkit.twostep.directory import DIRECTORY_ADMIN, DirectoryError

    delnorte, admin = "ferreteria-delnorte.example", "admin@ferreteria-delnorte.example"
    with ConsentFlow(admin, workspace, purpose=DIRECTORY_ADMIN) as flow:
        assert flow.complete_from_url(approve(flow.authorization_url)).ok
    assert [u.email for u in list_users(workspace, delnorte, only=[admin])] == [admin]  # reading users works
    with pytest.raises(DirectoryError) as caught:
        list_app_passwords(workspace, delnorte)
    assert (caught.value.reason, caught.value.http_status) == ("insufficient_scope", 403)
    assert "admin.directory.user.security" in str(caught.value) and "--service-account KEY.json" in str(caught.value)


def test_aging_an_account_in_the_sandbox_dates_its_app_passwords(workspace, fresh_sandbox) -> None:
    delnorte, facturacion = "ferreteria-delnorte.example", "facturacion@ferreteria-delnorte.example"
    configure_directory(workspace, service_account=fresh_sandbox.state_dir / "service_account.json",
                        admin=f"admin@{delnorte}")
    [before] = list_app_passwords(workspace, delnorte, users=[facturacion]).items
    assert before.created is None and before.last_used is None  # the shipped file dates neither
    fresh_sandbox.grants.age_account(facturacion, days=40)
    [after] = list_app_passwords(workspace, delnorte, users=[facturacion]).items
    assert abs((datetime.now(UTC) - after.created).total_seconds() - 40 * 86400) < 120
    assert after.stale(30) and not after.stale(50)


def test_the_report_panel_shows_the_app_passwords_column(delegated, grande, tmp_path) -> None:
    from mailkit.ui import ReportView

    with Inventory.open(delegated) as inventory:
        inventory.upsert_company(Company("grande", "Grande SA"))
    import_users(delegated, list_users(delegated, DOMAIN, only=[user(6), user(20)]), "grande")
    list_app_passwords(delegated, DOMAIN, users=[user(6), user(20)])
    panel = ReportView(delegated, lang="pl", export_dir=tmp_path)
    assert "hasła do aplikacji" not in panel.table.body.value  # a column of the full view
    panel.all_columns.value = True
    assert "hasła do aplikacji (liczba, ostatnie użycie)" in panel.table.body.value
    assert "1, ostatnie użycie 2026-11-16" in panel.table.body.value


def test_a_revocation_that_does_not_work_is_recorded_with_googles_answer(delegated, grande) -> None:
    from mailkit.google_workspace import AppPassword, revoke_app_passwords

    done = revoke_app_passwords(delegated, DOMAIN, [AppPassword(user(8), 12345, "made up"),
                                                    AppPassword(f"ana@{OTHER}", 1, "another domain's")], "one")
    assert [(r.email, r.outcome) for r in done] == [(user(8), "gone"), (f"ana@{OTHER}", "failed")]
    assert "400" in done[0].detail and f"may not read the users of {OTHER}" in done[1].detail
    assert [r.outcome for r in revocation_record(delegated)] == ["gone", "failed"]

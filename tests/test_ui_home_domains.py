"""The home page's "Breaks soon" section, the Domains panel against a real DNS server (NSD on 127.0.0.1), and
`mailkit report --domains`: real inventory in SQLite, real forecast, real DNS; click() and assert on what shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.store import GrantStore
from mailkit.ui import DomainsPanel, HomePage
from mailkit.workspace import Workspace
from tests.authoritative_dns import authoritative_dns, nsd_server  # noqa: F401 - fixtures
from tests.cli_helpers import run_mailkit

MAILBOX = "facturas@contoso.example"
REVOKED = "a@gmail.com"


def _fleet(workspace: Workspace) -> None:
    """Contoso MX: a Microsoft 365 mailbox on a password (breaks 2026-12-31); Zeta: a Google grant refused at its
    last refresh (broken already, so first)."""
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("contoso", "Contoso MX"))
        inventory.upsert_company(Company("zeta", "Zeta SA"))
        inventory.upsert_account(build_account(MAILBOX, "contoso", provider_key="microsoft365", auth="password"))
        inventory.upsert_account(build_account(REVOKED, "zeta", provider_key="gmail", auth="oauth2"))
        grants = GrantStore(inventory)
        grants.save_consent(REVOKED, client_fingerprint="f", authorized_email=REVOKED, scopes=["s"],
                            access_expires_at=None)
        grants.record_refresh(REVOKED, datetime.now(UTC) - timedelta(days=1))
        grants.set_status(REVOKED, "oauth_reauth_required")


def test_home_lists_what_breaks_soon_by_company_soonest_first_with_remedies(workspace: Workspace) -> None:
    empty = HomePage(workspace, lang="en")
    assert "Breaks soon" in empty.soon.value and "Nothing breaks in the next 14 days." in empty.soon.value
    _fleet(workspace)
    page = HomePage(workspace, lang="en")
    soon = page.soon.value
    assert "Nothing breaks" not in soon
    assert soon.index("data-company='zeta'") < soon.index("data-company='contoso'")  # broken already comes first
    assert "<b>Zeta SA</b>" in soon and "<b>Contoso MX</b>" in soon
    assert "OAuth access revoked" in soon and "Microsoft ends password sign-in" in soon and "2026-12-31" in soon
    assert "<code>mailkit oauth login a@gmail.com</code>" in soon  # the remedy, its command as code
    assert "--auth oauth2" in soon
    page.set_lang("es")
    assert "Se rompe pronto" in page.soon.value and "<b>Contoso MX</b>" in page.soon.value
    assert "OAuth access revoked" not in page.soon.value


def _domains(workspace: Workspace) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("good", "Good Co"))
        inventory.upsert_company(Company("lax", "Lax SA"))
        for email, company in [("f@good-google.example", "good"), ("f@no-dkim.example", "lax"),
                               ("yo@gmail.com", "lax")]:
            inventory.upsert_account(build_account(email, company, provider_key="workspace"))


def test_domains_panel_checks_a_company_and_offers_the_findings(workspace, authoritative_dns, tmp_path):  # noqa: F811
    _domains(workspace)
    panel = DomainsPanel(workspace, lang="es", export_dir=tmp_path / "out")
    assert [value for _, value in panel.company.options] == ["", "good", "lax"]
    assert panel.check.description == "Revisar los dominios" and all(b.disabled for b in panel.exports.values())
    panel.company.value = "lax"
    panel.check.click()
    assert [r.domain for r in panel.reports] == ["no-dkim.example"]  # gmail.com is the provider's, never checked
    table = panel.table.value
    assert "data-domain='no-dkim.example' data-check='dkim' data-status='missing'" in table
    assert "title='missing'>Falta</b>" in table and ">missing<" not in table  # the finding in words, code as tooltip
    assert "google._domainkey" in table and "v=DKIM1" in table  # the record to publish
    assert panel.alert.kind == "warning" and "1 dominios revisados" in panel.alert.text
    assert list(panel.frame.columns)[:2] == ["empresas", "dominio"] and len(panel.frame) == 4
    panel.exports["xlsx"].click()
    panel.exports["csv"].click()
    xlsx, csv = panel.exported
    sheet = openpyxl.load_workbook(xlsx)["Domains"]
    assert [c.value for c in sheet[1]][:2] == ["empresas", "dominio"] and sheet.max_row == 5
    assert "no-dkim.example" in csv.read_text(encoding="utf-8-sig")
    assert f"download='{csv.name}'" in panel.export_note.value
    panel.company.value = "good"
    panel.check.click()
    assert panel.alert.kind == "success" and {f.status for r in panel.reports for f in r.findings} == {"ok"}


def test_domains_panel_does_not_block_the_kernel(workspace, authoritative_dns):  # noqa: F811
    _domains(workspace)
    panel = DomainsPanel(workspace, lang="en")

    async def in_jupyter() -> None:  # the kernel's loop is running: the click schedules a task and returns
        panel.check.click()
        assert panel.task is not None and not panel.task.done() and panel.check.disabled
        await panel.task
        assert not panel.check.disabled

    asyncio.run(in_jupyter())
    assert {r.domain for r in panel.reports} == {"good-google.example", "no-dkim.example"}


def test_domains_panel_without_company_domains_says_so(workspace, authoritative_dns):  # noqa: F811
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("solo", "Solo"))
        inventory.upsert_account(build_account("solo@gmail.com", "solo", provider_key="gmail"))
    panel = DomainsPanel(workspace, lang="pl")
    panel.check.click()
    assert panel.reports == [] and panel.alert.kind == "info" and panel.table.value == ""


def test_cli_report_domains_adds_the_sheet(tmp_path, nsd_server):  # noqa: F811
    env = {"MAILKIT_NAMESERVER": nsd_server.address}
    home = tmp_path / "ws"
    run_mailkit("init", home=home, env=env)
    run_mailkit("company", "add", "lax", "--name", "Lax", home=home, env=env)
    done = run_mailkit("account", "add", "f@no-dkim.example", "--company", "lax", "--provider", "workspace",
                       home=home, env=env)
    assert done.returncode == 0, done.stderr
    plain = run_mailkit("report", "-o", str(tmp_path / "plain.xlsx"), home=home, env=env)
    assert plain.returncode in (0, 1), plain.stderr
    assert "Domains" not in openpyxl.load_workbook(tmp_path / "plain.xlsx").sheetnames  # opt-in: it asks DNS
    done = run_mailkit("report", "--domains", "--lang", "es", "-o", str(tmp_path / "r.xlsx"), home=home, env=env)
    assert done.returncode in (0, 1), done.stderr
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    sheet = book["Dominios"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["empresas", "dominio"]
    rows = {r[3]: r for r in sheet.iter_rows(min_row=2, values_only=True)}  # columns as mailkit.domains.frame
    assert headers[9] == "registro a publicar" and rows["dkim"][4] == "missing" and "v=DKIM1" in rows["dkim"][9]
    refused = run_mailkit("report", "--domains", home=home, env=env)
    assert refused.returncode == 2 and "--output" in refused.stderr


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

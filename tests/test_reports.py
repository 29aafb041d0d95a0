"""Reports on a real SQLite file: latest status per account with cause and remedy, roll-up per company,
history, styling, localized headers, Excel/CSV/HTML exports, plots, and no secret anywhere."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl
import pandas as pd
import pytest

from mailkit.audit import AuditOptions, Selection, audit
from mailkit.audit_store import AuditStore, ResultRow
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.reports import frames as reports
from mailkit.reports import plots as report_plots
from mailkit.reports.files import export
from mailkit.workspace import Workspace
from tests.cli_helpers import run_mailkit
from tests.test_audit import FAST, mixed_workspace

NOW = datetime.now(UTC)
WEB_LOGIN = ("534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&plt=AKgnsbs> Please log in via your "
             "web browser and\n534 5.7.14 then try again. k66sm627.45 - gsmtp")
TOO_BIG = "552 5.2.3 Your message exceeded Google's message size limits. x12sm1.2 - gsmtp"


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat(timespec="milliseconds")


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    """Two companies, five accounts, two runs; 2SV, an OAuth grant and an app password's age."""
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita SA de CV"))
        inventory.upsert_company(Company("nowak", "Sklep Nowak"))
        for email, company, auth in (("facturas@gmail.com", "lupita", "app-password"),
                                     ("crm@gmail.com", "lupita", "oauth2"),
                                     ("sklep@gmail.com", "nowak", "app-password"),
                                     ("wysylka@gmail.com", "nowak", "app-password"),
                                     ("nuevo@gmail.com", "nowak", "app-password")):
            inventory.upsert_account(build_account(email, company, provider_key="gmail", auth=auth))
        conn = inventory.conn
        store = AuditStore(conn)
        ids = store.account_ids()
        first = store.start_run({}, {"send_test": False}, list(ids.values())[:4])
        second = store.start_run({}, {"send_test": True}, list(ids.values())[:4])
        rows = [
            (first, "facturas@gmail.com", "bad_credentials", 535, "535 5.7.8 Username and Password not accepted.",
             ago(days=2)),
            (second, "facturas@gmail.com", "ok", None, "", ago(hours=1)),
            (first, "crm@gmail.com", "ok", None, "", ago(days=2)),
            (second, "crm@gmail.com", "web_login_required", 534, WEB_LOGIN, ago(hours=1)),
            (first, "sklep@gmail.com", "rate_limited", 454, "=HYPERLINK(\"http://x\") try again later", ago(days=2)),
            (second, "wysylka@gmail.com", "message_rejected", 552, TOO_BIG, ago(hours=1)),
        ]
        for run, email, status, code, reply, at in rows:
            step = "" if status == "ok" else "send" if code == 552 else "auth"
            store.record(run.id, ResultRow(ids[email], status, step, code, reply, checked_at=at,
                                           message_id="<m1@gmail.com>" if status == "ok" else None))
        store.finish(first.id, "finished")
        store.finish(second.id, "interrupted")
        conn.execute("INSERT INTO twostep VALUES (?, 'on', 1, 'directory', ?, NULL, '')",
                     (ids["facturas@gmail.com"], ago(days=1)))
        conn.execute("INSERT INTO oauth_grants (account_id, client_fingerprint, authorized_email, scopes, "
                     "obtained_at, last_refresh_at, access_expires_at, status) VALUES (?, 'fp', 'crm@gmail.com', "
                     "'https://mail.google.com/', ?, NULL, ?, 'ok')",
                     (ids["crm@gmail.com"], ago(days=30), ago(hours=-1)))
        conn.execute("INSERT INTO secret_facts VALUES (?, 'app_password', ?, NULL)",
                     (ids["facturas@gmail.com"], ago(days=40)))
    return workspace


def test_status_has_the_latest_state_of_every_account(filled):
    frame = reports.status(filled, lang="en")
    assert list(frame.columns) == reports.STATUS_COLUMNS
    frame = frame.set_index("email")
    assert frame.loc["facturas@gmail.com", "status"] == "ok"  # the later result wins
    assert frame.loc["crm@gmail.com", "status"] == "web_login_required"
    assert frame.loc["crm@gmail.com", "severity"] == "error"
    assert frame.loc["sklep@gmail.com", "severity"] == "warning"
    assert frame.loc["nuevo@gmail.com", "status"] == "" and frame.loc["nuevo@gmail.com", "cause"] == "not checked yet"
    assert "crm@gmail.com" in frame.loc["crm@gmail.com", "remedy"]  # remedies name the account
    assert "25 MB" in frame.loc["wysylka@gmail.com", "cause"]  # the reply's finer case (size) is kept
    assert frame.loc["facturas@gmail.com", "two_step"] == "on (enforced)"
    assert frame.loc["facturas@gmail.com", "app_password_age_days"] == 40
    assert frame.loc["crm@gmail.com", "oauth_scopes"] == "https://mail.google.com/"
    assert frame.loc["crm@gmail.com", "oauth_expires"] > pd.Timestamp(NOW)
    assert frame.loc["crm@gmail.com", "last_ok"] < frame.loc["crm@gmail.com", "last_check"]
    assert pd.isna(frame.loc["sklep@gmail.com", "last_ok"])
    assert frame.loc["crm@gmail.com", "run_id"] == 2
    assert list(reports.status(filled, company="lupita")["email"]) == ["crm@gmail.com", "facturas@gmail.com"]


def test_headers_and_texts_follow_the_language(filled):
    spanish = reports.status(filled, lang="es")
    assert {"empresa", "correo", "estado", "causa", "solución"} <= set(spanish.columns)
    row = spanish.set_index("correo").loc["crm@gmail.com"]
    assert row["estado"] == "web_login_required"  # statuses stay contract strings
    assert "navegador" in row["causa"]
    polish = reports.status(filled, lang="pl")
    assert {"firma", "przyczyna", "rozwiązanie"} <= set(polish.columns)
    assert "firma" in reports.by_company(filled, lang="pl").columns
    assert list(reports.status(filled).columns) == reports.STATUS_COLUMNS  # no language: English names


def test_by_company_counts_and_health(filled):
    table = reports.by_company(filled).set_index("company")
    assert table.loc["lupita", "accounts"] == 2 and table.loc["lupita", "ok"] == 1
    assert table.loc["lupita", "web_login_required"] == 1 and table.loc["lupita", "health"] == 0.5
    assert table.loc["nowak", "not_checked"] == 1 and table.loc["nowak", "broken"] == 2
    assert table.loc["nowak", "health"] == 0.0
    assert list(table.columns[:3]) == ["company_name", "accounts", "ok"]


def test_history_runs_and_rows(filled):
    runs = reports.history(filled)
    assert list(runs["run_id"]) == [1, 2] and list(runs["state"]) == ["finished", "interrupted"]
    assert list(runs["checked"]) == [3, 3] and list(runs["ok"]) == [1, 1]
    assert list(runs["send_test"]) == [False, True]
    rows = reports.history(filled, per_account=True)
    assert len(rows) == 6 and list(rows.columns) == reports.RESULT_COLUMNS
    assert len(reports.history(filled, per_account=True, last_runs=1)) == 3


def test_style_colours_by_severity_and_escapes(filled):
    html = reports.style(reports.status(filled)).to_html()
    assert reports.SEVERITY_COLORS["error"] in html and reports.SEVERITY_COLORS["warning"] in html
    assert "&lt;https://accounts.google.com" in html and "<https://accounts" not in html
    spanish = reports.style(reports.by_company(filled, lang="es")).to_html()
    assert "50%" in spanish


def test_xlsx_has_what_an_accountant_expects(filled, tmp_path):
    path = export(tmp_path / "report.xlsx", filled, lang="es")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Estado", "Empresas", "Ejecuciones", "Resultados", "Se rompe pronto"]
    sizes = {"Estado": 5, "Empresas": 2, "Ejecuciones": 2, "Resultados": 6, "Se rompe pronto": 0}
    for sheet in book:
        assert sheet.max_row == sizes[sheet.title] + 1
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}{sheet.max_row}"
        assert all(cell.font.b for cell in sheet[1])
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
    status = book["Estado"]
    headers = [c.value for c in status[1]]
    assert headers[:3] == ["empresa", "nombre de la empresa", "correo"]
    column = {h: i + 1 for i, h in enumerate(headers)}
    rows = {status.cell(r, column["correo"]).value: r for r in range(2, status.max_row + 1)}
    crm = rows["crm@gmail.com"]
    assert status.cell(crm, column["estado"]).fill.fgColor.rgb.endswith("F8D7DA")
    assert isinstance(status.cell(crm, column["última comprobación (UTC)"]).value, datetime)
    reply = status.cell(rows["sklep@gmail.com"], column["respuesta del servidor"])
    assert reply.data_type == "s" and reply.value.startswith("=HYPERLINK")  # text, never a formula
    health = book["Empresas"]
    assert health.cell(2, health.max_column).number_format == "0%"


def test_csv_is_utf8_with_bom_and_defused(filled, tmp_path):
    path = export(tmp_path / "report.csv", filled, lang="pl")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert "firma" in frame.columns and len(frame) == 5
    assert frame.set_index("e-mail").loc["sklep@gmail.com", "odpowiedź serwera"].startswith("'=HYPERLINK")


def test_html_is_standalone_with_plots(filled, tmp_path):
    path = export(tmp_path / "report.html", filled)
    page = path.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "<table" in page and "crm@gmail.com" in page and "&lt;https://accounts" in page
    assert "<link" not in page and "<script" not in page  # nothing fetched from elsewhere


def test_plots_and_missing_matplotlib(filled, tmp_path, monkeypatch):
    figure = report_plots.status_by_company(reports.by_company(filled))
    assert report_plots.png(figure).startswith(b"\x89PNG")
    assert report_plots.png(report_plots.trend(reports.history(filled, lang="es"))).startswith(b"\x89PNG")
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(UsageError, match=r"mailkit\[notebooks\]"):
        report_plots.trend(reports.history(filled))
    page = export(tmp_path / "plain.html", filled).read_text(encoding="utf-8")
    assert "mailkit[notebooks]" in page and "<table" in page


def test_unknown_export_format(filled, tmp_path):
    with pytest.raises(UsageError, match=".xlsx, .csv or .html"):
        export(tmp_path / "report.pdf", filled)


def test_empty_workspace(workspace, tmp_path):
    assert reports.status(workspace).empty and reports.by_company(workspace).empty
    assert reports.history(workspace).empty
    export(tmp_path / "empty.xlsx", workspace)
    assert openpyxl.load_workbook(tmp_path / "empty.xlsx")["Status"].max_row == 1


def test_status_is_quick_on_a_long_history(workspace):
    accounts, runs = 500, 40  # 20,000 result rows; the benchmark measures 100,000
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("big", "Big"))
        conn = inventory.conn
        conn.executemany("INSERT INTO accounts (email, company_slug, provider, auth, smtp_host, smtp_port, "
                         "security, created_at, updated_at) VALUES (?, 'big', 'gmail', 'app_password', "
                         "'smtp.gmail.com', 587, 'starttls', '', '')",
                         [(f"u{i}@gmail.com",) for i in range(accounts)])
        conn.executemany("INSERT INTO runs (id, started_at, state) VALUES (?, ?, 'finished')",
                         [(r, ago(days=runs - r)) for r in range(1, runs + 1)])
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO results (run_id, account_id, status, reply_code, reply, checked_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(r, a, "ok" if (a + r) % 7 else "bad_credentials", None if (a + r) % 7 else 535,
                           "" if (a + r) % 7 else "535 5.7.8 Username and Password not accepted.",
                           ago(days=runs - r)) for r in range(1, runs + 1) for a in range(1, accounts + 1)])
        conn.execute("COMMIT")
    started = time.perf_counter()
    frame = reports.status(workspace)
    assert time.perf_counter() - started < 2.0
    assert len(frame) == accounts and set(frame["status"]) == {"ok", "bad_credentials"}


# --- against the sandbox: a real audit, then every export, searched for the secrets it used -----
def test_no_secret_reaches_reports_or_exports(sandbox_env, workspace, tmp_path):
    secrets = mixed_workspace(sandbox_env, workspace)
    audit(workspace, Selection(), AuditOptions(send_test=True, **FAST))
    texts = [reports.status(workspace, lang=lang).to_csv() for lang in ("en", "es", "pl")]
    texts += [reports.history(workspace, per_account=True).to_csv(), reports.by_company(workspace).to_csv()]
    for suffix in ("xlsx", "csv", "html"):
        path = export(tmp_path / f"report.{suffix}", workspace, lang="es")
        if suffix == "xlsx":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        else:
            texts.append(path.read_text(encoding="utf-8-sig"))
    with sqlite3.connect(workspace.db_path) as conn:
        texts.append("\n".join(conn.iterdump()))
    assert any("web_login_required" in t for t in texts)  # the texts do hold the report
    for secret in secrets:
        assert len(secret) >= 12
        assert not any(secret in text for text in texts), "a secret reached a report"


def test_cli_report_table_json_and_file(filled, tmp_path):
    out = run_mailkit("report", home=filled.home)
    assert out.returncode == 1  # some accounts are not ok
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["company", "email", "status"]
    crm = next(line for line in lines if "crm@gmail.com" in line)
    assert "web_login_required" in crm and "crm@gmail.com" in crm.split("web_login_required")[1]
    assert any(line.startswith("lupita") and "50%" in line for line in lines)
    data = json.loads(run_mailkit("report", "--json", "--lang", "es", home=filled.home).stdout)
    assert {a["email"]: a["status"] for a in data["accounts"]}["crm@gmail.com"] == "web_login_required"
    assert "navegador" in {a["email"]: a["cause"] for a in data["accounts"]}["crm@gmail.com"]
    written = run_mailkit("report", "--output", str(tmp_path / "r.xlsx"), "--lang", "es", home=filled.home)
    assert written.returncode == 1 and "empresa" in written.stdout
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Estado"
    bad = run_mailkit("report", "--output", str(tmp_path / "r.pdf"), home=filled.home)
    assert bad.returncode == 2 and ".xlsx" in bad.stderr


def test_cli_report_exit_zero_when_all_ok(workspace):
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("c", "C"))
        inventory.upsert_account(build_account("a@gmail.com", "c", provider_key="gmail", auth="app-password"))
        store = AuditStore(inventory.conn)
        run = store.start_run({}, {}, [1])
        store.record(run.id, ResultRow(store.account_ids()["a@gmail.com"], "ok"))
    assert run_mailkit("report", home=workspace.home).returncode == 0


def test_english_name_round_trip():
    for lang, names in reports.HEADERS.items():
        frame = reports.localize(pd.DataFrame(columns=list(names)), lang)
        assert [reports.english_name(c) for c in frame.columns] == list(names)

"""Hostile and messy input files, options and report filters: bounded memory, linear time, clear errors."""

from __future__ import annotations

import csv
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import mailkit.tabular.accounts
from mailkit.errors import ValidationError
from mailkit.inventory import Inventory
from mailkit.models import normalize_email
from mailkit.tabular.accounts import import_accounts
from mailkit.tabular.read import MAX_XLSX_UNPACKED
from tests.cli_helpers import run_mailkit


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def one_line_error(done, *words: str) -> None:
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


# --- import: size, fields, encodings, time ----------------------------------------------------
def test_xlsx_zip_bomb_is_refused_from_its_directory(home: Path, tmp_path: Path):
    book = Workbook()
    book.active.append(["email", "company", "provider"])
    book.active.append(["a@gmail.com", "acme", "gmail"])
    book.save(tmp_path / "plain.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        with dst.open("xl/padding.bin", "w") as padding:  # 300 MB of zeros: ~300 KB packed
            chunk = bytes(2**20)
            for _ in range(MAX_XLSX_UNPACKED // 2**20 + 44):
                padding.write(chunk)
    assert bomb.stat().st_size < 2 * 2**20
    started = time.monotonic()
    done = run_mailkit("account", "import", str(bomb), "--dry-run", home=home)
    one_line_error(done, "bomb.xlsx would unpack to 300 MB", "save it as CSV")
    assert time.monotonic() - started < 20


def test_a_one_megabyte_field_is_one_clear_line(home: Path, tmp_path: Path):
    big = tmp_path / "big.csv"
    big.write_text("email,company,provider,notes\n" f'a@gmail.com,acme,gmail,"{"x" * 2**20}"\n', encoding="utf-8")
    one_line_error(run_mailkit("account", "import", str(big), "--dry-run", home=home), "line 2", "longer than")


def test_a_file_mixing_utf8_and_cp1252_lines_reads_each_line_right(home: Path, tmp_path: Path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"email,company_name,provider\n" + "m1@gmail.com,Ferretería Norte,gmail\n".encode()
                      + "m2@gmail.com,Panadería Sur,gmail\n".encode("cp1252")
                      + "m3@gmail.com,Señora Núñez,gmail\n".encode())
    done = run_mailkit("account", "import", str(mixed), home=home)
    assert done.returncode == 0, done.stderr
    assert "line(s) 3 are not UTF-8 and were read as cp1252" in done.stdout
    names = run_mailkit("company", "list", home=home).stdout
    assert "Ferretería Norte" in names and "Panadería Sur" in names and "Señora Núñez" in names


def test_import_time_is_linear_in_rows_and_companies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every row used to slugify every known company (quadratic): count the calls instead of timing them."""
    rows = 1500
    path = tmp_path / "many.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "company_name", "provider"])
        writer.writerows([f"u{i}@gmail.com", f"Empresa Número {i}", "gmail"] for i in range(rows))
    calls = []
    original = mailkit.tabular.accounts.slugify
    monkeypatch.setattr(mailkit.tabular.accounts, "slugify", lambda text: calls.append(text) or original(text))
    with Inventory(str(tmp_path / "db.sqlite3")) as inventory:
        first = import_accounts(inventory, path)
        assert first.added == rows and len(first.companies_added) == rows
        again = import_accounts(inventory, path)  # now every company is stored
        assert again.unchanged == rows and not again.companies_added
    assert len(calls) < 10 * rows


# --- options and report filters ------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-inf"])
def test_infinite_or_nan_deadline_is_refused(home: Path, value: str):
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home)
    run_mailkit("account", "add", "a@gmail.com", "--company", "acme", home=home)
    one_line_error(run_mailkit("audit", "--deadline", value, "--no-progress", home=home), "--deadline", "finite")
    assert sqlite3.connect(home / "mailkit.sqlite3").execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


def test_a_run_stored_with_infinity_does_not_poison_reports(home: Path, tmp_path: Path):
    run_mailkit("init", home=home)
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    conn.execute("INSERT INTO runs (started_at, state, options, total) VALUES ('2026-01-01T00:00:00+00:00', "
                 "'finished', '{\"deadline\": Infinity, \"send_test\": true}', 0)")
    conn.commit()
    conn.close()
    for name in ("r.csv", "r.xlsx", "r.html"):
        done = run_mailkit("report", "-o", str(tmp_path / name), home=home)
        assert done.returncode == 0 and (tmp_path / name).stat().st_size > 0, done.stderr
    from mailkit.reports import frames as reports
    from mailkit.workspace import Workspace

    assert reports.history(Workspace(home))["send_test"].tolist() == [True]


def test_report_company_filter_reaches_the_export(home: Path, tmp_path: Path):
    for slug in ("acme", "other"):
        run_mailkit("company", "add", slug, "--name", slug.title(), home=home)
        run_mailkit("account", "add", f"{slug}@gmail.com", "--company", slug, home=home)
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    conn.execute("INSERT INTO runs (id, started_at, state, options, total) VALUES (1, '2026-01-01T00:00:00+00:00', "
                 "'finished', '{}', 2)")
    for account_id, status in ((1, "ok"), (2, "bad_credentials")):
        conn.execute("INSERT INTO results (run_id, account_id, status, checked_at) VALUES (1, ?, ?, "
                     "'2026-01-01T00:00:01+00:00')", (account_id, status))
    conn.commit()
    conn.close()
    out = tmp_path / "acme.xlsx"
    done = run_mailkit("report", "--company", "Acme", "-o", str(out), home=home)
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    book = load_workbook(out)
    text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "acme@gmail.com" in text and "other" not in text.lower()
    runs = [[c.value for c in row] for row in book["Runs"].iter_rows(min_row=2)]
    assert len(runs) == 1 and runs[0][-3:] == [1, 1, 0]  # checked, ok, broken: acme's results only
    one_line_error(run_mailkit("report", "--company", "nonexistent", home=home), "no company 'nonexistent'")


# --- addresses -------------------------------------------------------------------------------
def test_internationalized_domain_is_its_punycode_form(home: Path):
    assert normalize_email("user@bücher.de") == normalize_email("user@xn--bcher-kva.de") == "user@xn--bcher-kva.de"
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home)
    added = run_mailkit("account", "add", "user@bücher.de", "--company", "acme", "--provider", "custom",
                        "--smtp-host", "smtp.example.org", home=home)
    assert added.returncode == 0, added.stderr
    same = run_mailkit("account", "add", "user@xn--bcher-kva.de", "--company", "acme", "--provider", "custom",
                       "--smtp-host", "smtp.example.org", home=home)
    assert same.returncode == 0 and same.stdout.startswith("unchanged"), same.stdout + same.stderr


@pytest.mark.parametrize(("address", "part"), [
    ("a" * 65 + "@gmail.com", "the part before @"),
    ("a@" + ".".join(["b" * 63] * 4) + ".com", "the domain"),
    ("a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example.com", "the address"),
])
def test_rfc_length_limits(address: str, part: str):
    with pytest.raises(ValidationError, match=part):
        normalize_email(address)
    assert normalize_email("a" * 64 + "@gmail.com")

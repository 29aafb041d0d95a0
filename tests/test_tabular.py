"""CSV / Excel import and export of the inventory, with real files and a real SQLite database."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from mailkit.assets import SAMPLE_INVENTORY, asset_path
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.secrets.backends import MemoryKeyring
from mailkit.secrets.store import SecretStore
from mailkit.tabular.accounts import export_accounts, import_accounts, read_table
from mailkit.tabular.headers import EXPORT_COLUMNS, field_for, header_key, map_columns
from mailkit.tabular.read import clean_cell, decode_text, quote_formula, sniff_separator

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SHIPPED = asset_path(SAMPLE_INVENTORY)


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    inv = Inventory(str(tmp_path / "db.sqlite3"))
    yield inv
    inv.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(inventory: Inventory) -> tuple[list, list]:
    """Everything stored, timestamps included."""
    rows = inventory.conn.execute("SELECT * FROM accounts ORDER BY email").fetchall()
    companies = inventory.conn.execute("SELECT * FROM companies ORDER BY slug").fetchall()
    return [tuple(r) for r in rows], [tuple(c) for c in companies]


def errors_by_line(report) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for error in report.rejected:
        found.setdefault(error.line, set()).add(error.field)
    return found


# --- reading ---------------------------------------------------------------------------------
def test_utf8_bom_semicolon_keeps_spreadsheet_line_numbers(tmp_path: Path) -> None:
    text = ("\ufeffcompany;email;auth;notes;;\r\n"
            "\r\n"
            "acme; a@acme.example ;oauth2;\"uno; dos\";;\r\n"
            "   \r\n"
            "acme;b@acme.example;password;;;\r\n")
    table = read_table(write(tmp_path / "bom.csv", text))
    assert table.attrs["encoding"] == "utf-8-sig" and table.attrs["separator"] == ";"
    assert list(table.columns) == ["company", "email", "auth", "notes"]
    assert list(table.index) == [3, 5]
    assert table.loc[3, "email"] == "a@acme.example"
    assert table.loc[3, "notes"] == "uno; dos"


def test_excel_sep_hint_line_is_honoured(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "hint.csv", "sep=|\nemail|company\nx@y.example|acme\n"))
    assert table.attrs["separator"] == "|"
    assert table.attrs["header_line"] == 2 and list(table.index) == [3]


@pytest.mark.parametrize(("text", "encoding"), [
    ("Gdańsk;Łódź;Zażółć gęślą jaźń", "cp1250"),
    ("Gdańsk", "cp1250"),
    ("Peña;Ñandú;¿Qué?;Año", "cp1252"),
    ("Señal", "cp1252"),
    ("Ferretería;Mecánico", "cp1252"),
    ("Wysyłka;Zamówienia", "cp1250"),
])
def test_legacy_code_page_is_told_apart(text: str, encoding: str) -> None:
    decoded, found = decode_text(text.encode(encoding))
    assert (decoded, found) == (text, encoding)


def test_utf16_without_bom_and_utf8_are_recognised() -> None:
    assert decode_text("email\tfirma\n".encode("utf-16-le")) == ("email\tfirma\n", "utf-16-le")
    assert decode_text("niño".encode()) == ("niño", "utf-8")


def test_separator_sniffing_ignores_quoted_separators() -> None:
    assert sniff_separator(['"Razón social, S.A.";email;auth']) == ";"
    assert sniff_separator(["email\tcompany"]) == "\t"
    assert sniff_separator(["email"]) == ","


def test_old_excel_and_unknown_formats_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="old Excel format"):
        read_table(write(tmp_path / "x.xls", "junk"))
    with pytest.raises(UsageError, match=r"\.pdf"):
        read_table(write(tmp_path / "x.pdf", "junk"))
    with pytest.raises(UsageError, match="not a readable Excel workbook"):
        read_table(write(tmp_path / "x.xlsx", "not a zip"))


# --- headers ---------------------------------------------------------------------------------
def test_spanish_and_polish_aliases_map_to_contract_fields() -> None:
    expected = {
        "Empresa": "company", "Razón Social": "company_name", "nombre_empresa": "company_name", "RFC": "tax_id",
        "Correo Electrónico": "email", "E-MAIL": "email", "Usuario": "login", "Nombre": "display_name",
        "Autenticación": "auth", "Método": "auth", "Proveedor": "provider", "Servidor SMTP": "smtp_host",
        "Puerto": "smtp_port", "Seguridad": "security", "Cifrado": "security", "Servidor IMAP": "imap_host",
        "Etiquetas": "tags", "Observaciones": "notes", "Remitentes": "from_addresses",
        "Firma": "company", "Nazwa firmy": "company_name", "NIP": "tax_id", "Adres e-mail": "email",
        "Skrzynka": "email", "Nazwa wyświetlana": "display_name", "Uwierzytelnianie": "auth",
        "Dostawca": "provider", "Serwer SMTP": "smtp_host", "Port SMTP": "smtp_port", "Szyfrowanie": "security",
        "Serwer IMAP": "imap_host", "Login": "login", "Użytkownik": "login", "Tagi": "tags", "Uwagi": "notes",
    }
    assert {header: field_for(header) for header in expected} == expected
    assert all(field_for(name) == name for name in EXPORT_COLUMNS)
    assert header_key(" Smtp_Port ") == header_key("smtp port") == "smtpport"


def test_unknown_and_secret_columns_are_warnings_never_data(tmp_path: Path, inventory: Inventory) -> None:
    path = write(tmp_path / "extra.csv", "email,company,provider,Teléfono,Contraseña\n"
                                         "a@gmail.com,acme,gmail,555-1234,Sup3rS3cretPw\n")
    report = import_accounts(inventory, path)
    assert report.added == 1 and report.ok
    text = report.summary() + json.dumps(report.to_dict(), ensure_ascii=False)
    assert "'Teléfono'" in text and "never imports secrets" in text
    assert "Sup3rS3cretPw" not in text
    assert "Sup3rS3cretPw" not in repr(snapshot(inventory))


def test_two_columns_for_one_field_warn() -> None:
    mapping = map_columns(["correo", "email", "empresa"])
    assert mapping.columns["email"] == "correo"
    assert any("both mean email" in w for w in mapping.warnings)


def test_missing_email_column_names_what_was_found(tmp_path: Path, inventory: Inventory) -> None:
    path = write(tmp_path / "noemail.csv", "empresa;teléfono\nacme;555\n")
    with pytest.raises(UsageError) as caught:
        import_accounts(inventory, path)
    message = str(caught.value)
    assert "'empresa'" in message and "'teléfono'" in message and "'email'" in message


# --- real-world files ------------------------------------------------------------------------
def test_messy_spanish_cp1252_file(inventory: Inventory) -> None:
    path = DATA / "messy_es_cp1252.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is a legacy code page file
    report = import_accounts(inventory, path)
    assert report.source["encoding"] == "cp1252" and report.source["separator"] == ";"
    assert (report.added, report.updated, report.duplicates) == (3, 0, 1)
    assert errors_by_line(report) == {7: {"email", "auth", "smtp_port"}}
    assert report.companies_added == ["ferreteria-delnorte", "pena-hermanos"]

    ferreteria = inventory.account("facturacion@ferreteria-delnorte.example")
    assert ferreteria.email == "FACTURACION@ferreteria-delnorte.example"  # spaces gone, domain lower-cased
    assert ferreteria.display_name == "Ferretería del Norte; Facturación"
    assert ferreteria.provider == "workspace" and ferreteria.smtp_host == "smtp.gmail.com"
    assert ferreteria.tags == ["facturas", "cfdi"] and ferreteria.notes == 'Año fiscal: señal "ok"'
    avisos = inventory.account("avisos.pena@gmail.com")
    assert (avisos.auth, avisos.smtp_port, avisos.security) == ("app_password", 465, "ssl")
    assert avisos.notes == "Diseño ñandú"
    pena = inventory.company("pena-hermanos")
    assert (pena.name, pena.tax_id) == ("Peña Hermanos SA", "PHE990101AA1")
    assert inventory.find_account("ventas.pena@gmail") is None


def test_polish_cp1250_file(inventory: Inventory) -> None:
    report = import_accounts(inventory, DATA / "polish_cp1250.csv")
    assert report.source["encoding"] == "cp1250"
    assert report.added == 2
    assert [(e.line, e.field) for e in report.rejected] == [(5, "smtp_host")]  # "inny" = custom, needs a host
    assert inventory.account("wysylka.nowak@gmail.com").display_name == "Sklep Nowak - Wysyłka"
    assert inventory.account("wysylka.nowak@gmail.com").auth == "app_password"
    assert inventory.account("wysylka.nowak@gmail.com").notes == "Zażółć gęślą jaźń"
    bakery = inventory.company("piekarnia-lodz")
    assert (bakery.name, bakery.tax_id) == ("Piekarnia Łódź sp. z o.o.", "7251234567")
    assert inventory.company("Piekarnia Łódź sp. z o.o.").slug == "piekarnia-lodz"


def test_utf16_tab_separated_unicode_text(tmp_path: Path, inventory: Inventory) -> None:
    text = ("Firma\tAdres e-mail\tDostawca\tUwagi\r\n"
            "Sklep Nowak\tkontakt.nowak@gmail.com\tgmail\tżółw\r\n")
    path = write(tmp_path / "unicode.txt", text, "utf-16")
    report = import_accounts(inventory, path)
    assert report.source["encoding"] == "utf-16" and report.source["separator"] == "\t"
    assert report.added == 1 and report.ok
    assert inventory.account("kontakt.nowak@gmail.com").notes == "żółw"
    assert inventory.account("kontakt.nowak@gmail.com").company == "sklep-nowak"


def test_xlsx_with_polish_headers_title_row_and_numbers(tmp_path: Path, inventory: Inventory) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Lista kont pocztowych"])
    sheet.append([])
    sheet.append(["Firma", "Nazwa firmy", "NIP", "Adres e-mail", "Dostawca", "Serwer SMTP", "Port SMTP",
                  "Szyfrowanie", "Login", "Tagi", None, None])
    sheet.append(["biuro-kowalski", "Biuro Kowalski", 5213456789, "FAKTURY@Biuro-Kowalski.example", "workspace",
                  None, None, None, None, "faktury; crm", None, None])
    sheet.append([])
    sheet.append(["biuro-kowalski", None, None, "poczta@biuro-kowalski.example", "inny", "mail.kowalski.example",
                  465.0, None, "poczta", None, None, None])
    sheet.append(["biuro-kowalski", None, None, "zly@biuro-kowalski.example", "inny", "mail.kowalski.example",
                  "port", "tls", None, None, None, None])
    path = tmp_path / "konta.xlsx"
    book.save(path)

    report = import_accounts(inventory, path)
    assert report.source["header_line"] == 3
    assert report.added == 2
    assert [(e.line, e.field) for e in report.rejected] == [(7, "smtp_port")]
    assert inventory.company("biuro-kowalski").tax_id == "5213456789"
    faktury = inventory.account("faktury@biuro-kowalski.example")
    assert faktury.tags == ["faktury", "crm"] and faktury.provider == "workspace"
    poczta = inventory.account("poczta@biuro-kowalski.example")
    assert (poczta.provider, poczta.smtp_host, poczta.smtp_port, poczta.security, poczta.login) == (
        "custom", "mail.kowalski.example", 465, "ssl", "poczta")


def test_shipped_inventory_imports_13_accounts_in_5_companies(inventory: Inventory) -> None:
    report = import_accounts(inventory, SHIPPED)
    assert report.ok and report.warnings == []
    assert report.added == 13 and len(inventory.accounts()) == 13
    assert sorted(report.companies_added) == sorted(c.slug for c in inventory.companies())
    assert len(inventory.companies()) == 5
    nowak = inventory.account("zamowienia.nowak@gmail.com")
    assert nowak.from_addresses == ["biuro@sklep-nowak.example"] and nowak.auth == "app_password"
    assert inventory.company("biuro-kowalski").name == "Biuro Rachunkowe Kowalski sp. z o.o."


# --- validation ------------------------------------------------------------------------------
BAD_ROWS = """company,email,auth,provider,smtp_host,smtp_port,security,imap_port,from_addresses
acme,ok@gmail.com,oauth2,gmail,,,,,
acme,not-an-email,oauth2,gmail,,,,,
acme,b@gmail.com,carrier-pigeon,gmail,,,,,

acme,c@gmail.com,oauth2,gmail,,70000,,,
acme,d@gmail.com,oauth2,yahoo,,,,,
,e@gmail.com,oauth2,gmail,,,,,
acme,f@gmail.com,oauth2,gmail,,,quantum,abc,
acme,g@gmail.com,oauth2,gmail,,,,,"alias@acme.example; broken@"
acme,h@acme.invalid,password,,,,,,
acme,i@acme.invalid,password,,,,,,
acme,j@acme.invalid,password,custom,,,,,
acme,k@acme.invalid,password,,smtp.acme.invalid,25,none,,
acme,,oauth2,gmail,,,,,
acme,ms@contoso.example,app-password,microsoft365,,,,,
"""


def test_bad_rows_are_rejected_with_line_and_field(tmp_path: Path, inventory: Inventory, dns_server) -> None:
    resolver = dns_server("nxdomain")
    report = import_accounts(inventory, write(tmp_path / "bad.csv", BAD_ROWS))
    assert errors_by_line(report) == {
        3: {"email"}, 4: {"auth"}, 6: {"smtp_port"}, 7: {"provider"}, 8: {"company"},
        9: {"security", "imap_port"}, 10: {"from_addresses"}, 13: {"smtp_host"}, 15: {"email"}, 16: {"auth"},
    }
    assert resolver.questions == ["acme.invalid"]  # detection asked DNS once for the domain
    assert sorted(a.email for a in inventory.accounts()) == ["h@acme.invalid", "i@acme.invalid",
                                                              "k@acme.invalid", "ok@gmail.com"]
    assert inventory.account("h@acme.invalid").provider == "undetected"
    port = next(e for e in report.rejected if e.line == 6)
    assert port.value == "70000" and "port number" in port.reason
    assert "Microsoft 365" in next(e for e in report.rejected if e.line == 16).reason
    assert report.exit_code == 1
    assert "rows rejected: 10" in report.summary()
    assert "2 accounts (lines 11, 12): the provider was not detected" in report.summary()


@pytest.mark.parametrize("mode", ["silent", "nxdomain"])
def test_import_never_needs_the_network(tmp_path: Path, inventory: Inventory, dns_server, mode) -> None:
    """A resolver that never answers, or says NXDOMAIN for everything: every valid row is stored, undetected."""
    resolver = dns_server(mode)
    rows = "".join(f"acme,user{i}@domain{i % 7}.example\n" for i in range(40))
    started = time.monotonic()
    report = import_accounts(inventory, write(tmp_path / "nodns.csv", "company,email\n" + rows), detect_timeout=1.0)
    assert time.monotonic() - started < 5  # 7 domains looked up at once, once each: one timeout, not 40
    assert report.rejected == [] and report.added == 40
    assert {a.provider for a in inventory.accounts()} == {"undetected"}
    assert sorted(set(resolver.questions)) == [f"domain{i}.example" for i in range(7)]


def test_account_detect_finishes_detection_when_dns_answers(tmp_path: Path, inventory: Inventory,
                                                            dns_server, workspace) -> None:
    from mailkit.redetect import detect_undetected

    dns_server("silent")
    path = write(tmp_path / "later.csv", "company,email,auth\nacme,a@ws.example,app-password\n"
                                         "acme,b@m365.example,\nacme,c@own.example,\nacme,d@gone.example,\n")
    assert import_accounts(inventory, path, detect_timeout=0.5).added == 4
    dns_server(mx={"ws.example": ["aspmx.l.google.com"], "m365.example": ["m365-example.mail.protection.outlook.com"],
                   "own.example": ["mx.own.example"]})
    found = {r.email: r for r in detect_undetected(inventory, "acme", timeout=1.0)}
    assert {e: r.provider for e, r in found.items()} == {
        "a@ws.example": "workspace", "b@m365.example": "microsoft365", "c@own.example": "undetected",
        "d@gone.example": "undetected"}
    stored = inventory.account("a@ws.example")
    assert (stored.smtp_host, stored.imap_host, stored.auth) == ("smtp.gmail.com", "imap.gmail.com", "app_password")
    assert "custom server" in found["c@own.example"].note
    assert inventory.account("b@m365.example").smtp_host == "smtp.office365.com"


def test_rejected_rows_leave_stored_data_intact(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    before = snapshot(inventory)
    path = write(tmp_path / "edit.csv",
                 "company,email,auth,smtp_port,notes\n"
                 "abarrotes-lupita,facturas.lupita@gmail.com,app-password,99999,overwritten?\n"
                 "sklep-nowak,sklep.nowak@gmail.com,telepathy,,overwritten?\n"
                 "Abarrotes Lupita SA de CV,limite.tallerruiz@gmail.com,app-password,587,\n"
                 "abarrotes-lupita,,oauth2,,\n")
    report = import_accounts(inventory, path)
    assert errors_by_line(report) == {2: {"smtp_port"}, 3: {"auth"}, 4: {"company"}, 5: {"email"}}
    assert "belongs to company 'taller-ruiz'" in next(e.reason for e in report.rejected if e.line == 4)
    assert "exactly one company" in next(e.reason for e in report.rejected if e.line == 4)
    assert snapshot(inventory) == before


def test_email_moving_company_is_rejected(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    before = snapshot(inventory)
    path = write(tmp_path / "move.csv", "empresa;correo;proveedor\nSklep Nowak;Citas.TallerRuiz@gmail.com;gmail\n")
    report = import_accounts(inventory, path)
    [error] = report.rejected
    assert (error.line, error.field) == (2, "company")
    assert "taller-ruiz" in error.reason and "exactly one company" in error.reason
    assert snapshot(inventory) == before


def test_company_matched_by_name_whatever_the_case_and_accents(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    path = write(tmp_path / "names.csv", "empresa,correo,proveedor\n"
                                          "FERRETERIA DEL NORTE SA DE CV,nuevo@ferreteria-delnorte.example,workspace\n"
                                          "Taller mecanico ruiz,nuevo.tallerruiz@gmail.com,gmail\n")
    report = import_accounts(inventory, path)
    assert report.added == 2 and report.companies_added == [] and report.ok
    assert inventory.account("nuevo@ferreteria-delnorte.example").company == "ferreteria-delnorte"
    assert inventory.account("nuevo.tallerruiz@gmail.com").company == "taller-ruiz"
    assert len(inventory.companies()) == 5


def test_empty_file_is_a_usage_error(tmp_path: Path, inventory: Inventory) -> None:
    with pytest.raises(UsageError, match="empty"):
        import_accounts(inventory, write(tmp_path / "empty.csv", "\n\n"))


def test_duplicate_rows_first_wins(tmp_path: Path, inventory: Inventory) -> None:
    path = write(tmp_path / "dups.csv",
                 "company,email,provider,notes\n"
                 "acme,Same@Gmail.com,gmail,first\n"
                 "acme, same@gmail.com ,gmail,first\n"
                 "acme,SAME@gmail.com,gmail,second\n"
                 "acme,other@gmail.com,gmail,\n")
    report = import_accounts(inventory, path)
    assert (report.added, report.duplicates) == (2, 1)
    [error] = report.rejected
    assert error.line == 4 and error.field == "email" and "line 2" in error.reason and "notes" in error.reason
    assert inventory.account("same@gmail.com").notes == "first"


# --- idempotence, dry run, transactions --------------------------------------------------------
def test_reimport_changes_nothing(inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    before = snapshot(inventory)
    report = import_accounts(inventory, SHIPPED)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 13)
    assert report.companies_added == [] and report.companies_updated == []
    assert snapshot(inventory) == before  # updated_at included


def test_dry_run_reports_the_same_and_writes_nothing(tmp_path: Path, inventory: Inventory) -> None:
    inventory.upsert_company(Company("taller-ruiz", "Taller Ruiz"))
    inventory.upsert_account(build_account("citas.tallerruiz@gmail.com", "taller-ruiz", provider_key="gmail",
                                           display_name="old name"))
    db = Path(inventory.path)
    files = [db, db.with_name(db.name + "-wal")]
    stamps = [(f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists()]
    before = snapshot(inventory)

    dry = import_accounts(inventory, SHIPPED, dry_run=True)
    assert snapshot(inventory) == before
    assert [(f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists()] == stamps
    assert (dry.added, dry.updated, dry.unchanged) == (12, 1, 0) and dry.dry_run
    assert "dry run" in dry.summary()
    [update] = [row for row in dry.rows if row.change == "updated"]
    assert update.email == "citas.tallerruiz@gmail.com"
    assert set(update.fields) == {"display_name", "tags"}
    assert dry.companies_updated == ["taller-ruiz"]  # its name comes from the file

    real = import_accounts(inventory, SHIPPED)
    assert {**dry.to_dict(), "dry_run": False} == real.to_dict()
    assert inventory.account("citas.tallerruiz@gmail.com").display_name == "Taller Ruiz - Citas"


def test_a_crash_mid_import_leaves_nothing(inventory: Inventory, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = Inventory.upsert_account

    def failing(self: Inventory, account):
        calls.append(account.email)
        if len(calls) == 5:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, account)

    monkeypatch.setattr(Inventory, "upsert_account", failing)
    with pytest.raises(sqlite3.OperationalError):
        import_accounts(inventory, SHIPPED)
    assert inventory.accounts() == [] and inventory.companies() == []
    assert not inventory.conn.in_transaction


def test_absent_columns_keep_stored_values(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    path = write(tmp_path / "partial.csv", "email,notes\nfacturas.lupita@gmail.com,nuevo\n")
    report = import_accounts(inventory, path)
    [row] = report.rows
    assert (row.change, row.fields) == ("updated", ("notes",))
    account = inventory.account("facturas.lupita@gmail.com")
    assert (account.company, account.auth, account.display_name) == (
        "abarrotes-lupita", "app_password", "Abarrotes Lupita - Facturas")


# --- export ----------------------------------------------------------------------------------
def test_csv_export_round_trips_to_unchanged(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    inventory.upsert_account(build_account("formula@gmail.com", "sklep-nowak", provider_key="gmail",
                                           display_name="=HYPERLINK(\"http://x\")", notes="-5 días", login="x"))
    before = snapshot(inventory)
    out = tmp_path / "out.csv"
    assert export_accounts(inventory, out) == 14
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    by_email = {r[2]: dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_email["zamowienia.nowak@gmail.com"]["from_addresses"] == "biuro@sklep-nowak.example"
    assert by_email["formula@gmail.com"]["display_name"].startswith("'=")  # inert in a spreadsheet

    report = import_accounts(inventory, out)
    assert (report.unchanged, report.added, report.updated) == (14, 0, 0) and report.ok
    assert snapshot(inventory) == before


def test_xlsx_export_is_formatted_and_round_trips(tmp_path: Path, inventory: Inventory) -> None:
    import_accounts(inventory, SHIPPED)
    inventory.upsert_account(build_account("formula@gmail.com", "sklep-nowak", provider_key="gmail",
                                           display_name="=1+1", tags=["a", "b"]))
    out = tmp_path / "out.xlsx"
    assert export_accounts(inventory, out, company="sklep-nowak") == 5
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == list(EXPORT_COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:R6"
    assert sheet.column_dimensions["C"].width > 20
    formula = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "formula@gmail.com")
    assert formula[3].value == "=1+1" and formula[3].data_type == "s"
    assert formula[12].value == "a; b" and formula[7].value == 587

    before = snapshot(inventory)
    report = import_accounts(inventory, out)
    assert (report.unchanged, report.added, report.updated) == (5, 0, 0)
    assert snapshot(inventory) == before


def test_export_never_contains_a_secret(tmp_path: Path, inventory: Inventory, memory_keyring: MemoryKeyring) -> None:
    import_accounts(inventory, SHIPPED)
    store = SecretStore(memory_keyring)
    store.set("sklep.nowak@gmail.com", "app_password", "abcdwxyzefghijkl")
    store.set("facturacion@ferreteria-delnorte.example", "oauth_token", '{"refresh_token": "1//0gRefreshTok"}')
    export_accounts(inventory, tmp_path / "out.csv")
    export_accounts(inventory, tmp_path / "out.xlsx")
    text = (tmp_path / "out.csv").read_text("utf-8-sig")
    cells = " ".join(str(c.value) for row in load_workbook(tmp_path / "out.xlsx").active.iter_rows() for c in row)
    for secret in ("abcdwxyzefghijkl", "1//0gRefreshTok"):
        assert secret not in text and secret not in cells


def test_export_refuses_unknown_format_and_leaves_no_partial_file(tmp_path: Path, inventory: Inventory) -> None:
    with pytest.raises(UsageError):
        export_accounts(inventory, tmp_path / "out.json")
    with pytest.raises(UsageError, match="cannot write"):
        export_accounts(inventory, tmp_path / "missing-dir" / "out.csv")
    (tmp_path / "locked.csv").mkdir()  # os.replace onto a directory fails after the file was written
    with pytest.raises(UsageError, match="cannot write"):
        export_accounts(inventory, tmp_path / "locked.csv")
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]


def test_report_is_json_and_reads_in_three_languages(tmp_path: Path, inventory: Inventory) -> None:
    report = import_accounts(inventory, DATA / "messy_es_cp1252.csv", dry_run=True)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["rejected"][0]["line"] == 7 and data["duplicates"] == 1 and data["dry_run"]
    assert "added 3" in report.summary()
    assert "añadidas 3" in report.summary("es") and "dodane 3" in report.summary("pl")
    assert str(report.rejected[0]).startswith("line 7: ")


def test_workbook_sheet_with_the_email_header_is_read_else_the_active_one(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "notes"
    book.active.append(["read me first"])
    accounts = book.create_sheet("cuentas")
    accounts.append(["Empresa", "Correo"])
    accounts.append(["lupita", "facturas@gmail.com"])
    book.save(tmp_path / "two.xlsx")
    table = read_table(tmp_path / "two.xlsx")
    assert table.attrs["sheet"] == "cuentas" and table["Correo"].tolist() == ["facturas@gmail.com"]
    accounts.delete_rows(1)
    book.save(tmp_path / "none.xlsx")
    assert read_table(tmp_path / "none.xlsx").attrs["sheet"] == "notes"


@pytest.mark.parametrize("value", ["=HYPERLINK(\"x\")", "+34 600", "-5", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted"])
def test_quote_formula_is_undone_by_clean_cell(value):
    quoted = quote_formula(value)
    assert quoted == (f"'{value}" if value[0] in "=+-@\t\r" else value)
    assert clean_cell(quoted) == value
    assert quote_formula(7) == 7

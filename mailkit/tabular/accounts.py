"""CSV / Excel import and export of the inventory, one row per account, validated row by row.

Import rules (what an admin can rely on):

- Every row is checked on its own; a rejected row is reported with its line and field and never
  touches what is stored. All accepted rows are written in one transaction: an interrupted import
  leaves nothing half done.
- Re-importing a file changes nothing (rows come back "unchanged", timestamps stay). A dry run
  reports exactly what the real import would do and writes nothing.
- The same email twice in a file (any case): the first row wins, identical later rows count as
  duplicates, different later rows are rejected naming the first row's line.
- An account belongs to one company: a row putting an existing email under another company is
  rejected (the import never moves accounts).
- `company` may be a slug or a company name; unknown companies are created (slug from the name).
- Columns absent from the file keep the stored values of existing accounts; for new accounts they
  take the provider's defaults. In a present column an empty text cell (display_name, login, tags,
  from_addresses, notes) clears the value; an empty setting cell (provider, auth, hosts, ports,
  security) keeps the stored one, or the provider's default for a new account.
- Secrets are never read from, nor written to, these files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mailkit.errors import UsageError, ValidationError
from mailkit.files import private_output
from mailkit.inventory import Change, Inventory
from mailkit.models import (
    Account,
    Company,
    build_account,
    insecure_settings,
    normalize_auth,
    normalize_ca_file,
    normalize_email,
    normalize_imap_security,
    normalize_port,
    normalize_security,
    normalize_slug,
    slugify,
    split_list,
)
from mailkit.providers import UNDETECTED, Detection, detect_domains, detect_provider, provider
from mailkit.sanitize import for_export
from mailkit.tabular.headers import EXPORT_COLUMNS, ColumnMap, map_columns
from mailkit.tabular.read import quote_formula, read_table
from mailkit.tabular.report import ImportReport, RowError, RowResult

#: Account fields in the order of `Account.content()`: what an import may change.
CONTENT_FIELDS = ("company", "display_name", "provider", "auth", "smtp_host", "smtp_port", "security",
                  "imap_host", "imap_port", "imap_security", "login", "from_addresses", "tags", "notes",
                  "allow_insecure", "ca_file")
TEXT_FIELDS = ("display_name", "login", "tags", "from_addresses", "notes", "ca_file")
SERVER_FIELDS = ("smtp_host", "smtp_port", "security", "imap_host", "imap_port", "imap_security")
_PORT_SECURITY = {465: "ssl", 587: "starttls"}


# --- import --------------------------------------------------------------------------------
def import_accounts(inventory: Inventory, path: str | Path, *, dry_run: bool = False,
                    detect_timeout: float = 3.0, allow_insecure: bool = False) -> ImportReport:
    """Add and update accounts (and their companies) from a CSV/Excel file; see the module rules.

    `allow_insecure`: the admin's explicit consent to Google/Microsoft rows without TLS or on another host
    (without it such rows are rejected; an account allowed before keeps its allowance while its servers stay).
    """
    table = read_table(path)
    columns = map_columns([str(c) for c in table.columns])
    columns.require_email(Path(path).name)
    detector = _Detector(detect_timeout)
    detector.prefetch(table, columns, inventory)  # every domain's MX at once, outside the write lock
    plan = _Plan(inventory, columns, detector, allow_insecure).run(table)
    if not dry_run and plan.writes():
        with inventory.transaction():
            plan = _Plan(inventory, columns, detector, allow_insecure).run(table)  # again under the lock
            plan.apply()
    return plan.report(str(path), table, dry_run)


@dataclass
class _Detector:
    """Provider detection by MX, asked once per domain within one import."""

    timeout: float
    cache: dict[str, Detection] = field(default_factory=dict)

    def __call__(self, email: str) -> Detection:
        domain = email.rpartition("@")[2].lower()
        if domain not in self.cache:
            self.cache[domain] = detect_provider(email, timeout=self.timeout)
        return self.cache[domain]

    def prefetch(self, table: pd.DataFrame, columns: ColumnMap, inventory: Inventory) -> None:
        """Look up, concurrently, the MX of every domain whose rows name neither a provider nor a host."""
        def cells(name: str) -> list[str]:
            column = columns.columns.get(name)
            return [str(v).strip() for v in table[column].tolist()] if column else [""] * len(table)

        stored = {account.email.lower() for account in inventory.accounts()}  # one query, not one per row
        domains = {email.rpartition("@")[2].lower()
                   for email, given, host in zip(cells("email"), cells("provider"), cells("smtp_host"), strict=True)
                   if "@" in email and not given and not host and email.lower() not in stored}
        self.cache.update(detect_domains(domains - self.cache.keys(), timeout=self.timeout))


@dataclass
class _CompanyPlan:
    company: Company
    change: Change
    line: int
    used: bool = False


@dataclass
class _Seen:
    line: int
    account: Account | None


class _Plan:
    """Decides, row by row, what the import does; reads the inventory, writes only in `apply`."""

    def __init__(self, inventory: Inventory, columns: ColumnMap, detect: _Detector, allow_insecure: bool = False):
        self.inventory, self.columns, self.detect = inventory, columns, detect
        self.allow_insecure = allow_insecure
        self.results: list[RowResult] = []
        self.rejected: list[RowError] = []
        self.warnings: list[str] = list(columns.warnings)
        self.accounts: list[tuple[Account, Change]] = []
        self.companies: dict[str, _CompanyPlan] = {}
        self.seen: dict[str, _Seen] = {}
        # Companies looked up in dicts, never by scanning: one row costs the same with 10 or 20,000 companies.
        self.stored = {c.slug: c for c in inventory.companies()}
        self.by_lower_name = {c.name.strip().lower(): c.slug for c in reversed(self.stored.values())}
        self.by_name_slug = {slugify(c.name): c.slug for c in reversed(self.stored.values())}
        self.undetected: list[int] = []  # lines whose provider DNS could not tell

    def run(self, table: pd.DataFrame) -> _Plan:
        values = {name: table[column].tolist() for name, column in self.columns.columns.items()}
        for index, line in enumerate(table.index):
            self.take(int(line), {name: str(cells[index]).strip() for name, cells in values.items()})
        return self

    # -- one row --
    def take(self, line: int, cells: dict[str, str]) -> None:
        errors = _shape_errors(line, cells)
        email = "" if any(e.field == "email" for e in errors) else normalize_email(cells["email"])
        account = None
        if not errors:
            try:
                account = self._account(line, cells, email)
            except ValidationError as exc:
                errors.append(_row_error(line, exc, cells))
        first = self.seen.get(email.lower()) if email else None
        if first is not None:
            self._repeat(line, email, account, first, errors)
            return
        if email:
            self.seen[email.lower()] = _Seen(line, account)
        if account is None:
            self.rejected.extend(errors)
            return
        self._accept(line, account)

    def _repeat(self, line: int, email: str, account: Account | None, first: _Seen, errors: list[RowError]) -> None:
        if account is not None and first.account is not None and account.content() == first.account.content():
            self.results.append(RowResult(line, email, account.company, "duplicate"))
            return
        if first.account is None:
            why = f"{email} is already on line {first.line}, which was rejected; keep one row per account"
        elif account is None:
            why = f"{email} is already on line {first.line}; keep one row per account"
        else:
            differ = ", ".join(_changed(first.account, account))
            why = f"{email} is already on line {first.line} with other values ({differ}); keep one row per account"
        self.rejected.extend([RowError(line, "email", email, why), *errors])

    def _accept(self, line: int, account: Account) -> None:
        existing = self.inventory.find_account(account.email)
        if existing is None:
            change: Change = "added"
        else:
            account.email = existing.email  # the stored spelling stays; emails match case-insensitively
            change = "unchanged" if existing.content() == account.content() else "updated"
        if account.company in self.companies:  # absent when the company column is and the account is stored
            self.companies[account.company].used = True
        self.accounts.append((account, change))
        if account.allow_insecure:
            self.warnings.append(f"line {line}: {account.email}: insecure settings allowed by --allow-insecure "
                                 f"({'; '.join(why for _, why in insecure_settings(account))})")
        fields = _changed(existing, account) if existing is not None and change == "updated" else ()
        self.results.append(RowResult(line, account.email, account.company, change, fields))

    def _account(self, line: int, cells: dict[str, str], email: str) -> Account:
        existing = self.inventory.find_account(email)
        slug = self._company(line, cells, existing)
        if existing is not None and existing.company != slug:
            raise ValidationError(
                "company", f"{existing.email} belongs to company {existing.company!r}; an account belongs to "
                f"exactly one company, so the import does not move it (fix the company in the file)",
                row=line, value=cells.get("company") or cells.get("company_name", ""))
        return self._build(line, cells, email, slug, existing)

    def _build(self, line: int, cells: dict[str, str], email: str, slug: str, existing: Account | None) -> Account:
        key = cells.get("provider") or None
        if key is None and existing is not None and not cells.get("smtp_host"):
            key = existing.provider
        if key is None and not cells.get("smtp_host"):
            key = self._detected(line, email)
        inherit = existing is not None and key is not None and provider(key).key == existing.provider
        settings = {name: cells.get(name) or (getattr(existing, name) if inherit else None) for name in SERVER_FIELDS}
        settings["auth"] = cells.get("auth") or (existing.auth if existing is not None else None)
        if cells.get("smtp_port") and not cells.get("security"):
            settings["security"] = _PORT_SECURITY.get(normalize_port(cells["smtp_port"], "smtp_port"),
                                                      settings["security"])
        texts = {name: cells[name] if name in cells else (getattr(existing, name) if existing else None)
                 for name in TEXT_FIELDS}
        texts["login"] = texts["login"] or None
        try:
            return build_account(email, slug, provider_key=key, row=line, detect_timeout=self.detect.timeout,
                                 allow_insecure=self.allow_insecure, **settings, **texts)
        except ValidationError:
            if existing is None or not existing.allow_insecure:
                raise
            kept = build_account(email, slug, provider_key=key, row=line, detect_timeout=self.detect.timeout,
                                 allow_insecure=True, **settings, **texts)
            if [getattr(kept, f) for f in SERVER_FIELDS] != [getattr(existing, f) for f in SERVER_FIELDS]:
                raise
            return kept

    def _detected(self, line: int, email: str) -> str:
        found = self.detect(email)
        if found.provider is None:
            self.undetected.append(line)
            return UNDETECTED
        return found.provider

    # -- companies --
    def _company(self, line: int, cells: dict[str, str], existing: Account | None) -> str:
        raw = cells.get("company") or cells.get("company_name") or ""
        if not raw:
            if existing is not None and "company" not in cells and "company_name" not in cells:
                return existing.company
            raise ValidationError("company", "empty: every account belongs to exactly one company "
                                  "(give its id or its name)", row=line, value="")
        slug = self._slug(line, raw)
        name, tax_id = cells.get("company_name", ""), cells.get("tax_id", "") or None
        plan = self.companies.get(slug)
        if plan is None:
            self.companies[slug] = self._company_plan(line, slug, name or raw, tax_id, bool(name))
        else:
            self._company_conflicts(line, plan, name, tax_id)
        return slug

    def _slug(self, line: int, raw: str) -> str:
        """The company a cell names: a stored slug, a stored name (any case), a name whose slug matches a stored
        or planned company's (accents and punctuation aside), else a new slug made from the cell."""
        text = raw.strip()
        if text.lower() in self.stored:
            return text.lower()
        if text.lower() in self.by_lower_name:
            return self.by_lower_name[text.lower()]
        found = self.by_name_slug.get(slugify(raw))
        return found if found is not None else normalize_slug(raw, row=line)

    def _company_plan(self, line: int, slug: str, name: str, tax_id: str | None, named: bool) -> _CompanyPlan:
        stored = self.stored.get(slug)
        if stored is None:
            self.by_name_slug.setdefault(slugify(name), slug)
            return _CompanyPlan(Company(slug, name, tax_id), "added", line)
        wanted = Company(slug, name if named else stored.name, tax_id or stored.tax_id, stored.notes)
        self.by_name_slug.setdefault(slugify(wanted.name), slug)
        same = (wanted.name, wanted.tax_id) == (stored.name, stored.tax_id)
        return _CompanyPlan(wanted, "unchanged" if same else "updated", line)

    def _company_conflicts(self, line: int, plan: _CompanyPlan, name: str, tax_id: str | None) -> None:
        company = plan.company
        if name and name != company.name:
            self.warnings.append(f"line {line}: company {company.slug!r} is named {company.name!r} on line "
                                 f"{plan.line}; keeping that name")
        if tax_id and company.tax_id and tax_id != company.tax_id:
            self.warnings.append(f"line {line}: company {company.slug!r} has tax id {company.tax_id!r} on line "
                                 f"{plan.line}; keeping that one")

    # -- outcome --
    def writes(self) -> bool:
        return any(change != "unchanged" for _, change in self.accounts) or any(
            p.used and p.change != "unchanged" for p in self.companies.values())

    def apply(self) -> None:
        for plan in self.companies.values():
            if plan.used and plan.change != "unchanged":
                self.inventory.upsert_company(plan.company)
        for account, change in self.accounts:
            if change != "unchanged":
                self.inventory.upsert_account(account)

    def report(self, path: str, table: pd.DataFrame, dry_run: bool) -> ImportReport:
        used = [p for p in self.companies.values() if p.used]
        source = {k: v for k, v in table.attrs.items() if k in {"format", "encoding", "separator", "sheet",
                                                                 "header_line"}}
        return ImportReport(
            path=path, dry_run=dry_run, rows=self.results, source=source,
            rejected=sorted(self.rejected, key=lambda e: e.line),
            warnings=[*table.attrs.get("warnings", []), *self.warnings, *self._undetected_warning()],
            companies_added=[p.company.slug for p in used if p.change == "added"],
            companies_updated=[p.company.slug for p in used if p.change == "updated"])


    def _undetected_warning(self) -> list[str]:
        if not self.undetected:
            return []
        lines = ", ".join(map(str, self.undetected[:_LISTED])) + (" ..." if len(self.undetected) > _LISTED else "")
        return [f"{len(self.undetected)} accounts (lines {lines}): the provider was not detected because DNS did not "
                "answer; they are stored as 'undetected': run `mailkit account detect` when DNS answers, or give "
                "the provider column"]


_LISTED = 10


def _shape_errors(line: int, cells: dict[str, str]) -> list[RowError]:
    """Every field that is malformed on its own, so one pass shows all of a row's problems."""
    checks = {
        "email": lambda v: normalize_email(v, row=line),
        "auth": lambda v: normalize_auth(v, line),
        "security": lambda v: normalize_security(v, line),
        "smtp_port": lambda v: normalize_port(v, "smtp_port", line),
        "imap_port": lambda v: normalize_port(v, "imap_port", line),
        "imap_security": lambda v: normalize_imap_security(v, line),
        "from_addresses": lambda v: [normalize_email(a, "from_addresses", line) for a in split_list(v)],
        "ca_file": lambda v: normalize_ca_file(v, line),
    }
    errors = []
    if not cells.get("email"):
        errors.append(RowError(line, "email", "", "empty: every row needs the account's email address"))
    for name, check in checks.items():
        if cells.get(name):
            try:
                check(cells[name])
            except ValidationError as exc:
                errors.append(_row_error(line, exc, cells))
    if cells.get("provider"):
        try:
            provider(cells["provider"])
        except UsageError as exc:
            errors.append(RowError(line, "provider", cells["provider"], str(exc)))
    return errors


def _row_error(line: int, exc: ValidationError, cells: dict[str, str]) -> RowError:
    value = exc.value if exc.value is not None else cells.get(exc.field, "")
    return RowError(line, exc.field, value, exc.reason)


def _changed(old: Account, new: Account) -> tuple[str, ...]:
    return tuple(name for name in CONTENT_FIELDS if getattr(old, name) != getattr(new, name))


# --- export --------------------------------------------------------------------------------
def export_accounts(inventory: Inventory, path: str | Path, *, company: str | None = None) -> int:
    """Write the accounts (one company's, or all) to .csv/.tsv (UTF-8 with BOM) or .xlsx; returns the count.

    The columns are the import's English names, so an export imports back as "unchanged".
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".tsv", ".xlsx"}:
        raise UsageError(f"{path.name}: export writes .csv, .tsv or .xlsx")
    companies = {c.slug: c for c in inventory.companies()}
    rows = [export_row(a, companies.get(a.company)) for a in inventory.accounts(company)]
    with private_output(path) as temporary:
        if suffix == ".xlsx":
            _write_xlsx(temporary, rows)
        else:
            _write_csv(temporary, rows, "\t" if suffix == ".tsv" else ",")
    return len(rows)


def export_row(account: Account, company: Company | None) -> dict[str, str | int]:
    """One account as the export's columns; lists joined with '; '. Holds no secret: accounts have none."""
    return {
        "company": account.company, "company_name": company.name if company else "",
        "email": account.email, "display_name": account.display_name,
        "auth": account.auth.replace("_", "-"), "provider": account.provider,
        "smtp_host": account.smtp_host, "smtp_port": account.smtp_port, "security": account.security,
        "imap_host": account.imap_host, "imap_port": account.imap_port,
        "imap_security": account.imap_security, "login": account.login or "",
        "tags": "; ".join(account.tags), "notes": account.notes,
        "tax_id": (company.tax_id or "") if company else "", "from_addresses": "; ".join(account.from_addresses),
        "ca_file": account.ca_file,
    }


def _exported(value: str | int) -> str | int:
    """A cell with control characters shown escaped (a name from a file may carry terminal escapes)."""
    return for_export(value) if isinstance(value, str) else value


def _write_csv(path: Path, rows: list[dict[str, str | int]], separator: str) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=separator, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([quote_formula(_exported(row[name])) for name in EXPORT_COLUMNS] for row in rows)


def _write_xlsx(path: Path, rows: list[dict[str, str | int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "accounts"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_exported(row[name]) for name in EXPORT_COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # text starting with '=' stays text, never a formula
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{len(rows) + 1}"
    for index, name in enumerate(EXPORT_COLUMNS, start=1):
        longest = max([len(name), *(len(str(row[name])) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, 60)
    book.save(path)


__all__ = ["CONTENT_FIELDS", "ImportReport", "RowError", "RowResult", "export_accounts", "export_row",
           "import_accounts", "read_table"]

"""What an import did (or, in a dry run, would do): per row, per company, and a short text for people."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mailkit.i18n import N_, ngettext, text
from mailkit.secrets.redaction import redact

RowChange = Literal["added", "updated", "unchanged", "duplicate"]

_COUNTS = N_("added {added} · updated {updated} · unchanged {unchanged} · duplicates {duplicates} · "
             "rejected {rejected}")
_REJECTED = N_("rows rejected: {count}, nothing from them was stored; fix them and import the file again "
               "(accepted rows are not affected)")
_MAX_LISTED = 10


@dataclass(frozen=True)
class RowError:
    """One rejected field of one row: the line as the spreadsheet shows it, the field, its value, why."""

    line: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return redact(f"line {self.line}: {self.field}: {self.reason}")

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "value": redact(self.value), "reason": redact(self.reason)}


@dataclass(frozen=True)
class RowResult:
    """What happened to one accepted row; `fields` lists what an update changes."""

    line: int
    email: str
    company: str
    change: RowChange
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fields": list(self.fields)}


@dataclass
class ImportReport:
    """The outcome of `import_accounts`; a dry run's report is the same as the real run's would be."""

    path: str
    dry_run: bool = False
    rows: list[RowResult] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    companies_added: list[str] = field(default_factory=list)
    companies_updated: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)

    def _count(self, change: RowChange) -> int:
        return sum(1 for row in self.rows if row.change == change)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def rejected_lines(self) -> list[int]:
        """The lines with at least one rejected field, in order."""
        return sorted({error.line for error in self.rejected})

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def exit_code(self) -> int:
        """The command line's code: 0 when every row was accepted, 1 when some were rejected."""
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path, "dry_run": self.dry_run, "added": self.added, "updated": self.updated,
            "unchanged": self.unchanged, "duplicates": self.duplicates, "rejected_rows": len(self.rejected_lines),
            "companies_added": list(self.companies_added), "companies_updated": list(self.companies_updated),
            "rows": [row.to_dict() for row in self.rows], "rejected": [e.to_dict() for e in self.rejected],
            "warnings": [redact(w) for w in self.warnings], "source": dict(self.source),
        }

    def summary(self, lang: str = "en") -> str:
        """A few lines for the admin: counts, companies, what updates change, warnings (not the rejected rows:
        print those from `rejected`)."""
        rejected, total = len(self.rejected_lines), len(self.rows) + len(self.rejected_lines)
        lines = [ngettext(lang, "{file}: {rows} account row", "{file}: {rows} account rows", total).format(
                     file=self.path, rows=total),
                 "  " + text(lang, _COUNTS, added=self.added, updated=self.updated, unchanged=self.unchanged,
                             duplicates=self.duplicates, rejected=rejected)]
        if self.companies_added:
            lines.append("  " + text(lang, "companies added: {names}", names=", ".join(self.companies_added)))
        if self.companies_updated:
            lines.append("  " + text(lang, "companies updated: {names}", names=", ".join(self.companies_updated)))
        updates = [row for row in self.rows if row.change == "updated"]
        lines += ["  " + text(lang, "{email} (line {line}): {fields}", email=r.email, line=r.line,
                              fields=", ".join(r.fields)) for r in updates[:_MAX_LISTED]]
        if len(updates) > _MAX_LISTED:
            lines.append("  " + text(lang, "... and {count} more", count=len(updates) - _MAX_LISTED))
        if rejected:
            lines.append("  " + text(lang, _REJECTED, count=rejected))
        lines += ["  " + text(lang, "warning: {warning}", warning=w) for w in self.warnings]
        if self.dry_run:
            lines.append("  " + text(lang, "dry run: nothing was written"))
        return redact("\n".join(lines))


__all__ = ["ImportReport", "RowChange", "RowError", "RowResult"]

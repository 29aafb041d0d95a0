"""What an import did (or, in a dry run, would do): per row, per company, and a short text for people."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mailkit.secrets.redaction import redact

RowChange = Literal["added", "updated", "unchanged", "duplicate"]

_TEXTS = {
    "en": {"head": "{file}: {rows} account rows", "dry": "dry run: nothing was written",
           "counts": "added {added} · updated {updated} · unchanged {unchanged} · duplicates {duplicates} · "
                     "rejected {rejected}",
           "companies": "companies added: {0}", "companies_updated": "companies updated: {0}",
           "update": "  {email} (line {line}): {fields}", "more": "  ... and {0} more",
           "rejected": "rows rejected: {0}, nothing from them was stored; fix them and import the file "
                       "again (accepted rows are not affected)",
           "warning": "warning: {0}"},
    "es": {"head": "{file}: {rows} filas de cuentas", "dry": "simulación: no se escribió nada",
           "counts": "añadidas {added} · actualizadas {updated} · sin cambios {unchanged} · duplicadas {duplicates} · "
                     "rechazadas {rejected}",
           "companies": "empresas añadidas: {0}", "companies_updated": "empresas actualizadas: {0}",
           "update": "  {email} (línea {line}): {fields}", "more": "  ... y {0} más",
           "rejected": "filas rechazadas: {0}, no se guardó nada de ellas; corríjalas e importe el archivo "
                       "de nuevo (las filas aceptadas no se ven afectadas)",
           "warning": "aviso: {0}"},
    "pl": {"head": "{file}: {rows} wierszy kont", "dry": "próba: niczego nie zapisano",
           "counts": "dodane {added} · zmienione {updated} · bez zmian {unchanged} · duplikaty {duplicates} · "
                     "odrzucone {rejected}",
           "companies": "dodane firmy: {0}", "companies_updated": "zmienione firmy: {0}",
           "update": "  {email} (wiersz {line}): {fields}", "more": "  ... i {0} więcej",
           "rejected": "odrzucone wiersze: {0}, nic z nich nie zapisano; popraw je i zaimportuj plik "
                       "ponownie (przyjęte wiersze pozostają bez zmian)",
           "warning": "uwaga: {0}"},
}
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
        text = _TEXTS.get(lang, _TEXTS["en"])
        rejected = len(self.rejected_lines)
        lines = [text["head"].format(file=self.path, rows=len(self.rows) + rejected),
                 "  " + text["counts"].format(added=self.added, updated=self.updated, unchanged=self.unchanged,
                                               duplicates=self.duplicates, rejected=rejected)]
        if self.companies_added:
            lines.append("  " + text["companies"].format(", ".join(self.companies_added)))
        if self.companies_updated:
            lines.append("  " + text["companies_updated"].format(", ".join(self.companies_updated)))
        updates = [row for row in self.rows if row.change == "updated"]
        lines += [text["update"].format(email=r.email, line=r.line, fields=", ".join(r.fields))
                  for r in updates[:_MAX_LISTED]]
        if len(updates) > _MAX_LISTED:
            lines.append(text["more"].format(len(updates) - _MAX_LISTED))
        if rejected:
            lines.append("  " + text["rejected"].format(rejected))
        lines += ["  " + text["warning"].format(w) for w in self.warnings]
        if self.dry_run:
            lines.append("  " + text["dry"])
        return redact("\n".join(lines))


__all__ = ["ImportReport", "RowChange", "RowError", "RowResult"]

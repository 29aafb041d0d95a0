"""CSV / Excel import and export of the inventory: reading the files admins have, their column names
in three languages, and what an import did.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.tabular.accounts import export_accounts, import_accounts
    from mailkit.tabular.read import FORMULA_START, quote_formula

_SOURCES: dict[str, list[str]] = {
    "accounts": ["export_accounts", "import_accounts"],
    "read": ["FORMULA_START", "quote_formula"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = [
    "FORMULA_START", "export_accounts", "import_accounts", "quote_formula"
]

"""mailkit: set up, check and audit the mail accounts (Gmail, Google Workspace, Microsoft 365, any SMTP/IMAP
server) that client companies' business software sends invoices and other mail through.

The public API, for scripts and notebooks::

    import mailkit

    workspace = mailkit.Workspace()                                   # ~/.mailkit, or MAILKIT_HOME
    with mailkit.Inventory.open(workspace) as inventory:
        mailkit.import_accounts(inventory, "clientes.csv")
    summary = mailkit.audit_accounts(workspace, mailkit.Selection(company="empresa"),
                                     mailkit.AuditOptions(send_test=True))   # or `await mailkit.run_audit(...)`
    print(mailkit.report_status(workspace))                           # a DataFrame: status, cause, remedy

Each name is imported from its module the first time it is used, so `import mailkit` costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mailkit.audit import Audit, AuditOptions, AuditResult, AuditSummary, Selection, run_audit
    from mailkit.audit import audit as audit_accounts
    from mailkit.checks import CheckResult, SendOptions, check_account, check_imap_account
    from mailkit.diagnose import Diagnosis, classify_reply, diagnosis_for
    from mailkit.errors import MailkitError
    from mailkit.inventory import Inventory
    from mailkit.models import Account, Company, build_account
    from mailkit.reports import export as export_report
    from mailkit.reports import status as report_status
    from mailkit.secrets import redact, secret_store, set_account_secret
    from mailkit.status import Status
    from mailkit.tabular import export_accounts, import_accounts
    from mailkit.twostep import check_twostep
    from mailkit.workspace import Workspace

_SOURCES: dict[str, list[str]] = {
    "audit": ["Audit", "AuditOptions", "AuditResult", "AuditSummary", "Selection", "run_audit"],
    "checks": ["CheckResult", "SendOptions", "check_account", "check_imap_account"],
    "diagnose": ["Diagnosis", "classify_reply", "diagnosis_for"],
    "errors": ["MailkitError"],
    "inventory": ["Inventory"],
    "models": ["Account", "Company", "build_account"],
    "secrets": ["redact", "secret_store", "set_account_secret"],
    "status": ["Status"],
    "tabular": ["export_accounts", "import_accounts"],
    "twostep": ["check_twostep"],
    "workspace": ["Workspace"],
}
#: Public names that differ from their module's: `mailkit.audit` is the module once it is imported, and reports'
#: `status` and `export` would be ambiguous here.
_RENAMED = {"audit_accounts": ("audit", "audit"), "report_status": ("reports", "status"),
            "export_report": ("reports", "export")}

_lazy_getattr, _lazy_dir = lazy_exports(__name__, _SOURCES)


def __getattr__(name: str) -> object:
    if name in _RENAMED:
        import importlib

        module, attribute = _RENAMED[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    return _lazy_getattr(name)


def __dir__() -> list[str]:
    return sorted({*_lazy_dir(), *_RENAMED})


__all__ = [
    "Account", "Audit", "AuditOptions", "AuditResult", "AuditSummary", "CheckResult", "Company", "Diagnosis",
    "Inventory", "MailkitError", "Selection", "SendOptions", "Status", "Workspace", "audit_accounts", "build_account",
    "check_account", "check_imap_account", "check_twostep", "classify_reply", "diagnosis_for", "export_accounts",
    "export_report", "import_accounts", "redact", "report_status", "run_audit", "secret_store",
    "set_account_secret",
]

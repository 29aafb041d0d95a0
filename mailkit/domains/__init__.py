"""Mail authentication of the company domains: MX, SPF, DKIM and DMARC, each with a cause and the record to
publish, in English, Spanish and Polish.

    from mailkit.domains import check_domains, domains_frame
    reports = check_domains(workspace, company="ferreteria-delnorte")   # `await check_domains_async(...)` in Jupyter
    frame = domains_frame(reports, lang="es")

Modules: `lookups` (DNS, faults as values), `spf`, `dkim`, `dmarc`, `mx` (one check each), `tags` (the tag
lists DKIM and DMARC share), `findings` (the statuses and report types), `runner` (which domains, concurrency,
deadline), `frame` (the DataFrame), the words in mailkit's catalogue (mailkit.i18n).

The names below are imported from their modules on first use (`mailkit.lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.domains.findings import DOMAIN_STATUSES, DomainReport, Finding
    from mailkit.domains.frame import column_names, domains_frame
    from mailkit.domains.runner import PERSONAL_DOMAINS, check_domains, check_domains_async

_SOURCES: dict[str, list[str]] = {
    "findings": ["DOMAIN_STATUSES", "DomainReport", "Finding"],
    "frame": ["column_names", "domains_frame"],
    "runner": ["check_domains", "check_domains_async", "PERSONAL_DOMAINS"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["DOMAIN_STATUSES", "DomainReport", "Finding", "PERSONAL_DOMAINS", "check_domains", "check_domains_async",
    "column_names", "domains_frame"]

"""Mail authentication of the company domains: MX, SPF, DKIM and DMARC, each with a cause and the record to
publish, in English, Spanish and Polish.

    from mailkit.domains import check_domains, domains_frame
    reports = check_domains(workspace, company="ferreteria-delnorte")   # `await check_domains_async(...)` in Jupyter
    frame = domains_frame(reports, lang="es")

Modules: `lookups` (DNS, faults as values), `spf`, `dkim`, `dmarc`, `mx` (one check each), `tags` (the tag
lists DKIM and DMARC share), `findings` (the statuses and report types), `runner` (which domains, concurrency,
deadline), `frame` (the DataFrame), `texts` (every word, en/es/pl).
"""

from __future__ import annotations

from mailkit.domains.findings import DOMAIN_STATUSES, DomainReport, Finding
from mailkit.domains.frame import domains_frame
from mailkit.domains.runner import PERSONAL_DOMAINS, check_domains, check_domains_async

__all__ = ["DOMAIN_STATUSES", "PERSONAL_DOMAINS", "DomainReport", "Finding", "check_domains", "check_domains_async",
           "domains_frame"]

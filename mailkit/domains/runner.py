"""Check the mail authentication of every company domain in the inventory, concurrently, within a deadline.

    reports = await check_domains_async(workspace, company="sklep-nowak")
    reports = check_domains(workspace)          # the same from plain (non-async) code

Personal mailbox domains (gmail.com, outlook.com, ...) belong to their provider, not to the company:
they are never checked. Each domain's four checks run at once; what has not finished when the deadline
passes is a `dns_error` finding, so a domain whose DNS never answers costs one deadline and nothing more.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass

from mailkit.domains.dkim import check_dkim
from mailkit.domains.dmarc import check_dmarc
from mailkit.domains.findings import DNS_ERROR, DomainReport, Finding
from mailkit.domains.lookups import Lookups
from mailkit.domains.mx import check_mx, provider_from_mx
from mailkit.domains.spf import check_spf
from mailkit.i18n import N_
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.syncio import run_sync
from mailkit.workspace import Workspace

#: Domains of personal mailboxes: the provider's, never a company's to fix.
PERSONAL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.es",
    "hotmail.es", "live.com.mx", "yahoo.com", "yahoo.com.mx", "yahoo.es", "icloud.com", "me.com", "aol.com",
    "proton.me", "protonmail.com", "gmx.com", "wp.pl", "o2.pl", "onet.pl", "interia.pl", "op.pl",
})
_PROVIDERS = {"gmail": "google", "workspace": "google", "microsoft365": "microsoft", "custom": "custom"}
DEFAULT_TIMEOUT = 3.0  # one DNS question
DEFAULT_DEADLINE = 15.0  # one domain, all its checks and SPF includes
DEFAULT_CONCURRENCY = 64


@dataclass(frozen=True)
class DomainTarget:
    """One domain to check: the companies whose accounts use it, their provider ("" = decide from the MX),
    and the SMTP host a custom server's accounts send through."""

    domain: str
    companies: tuple[str, ...]
    provider: str
    smtp_host: str = ""


def targets(accounts: Iterable[Account]) -> list[DomainTarget]:
    """The company domains among the accounts, each with its most common provider, sorted by domain."""
    grouped: dict[str, list[Account]] = defaultdict(list)
    for account in accounts:
        domain = account.domain.strip().lower()
        if domain and domain not in PERSONAL_DOMAINS:
            grouped[domain].append(account)
    found = []
    for domain, group in sorted(grouped.items()):
        provider = Counter(_PROVIDERS.get(a.provider, "") for a in group).most_common(1)[0][0]
        hosts = [a.smtp_host for a in group if a.provider == "custom" and a.smtp_host]
        found.append(DomainTarget(domain, tuple(sorted({a.company for a in group})), provider,
                                  hosts[0] if hosts else ""))
    return found


async def check_target(lookups: Lookups, target: DomainTarget, deadline: float = DEFAULT_DEADLINE) -> DomainReport:
    """The four findings for one domain; a check still waiting on DNS at the deadline is a dns_error."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    provider = target.provider
    if not provider:  # undetected accounts: the MX decides, as account detection would
        answer = await _bounded(lookups.mx(target.domain), end - loop.time())
        provider = provider_from_mx(target.domain, answer.records) if answer and not answer.failed else "custom"
    checks = {"mx": check_mx(lookups, target.domain, provider),
              "spf": check_spf(lookups, target.domain, provider, target.smtp_host),
              "dkim": check_dkim(lookups, target.domain, provider),
              "dmarc": check_dmarc(lookups, target.domain)}
    results = await asyncio.gather(*(_bounded(c, end - loop.time()) for c in checks.values()))
    findings = tuple(found or _late(name, target.domain, deadline)
                     for name, found in zip(checks, results, strict=True))
    return DomainReport(target.domain, provider, target.companies, findings)


async def _bounded(work: Awaitable, seconds: float) -> object | None:
    try:
        return await asyncio.wait_for(work, max(seconds, 0.001))
    except TimeoutError:
        return None


def _late(check: str, domain: str, deadline: float) -> Finding:
    return Finding(check, DNS_ERROR, N_("DNS did not answer the {check} questions for {domain} within {seconds} s."),
                   N_("Ask whoever hosts the domain's DNS to fix its name servers, then run the check again."),
                   {"check": check.upper(), "domain": domain, "seconds": f"{deadline:g}"},
                   details={"fault": "deadline"})


async def check_targets(found: list[DomainTarget], *, timeout: float = DEFAULT_TIMEOUT,
                        deadline: float = DEFAULT_DEADLINE, concurrency: int = DEFAULT_CONCURRENCY
                        ) -> list[DomainReport]:
    """Check many domains at once (at most `concurrency` at a time), sharing one answer per DNS question."""
    lookups = Lookups(timeout)
    gate = asyncio.Semaphore(concurrency)

    async def one(target: DomainTarget) -> DomainReport:
        async with gate:
            return await check_target(lookups, target, deadline)

    try:
        return list(await asyncio.gather(*(one(t) for t in found)))
    finally:
        lookups.close()


async def check_domains_async(workspace: Workspace | None = None, company: str | None = None, **options: float
                              ) -> list[DomainReport]:
    """Check every company domain of the inventory (or of one company): MX, SPF, DKIM and DMARC."""
    with Inventory.open(workspace or Workspace()) as inventory:
        slug = inventory.company(company).slug if company else None
        accounts = inventory.accounts(company=slug)
    return await check_targets(targets(accounts), **options)


def check_domains(workspace: Workspace | None = None, company: str | None = None, **options: float
                  ) -> list[DomainReport]:
    """`check_domains_async` for plain scripts; inside Jupyter use `await check_domains_async(...)`."""
    return run_sync(check_domains_async(workspace, company, **options))


__all__ = ["DEFAULT_DEADLINE", "DEFAULT_TIMEOUT", "PERSONAL_DOMAINS", "DomainTarget", "check_domains",
           "check_domains_async", "check_target", "check_targets", "targets"]

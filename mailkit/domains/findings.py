"""What a domain check found: one `Finding` per check (mx, spf, dkim, dmarc), four per `DomainReport`.

Domain findings speak their own small vocabulary, apart from the account statuses in mailkit.status
(an account's `ok` means a real sign-in; a domain's `ok` means a record that does its job):

    ok         the record is there and does its job
    warning    it works, but protects less than it should (`?all`, `p=none`, no `rua`, one of two DKIM keys)
    missing    no record where receivers look for one
    invalid    a record is there but receivers will ignore it or it harms (two SPF records, `+all`,
               more than 10 SPF lookups, a DKIM key under 1024 bits, a DMARC record without a policy)
    dns_error  DNS could not answer (timeout, SERVFAIL, REFUSED): the same word as the account status
    unchecked  mailkit cannot know what to look for (the DKIM selector of a custom server)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mailkit.i18n import N_, text

OK, WARNING, MISSING, INVALID, DNS_ERROR, UNCHECKED = "ok", "warning", "missing", "invalid", "dns_error", "unchecked"
#: Every domain finding status, mildest first: a domain's status is its worst finding's.
DOMAIN_STATUSES = (OK, UNCHECKED, WARNING, DNS_ERROR, MISSING, INVALID)
CHECKS = ("mx", "spf", "dkim", "dmarc")


@dataclass(frozen=True)
class Finding:
    """One check of one domain: its status, the cause and remedy (English msgids with `args`), what DNS held,
    and the exact record to publish (`publish` at `publish_name`) when mailkit can say it."""

    check: str
    status: str
    cause_id: str
    remedy_id: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    found: tuple[str, ...] = ()
    publish_name: str = ""
    publish: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def cause(self, lang: str = "en") -> str:
        return text(lang, self.cause_id, **self._args())

    def remedy(self, lang: str = "en") -> str:
        return text(lang, self.remedy_id, **self._args()) if self.remedy_id else ""

    def _args(self) -> dict[str, Any]:
        return {"name": self.publish_name, "record": self.publish, **self.args}

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class DomainReport:
    """The four findings for one company domain, with the companies and provider it was checked for."""

    domain: str
    provider: str
    companies: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def status(self) -> str:
        """The worst finding's status."""
        return max((f.status for f in self.findings), key=DOMAIN_STATUSES.index, default=OK)

    def finding(self, check: str) -> Finding:
        return next(f for f in self.findings if f.check == check)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """Plain data for JSON: every finding with its cause and remedy in `lang`."""
        return {"domain": self.domain, "provider": self.provider, "companies": list(self.companies),
                "status": self.status,
                "findings": [{"check": f.check, "status": f.status, "cause": f.cause(lang), "remedy": f.remedy(lang),
                              "found": list(f.found), "publish_name": f.publish_name or None,
                              "publish": f.publish or None, "details": f.details} for f in self.findings]}




def dns_fault(check: str, answer: Any) -> Finding:
    """The finding for a lookup DNS could not answer: a fact about the domain's DNS, never an exception."""
    from mailkit.domains.lookups import SERVER_FAILURE, TIMEOUT

    cause = {TIMEOUT: N_("DNS did not answer for {queried} in time."),
             SERVER_FAILURE: N_("The DNS servers failed to answer for {queried} (SERVFAIL or REFUSED).")}.get(
        answer.fault, N_("No DNS server could be asked about {queried}."))
    return Finding(check, DNS_ERROR, cause, N_("Ask whoever hosts the domain's DNS to fix its name servers, "
                   "then run the check again."), args={"queried": answer.name},
                   details={"fault": answer.fault, "detail": answer.detail})


__all__ = ["CHECKS", "DNS_ERROR", "DOMAIN_STATUSES", "INVALID", "MISSING", "OK", "UNCHECKED", "WARNING",
           "DomainReport", "Finding", "dns_fault"]

"""DNS questions for the domain checks, answered once per run and never raised as exceptions.

A domain check asks many names (the domain's TXT and MX, `_dmarc`, the DKIM selectors, every SPF
`include:` target); many company domains share targets such as `_spf.google.com`. `Lookups` keeps one
answer per (name, type) for the run, asks concurrently, and turns every DNS fault into an `Answer` whose
`fault` says what happened, so one broken zone is a finding and never the end of the run.

dnspython's async resolver does the asking (MAILKIT_NAMESERVER="IP[:PORT]" as for account detection).
checkdmarc was weighed and left out: it is synchronous (no deadline can cancel a question), keeps one
process-wide DNS cache keyed without the nameserver (a notebook that switches servers reads stale answers),
its SPF parser resolves includes itself (so its parsers cannot run on these lookups), and it would add
pyleri, publicsuffixlist, xmltodict, pem and expiringdict to the install.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.resolver

from mailkit.providers import dns_resolver as make_resolver

#: Faults a lookup can end in; the texts say each one in the admin's words.
TIMEOUT, SERVER_FAILURE, NO_NAMESERVER = "timeout", "server_failure", "no_nameserver"


@dataclass(frozen=True)
class Answer:
    """What DNS said about one name and type.

    `records` holds the answer's text (TXT strings joined as RFC 7208 says, MX as "PREF HOST").
    `exists` is False after NXDOMAIN; `fault` is set when DNS could not answer at all.
    """

    name: str
    rdtype: str
    records: tuple[str, ...] = ()
    exists: bool = True
    fault: str = ""
    detail: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.fault)


@dataclass
class Lookups:
    """One resolver and one answer per (name, type) for a run; `timeout` bounds every single question."""

    timeout: float = 3.0
    _resolver: object | None = None
    _setup_fault: str = ""
    _pending: dict[tuple[str, str], asyncio.Task[Answer]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            self._resolver = make_resolver(dns.asyncresolver.Resolver, self.timeout)
        except (dns.exception.DNSException, OSError, ValueError) as exc:  # no resolv.conf, a bad MAILKIT_NAMESERVER
            self._setup_fault = f"{type(exc).__name__}: {exc}"

    async def txt(self, name: str) -> Answer:
        return await self.ask(name, "TXT")

    async def mx(self, name: str) -> Answer:
        return await self.ask(name, "MX")

    async def ask(self, name: str, rdtype: str) -> Answer:
        """The answer for (name, type): asked once per run, shared by every check that needs it."""
        key = (name.rstrip(".").lower(), rdtype)
        if key not in self._pending:
            self._pending[key] = asyncio.ensure_future(self._resolve(*key))
        return await asyncio.shield(self._pending[key])

    async def _resolve(self, name: str, rdtype: str) -> Answer:
        if self._resolver is None:
            return Answer(name, rdtype, fault=NO_NAMESERVER, detail=self._setup_fault)
        try:
            answer = await self._resolver.resolve(name, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return Answer(name, rdtype, exists=False)
        except dns.resolver.NoAnswer:
            return Answer(name, rdtype)
        except dns.resolver.NoNameservers as exc:  # SERVFAIL or REFUSED from every server
            return Answer(name, rdtype, fault=SERVER_FAILURE, detail=_short(exc))
        except dns.exception.Timeout as exc:
            return Answer(name, rdtype, fault=TIMEOUT, detail=_short(exc))
        except (dns.exception.DNSException, OSError) as exc:  # a broken answer, no network
            return Answer(name, rdtype, fault=SERVER_FAILURE, detail=f"{type(exc).__name__}: {_short(exc)}")
        return Answer(name, rdtype, tuple(_text(record, rdtype) for record in answer))

    def close(self) -> None:
        """Cancel questions still in flight (a run's deadline passed)."""
        for task in self._pending.values():
            task.cancel()


def _text(record: object, rdtype: str) -> str:
    if rdtype == "TXT":  # one TXT record may be split into 255-byte strings: they join with nothing between
        return b"".join(record.strings).decode("utf-8", "replace")
    if rdtype == "MX":
        return f"{record.preference} {str(record.exchange).rstrip('.').lower()}"
    return record.to_text()


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


__all__ = ["NO_NAMESERVER", "SERVER_FAILURE", "TIMEOUT", "Answer", "Lookups"]

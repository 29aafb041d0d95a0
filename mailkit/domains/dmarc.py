"""DMARC (RFC 7489): the `_dmarc` record, its policy, alignment and where reports go.

Since February 2024 Gmail wants a DMARC record from bulk senders (p=none is enough for that);
`p=none` only watches, `quarantine` and `reject` protect the domain from forgery. Without `rua`
nobody receives the reports that say whether the company's own mail passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailkit.domains.findings import INVALID, MISSING, OK, WARNING, Finding, dns_fault
from mailkit.domains.lookups import Lookups
from mailkit.domains.tags import TagSyntaxError, parse_tags
from mailkit.i18n import N_

POLICIES = ("none", "quarantine", "reject")
ALIGNMENTS = ("r", "s")


class DmarcSyntaxError(ValueError):
    """A DMARC record receivers would discard."""


@dataclass(frozen=True)
class DmarcRecord:
    """The tags that decide what receivers do; `tags` keeps them all, in order."""

    policy: str
    subdomain_policy: str
    adkim: str
    aspf: str
    rua: tuple[str, ...]
    pct: int
    tags: dict[str, str]

    def with_tags(self, **changes: str) -> str:
        """The record text with some tags set (added after the existing ones, `v` and `p` first)."""
        tags = {"v": "DMARC1", "p": self.policy, **{k: v for k, v in self.tags.items() if k not in {"v", "p"}},
                **changes}
        return "; ".join(f"{k}={v}" for k, v in tags.items())


def is_dmarc(text: str) -> bool:
    return text.replace(" ", "")[:9].lower() == "v=dmarc1;" or text.strip().lower() == "v=dmarc1"


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse one DMARC record; `DmarcSyntaxError` says which tag receivers would choke on."""
    try:
        tags = parse_tags(text)
    except TagSyntaxError as exc:
        raise DmarcSyntaxError(str(exc)) from exc
    if next(iter(tags), None) != "v" or tags["v"] != "DMARC1":
        raise DmarcSyntaxError("the record must start with v=DMARC1")
    policy = tags.get("p", "").lower()
    if policy not in POLICIES:
        raise DmarcSyntaxError(f"p={tags.get('p', '')!r}: choose none, quarantine or reject" if "p" in tags
                               else "no p= tag: the policy is missing")
    return DmarcRecord(policy, _choice(tags, "sp", POLICIES, policy), _choice(tags, "adkim", ALIGNMENTS, "r"),
                       _choice(tags, "aspf", ALIGNMENTS, "r"), _uris(tags.get("rua", "")), _pct(tags), tags)


def _choice(tags: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = tags.get(name, default).lower()
    if value not in allowed:
        raise DmarcSyntaxError(f"{name}={tags[name]!r}: choose {' or '.join(allowed)}")
    return value


def _uris(value: str) -> tuple[str, ...]:
    uris = tuple(u.strip() for u in value.split(",") if u.strip())
    for uri in uris:
        if ":" not in uri:
            raise DmarcSyntaxError(f"rua {uri!r} is not a URI (mailto:address)")
    return uris


def _pct(tags: dict[str, str]) -> int:
    raw = tags.get("pct", "100")
    if not raw.isdigit() or not 0 <= int(raw) <= 100:
        raise DmarcSyntaxError(f"pct={raw!r}: a whole number from 0 to 100")
    return int(raw)


def recommended(domain: str, policy: str = "none") -> str:
    return f"v=DMARC1; p={policy}; rua=mailto:dmarc-reports@{domain}"


async def check_dmarc(lookups: Lookups, domain: str) -> Finding:
    """The DMARC finding for a domain."""
    name = f"_dmarc.{domain}"
    answer = await lookups.txt(name)
    if answer.failed:
        return dns_fault("dmarc", answer)
    found = tuple(r for r in answer.records if is_dmarc(r))
    if found:
        return _checked(found, domain, name)
    parent = await _parent_record(lookups, domain)
    if isinstance(parent, Finding):
        return parent
    if parent:
        return _checked(parent[1], parent[0], f"_dmarc.{parent[0]}", sub=domain)
    return Finding("dmarc", MISSING, N_("{domain} has no DMARC record: receivers get no policy for forged mail, "
                   "and Gmail requires one from bulk senders."), N_("Publish this TXT record at {name}: {record} "
                   "(it only asks for reports; tighten it once they show your own mail passes)."), {"domain": domain},
                   answer.records, name, recommended(domain))


async def _parent_record(lookups: Lookups, domain: str) -> tuple[str, tuple[str, ...]] | Finding | None:
    """The nearest parent domain's DMARC records (a subdomain without its own follows them), if any."""
    labels = domain.split(".")
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        answer = await lookups.txt(f"_dmarc.{parent}")
        if answer.failed:
            return dns_fault("dmarc", answer)
        found = tuple(r for r in answer.records if is_dmarc(r))
        if found:
            return parent, found
    return None


def _checked(found: tuple[str, ...], domain: str, name: str, sub: str = "") -> Finding:
    args = {"domain": domain}
    if len(found) > 1:
        return Finding("dmarc", INVALID, N_("{name} holds {count} DMARC records: receivers ignore them all."),
                       N_("Keep a single DMARC record at {name}, for example: {record}"),
                       {**args, "count": len(found)}, found, name, recommended(domain))
    try:
        record = parse_dmarc(found[0])
    except DmarcSyntaxError as exc:
        return Finding("dmarc", INVALID, N_("The DMARC record of {domain} is broken ({error}): receivers ignore it."),
                       _REPLACE, {**args, "error": str(exc)}, found, name, recommended(domain))
    return _judge(record, domain, name, found, sub)


def _judge(record: DmarcRecord, domain: str, name: str, found: tuple[str, ...], sub: str = "") -> Finding:
    """A subdomain (`sub`) without a record of its own gets its parent's `sp=` (which defaults to `p=`)."""
    details = {"policy": record.policy, "subdomain_policy": record.subdomain_policy, "adkim": record.adkim,
               "aspf": record.aspf, "rua": list(record.rua), "pct": record.pct,
               "inherited_from": domain if sub else None}
    applies = record.subdomain_policy if sub else record.policy
    args = {"domain": domain, "policy": applies, "sub": sub}
    reports = record.rua or (f"mailto:dmarc-reports@{domain}",)
    if applies == "none":
        tag = "sp" if sub and "sp" in record.tags else "p"
        cause = (N_("{sub} follows the DMARC record of {domain}, whose policy for it is none: forged mail is still "
                 "delivered.") if sub else N_("The DMARC policy of {domain} is p=none: it only watches, forged mail "
                 "is still delivered."))
        return Finding("dmarc", WARNING, cause, N_("Once the reports show your own mail passes, replace the record "
                       "at {name} by: {record}"), args, found, name,
                       record.with_tags(**{tag: "quarantine"}, rua=",".join(reports)), details)
    if not record.rua:
        return Finding("dmarc", WARNING, N_("The DMARC record of {domain} asks for no reports (no rua): nobody "
                       "learns when mail fails authentication."), _REPLACE, args, found, name,
                       record.with_tags(rua=reports[0]), details)
    cause = (N_("{sub} follows the DMARC record of {domain}: policy {policy}, with reports.") if sub else
             N_("The DMARC policy of {domain} is p={policy}, with reports."))
    return Finding("dmarc", OK, cause, "", args, found, name, details=details)


_REPLACE = N_("Replace the DMARC record at {name} by: {record}")

__all__ = ["DmarcRecord", "DmarcSyntaxError", "check_dmarc", "is_dmarc", "parse_dmarc", "recommended"]

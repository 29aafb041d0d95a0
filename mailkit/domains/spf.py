"""SPF (RFC 7208): parse the domain's record, follow its includes, count its DNS lookups, judge it.

Receivers give up (permerror) on a domain with two SPF records or one that needs more than 10 DNS
lookups; `+all` lets anyone send as the domain and `?all` says nothing. The provider's servers must be
authorized: Google Workspace through `include:_spf.google.com`, Microsoft 365 through
`include:spf.protection.outlook.com`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from mailkit.domains.findings import INVALID, MISSING, OK, WARNING, Finding, dns_fault
from mailkit.domains.lookups import Answer, Lookups
from mailkit.i18n import N_

MAX_LOOKUPS = 10  # RFC 7208 4.6.4
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
LOOKUP_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
#: The include each provider's servers need, and the `all` its own setup guide publishes.
PROVIDER_INCLUDE = {"google": "_spf.google.com", "microsoft": "spf.protection.outlook.com"}
PROVIDER_ALL = {"google": "~all", "microsoft": "-all"}
_MODIFIER = re.compile(r"^([a-z][a-z0-9_.-]*)=(.*)$", re.IGNORECASE)
_MECHANISM = re.compile(r"^([+\-~?]?)([a-z0-9]+)(?:([:/])(.*))?$", re.IGNORECASE)


class SpfSyntaxError(ValueError):
    """The record breaks RFC 7208's grammar: receivers answer permerror."""


@dataclass(frozen=True)
class Term:
    """One mechanism (`qualifier` + `name` [:`value`]) or modifier (`name`=`value`, `qualifier` "=")."""

    qualifier: str
    name: str
    value: str = ""

    @property
    def modifier(self) -> bool:
        return self.qualifier == "="

    def __str__(self) -> str:
        if self.modifier:
            return f"{self.name}={self.value}"
        shown = "" if self.qualifier == "+" else self.qualifier
        return f"{shown}{self.name}{self.value}"


@dataclass(frozen=True)
class SpfRecord:
    """A parsed SPF record."""

    terms: tuple[Term, ...]

    def mechanisms(self, name: str) -> list[Term]:
        return [t for t in self.terms if not t.modifier and t.name == name]

    @property
    def includes(self) -> list[str]:
        return [t.value[1:] for t in self.mechanisms("include")]

    @property
    def redirect(self) -> str | None:
        found = [t.value for t in self.terms if t.modifier and t.name == "redirect"]
        return found[0] if found and not self.mechanisms("all") else None

    @property
    def all_qualifier(self) -> str | None:
        found = self.mechanisms("all")
        return found[0].qualifier if found else None

    @property
    def own_lookups(self) -> int:
        """DNS lookups this record's own terms cost (an ignored redirect costs none)."""
        mechanisms = sum(1 for t in self.terms if not t.modifier and t.name in LOOKUP_TERMS)
        return mechanisms + (1 if self.redirect else 0)

    def __str__(self) -> str:
        return " ".join(["v=spf1", *map(str, self.terms)])


def is_spf(text: str) -> bool:
    """Whether a TXT string is an SPF record (`v=spf1` alone or followed by a space)."""
    return text.lower() == "v=spf1" or text[:7].lower() == "v=spf1 "


def parse_spf(text: str) -> SpfRecord:
    """Parse one SPF record; `SpfSyntaxError` names the term receivers would choke on."""
    if not is_spf(text):
        raise SpfSyntaxError("the record does not start with v=spf1")
    terms = tuple(_term(token) for token in text.split()[1:])
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.modifier and t.name == name) > 1:
            raise SpfSyntaxError(f"{name}= appears more than once")
    return SpfRecord(terms)


def _term(token: str) -> Term:
    if modifier := _MODIFIER.match(token):
        name, value = modifier.group(1).lower(), modifier.group(2)
        if name in {"redirect", "exp"} and not value:
            raise SpfSyntaxError(f"{token!r}: {name}= needs a domain")
        return Term("=", name, value)
    mechanism = _MECHANISM.match(token)
    if not mechanism or mechanism.group(2).lower() not in MECHANISMS:
        raise SpfSyntaxError(f"{token!r} is not an SPF mechanism")
    qualifier, name = mechanism.group(1) or "+", mechanism.group(2).lower()
    sep, arg = mechanism.group(3) or "", mechanism.group(4) or ""
    _check_argument(token, name, sep, arg)
    return Term(qualifier, name, f"{sep}{arg}" if sep else "")


def _check_argument(token: str, name: str, sep: str, arg: str) -> None:
    if name == "all" and sep:
        raise SpfSyntaxError(f"{token!r}: all takes no argument")
    if name in {"include", "exists", "ip4", "ip6"} and (sep != ":" or not arg):
        raise SpfSyntaxError(f"{token!r}: {name} needs ':' and a value")
    if name in {"ip4", "ip6"}:
        try:
            network = ipaddress.ip_network(arg, strict=False)
        except ValueError as exc:
            raise SpfSyntaxError(f"{token!r}: not an IP address or network") from exc
        if network.version != int(name[-1]):
            raise SpfSyntaxError(f"{token!r}: an IPv{network.version} address under {name}")


@dataclass
class Walk:
    """What following a record's includes and redirect found."""

    lookups: int = 0
    seen: set[str] = field(default_factory=set)
    fault: Answer | None = None
    broken: str = ""  # an include/redirect target without exactly one valid SPF record
    loop: str = ""


async def walk(lookups: Lookups, record: SpfRecord, state: Walk | None = None, chain: tuple[str, ...] = ()) -> Walk:
    """Count the lookups the whole tree costs, following includes and redirect (stops once past the limit)."""
    state = state or Walk()
    state.lookups += record.own_lookups
    for target in [*record.includes, *([record.redirect] if record.redirect else [])]:
        if state.lookups > MAX_LOOKUPS or state.fault or state.broken:
            break
        if "%" in target:  # a macro is expanded per message: counted, not followed
            continue
        target = target.rstrip(".").lower()
        state.seen.add(target)
        if target in chain:
            state.loop = target
            continue
        answer = await lookups.txt(target)
        if answer.failed:
            state.fault = answer
            break
        found = [r for r in answer.records if is_spf(r)]
        if len(found) != 1:
            state.broken = target
            break
        try:
            nested = parse_spf(found[0])
        except SpfSyntaxError:
            state.broken = target
            break
        await walk(lookups, nested, state, (*chain, target))
    return state


def recommended(provider: str, smtp_host: str = "", current: SpfRecord | None = None) -> str:
    """The record to publish: the current one with the provider's include added and a safe `all`,
    or a fresh one naming the provider (a custom server: its SMTP host)."""
    include = PROVIDER_INCLUDE.get(provider)
    wanted_all = PROVIDER_ALL.get(provider, "~all")
    if current is None:
        sender = f"include:{include}" if include else (f"a:{smtp_host}" if smtp_host else "mx")
        return f"v=spf1 {sender} {wanted_all}"
    mechanisms = [str(t) for t in current.terms if not t.modifier and t.name != "all"]
    if include and f"include:{include}" not in mechanisms:
        mechanisms.append(f"include:{include}")
    redirect = current.redirect
    modifiers = [str(t) for t in current.terms if t.modifier and (t.name != "redirect" or redirect)]
    ending = [] if redirect else [f"{current.all_qualifier}all" if current.all_qualifier in {"~", "-"} else wanted_all]
    return " ".join(["v=spf1", *mechanisms, *ending, *modifiers])


async def check_spf(lookups: Lookups, domain: str, provider: str, smtp_host: str = "") -> Finding:
    """The SPF finding for a domain whose mail the `provider` ("google", "microsoft", "custom") sends."""
    answer = await lookups.txt(domain)
    if answer.failed:
        return dns_fault("spf", answer)
    found = tuple(r for r in answer.records if is_spf(r))
    base = {"publish_name": domain, "found": found}
    if not found:
        return Finding("spf", MISSING, N_("{domain} has no SPF record: receivers cannot tell which servers may send "
                       "its mail, and Gmail rejects or files as spam mail that has neither SPF nor DKIM."),
                       _PUBLISH, {"domain": domain}, publish=recommended(provider, smtp_host), **base)
    if len(found) > 1:
        return Finding("spf", INVALID, N_("{domain} has {count} SPF records: receivers treat that as a permanent "
                       "error and ignore them all."), _REPLACE_ALL, {"domain": domain, "count": len(found)},
                       publish=_first_fix(found, provider, smtp_host), **base)
    try:
        record = parse_spf(found[0])
    except SpfSyntaxError as exc:
        return Finding("spf", INVALID, N_("The SPF record of {domain} is broken ({error}): receivers ignore it."),
                       _REPLACE, {"domain": domain, "error": str(exc)},
                       publish=recommended(provider, smtp_host), details={"error": str(exc)}, **base)
    return await _judge(lookups, domain, provider, smtp_host, record, base)


async def _judge(lookups: Lookups, domain: str, provider: str, smtp_host: str, record: SpfRecord,
                 base: dict) -> Finding:
    state = await walk(lookups, record, chain=(domain.lower(),))
    details = {"lookups": state.lookups, "all": f"{record.all_qualifier}all" if record.all_qualifier else None,
               "includes": sorted(state.seen)}
    args = {"domain": domain, "count": state.lookups, "target": state.broken or state.loop}
    fix = recommended(provider, smtp_host, record)
    if state.fault:
        return dns_fault("spf", state.fault)
    if state.broken or state.loop:
        cause = (N_("The SPF record of {domain} includes {target}, which has no single valid SPF record: receivers "
                 "treat that as a permanent error.") if state.broken else
                 N_("The SPF record of {domain} includes itself through {target}: receivers treat that as a "
                 "permanent error."))
        return Finding("spf", INVALID, cause, _REPLACE, args, details=details, publish=fix, **base)
    if state.lookups > MAX_LOOKUPS:
        return Finding("spf", INVALID, N_("The SPF record of {domain} needs more than 10 DNS lookups; receivers "
                       "stop at 10 and treat the record as a permanent error."),
                       N_("Remove the includes of services that no longer send for {domain}, or replace them by their "
                       "ip4:/ip6: addresses, until at most 10 lookups remain."), args, details=details, **base)
    include = PROVIDER_INCLUDE.get(provider)
    if include and include not in state.seen:
        return Finding("spf", INVALID, N_("The SPF record of {domain} does not authorize {provider_servers}: mail "
                       "sent through them fails SPF."), _REPLACE, {**args, "provider_servers": include},
                       details=details, publish=fix, **base)
    return _judge_all(record, args, details, fix, base)


def _judge_all(record: SpfRecord, args: dict, details: dict, fix: str, base: dict) -> Finding:
    qualifier = record.all_qualifier
    if qualifier == "+":
        return Finding("spf", INVALID, N_("The SPF record of {domain} ends in +all: it lets any server in the world "
                       "send mail as {domain}."), _REPLACE, args, details=details, publish=fix, **base)
    if qualifier in {"?", None} and not record.redirect:
        return Finding("spf", WARNING, N_("The SPF record of {domain} ends in ?all or has no all: it says nothing "
                       "about servers it does not list, so forged mail is not flagged."), _REPLACE, args,
                       details=details, publish=fix, **base)
    cause = (N_("The SPF record of {domain} is valid (DNS lookups: {count}) and fails mail from servers it does not "
             "list.") if qualifier == "-" else N_("The SPF record of {domain} is valid (DNS lookups: {count}); ~all "
             "marks mail from other servers as suspicious."))
    return Finding("spf", OK, cause, args=args, details=details, **base)


def _first_fix(found: tuple[str, ...], provider: str, smtp_host: str) -> str:
    try:
        return recommended(provider, smtp_host, parse_spf(found[0]))
    except SpfSyntaxError:
        return recommended(provider, smtp_host)


_PUBLISH = N_("Publish this TXT record at {name}: {record}")
_REPLACE = N_("Replace the SPF record at {name} by: {record}")
_REPLACE_ALL = N_("Keep a single SPF record at {name} (merge the others into it), for example: {record}")

__all__ = ["MAX_LOOKUPS", "SpfRecord", "SpfSyntaxError", "Term", "check_spf", "is_spf", "parse_spf", "recommended",
           "walk"]

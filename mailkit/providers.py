"""Provider presets and detection of who hosts a domain's mail.

A Google Workspace domain must use smtp.gmail.com / imap.gmail.com — never a host guessed from
the domain (smtp.company.com is the classic mistake). Detection asks DNS for the domain's MX,
time-boxed, for many domains at once; when DNS cannot answer the account is stored as `undetected`
(never refused: detection is a convenience, not a gate) and `mailkit account detect` tries again later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mailkit.errors import UsageError

CONSUMER_GOOGLE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
GOOGLE_MX_SUFFIXES = ("google.com", "googlemail.com", "smtp.google.com")
MICROSOFT_MX_SUFFIXES = ("protection.outlook.com", "outlook.com", "hotmail.com")
SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Provider:
    """Servers and sign-in methods of one kind of mailbox."""

    key: str
    label: str
    smtp_host: str
    smtp_port: int
    security: str
    imap_host: str
    imap_port: int
    imap_security: str  # "ssl" (993-style) or "starttls"; "" where the admin must say (custom servers)
    auth_methods: tuple[str, ...]
    default_auth: str


PROVIDERS: dict[str, Provider] = {
    "gmail": Provider("gmail", "Gmail (@gmail.com)", "smtp.gmail.com", 587, "starttls", "imap.gmail.com", 993,
                      "ssl", ("oauth2", "app_password", "password"), "oauth2"),
    "workspace": Provider("workspace", "Google Workspace", "smtp.gmail.com", 587, "starttls", "imap.gmail.com",
                          993, "ssl", ("oauth2", "app_password", "password"), "oauth2"),
    "microsoft365": Provider("microsoft365", "Microsoft 365", "smtp.office365.com", 587, "starttls",
                             "outlook.office365.com", 993, "ssl", ("oauth2", "password"), "oauth2"),
    "custom": Provider("custom", "Other server", "", 587, "starttls", "", 993, "",
                       ("password", "app_password", "oauth2"), "password"),
    # DNS could not tell at import (offline, a resolver that fails): stored anyway, detected later
    "undetected": Provider("undetected", "Provider not detected yet", "", 587, "starttls", "", 993, "",
                           ("oauth2", "app_password", "password"), "oauth2"),
}
UNDETECTED = "undetected"
NAMESERVER_ENV = "MAILKIT_NAMESERVER"
DETECT_CONCURRENCY = 256  # MX questions in flight at once: small UDP packets, one per domain

PROVIDER_ALIASES = {
    "google": "workspace", "google workspace": "workspace", "gsuite": "workspace", "g suite": "workspace",
    "google-workspace": "workspace", "googlemail": "gmail", "m365": "microsoft365", "office365": "microsoft365",
    "office 365": "microsoft365", "microsoft": "microsoft365", "outlook": "microsoft365", "other": "custom",
    "otro": "custom", "inny": "custom", "smtp": "custom",
}


def provider(key: str) -> Provider:
    """A preset by key or common alias; a clear error listing the choices otherwise."""
    normal = key.strip().lower()
    normal = PROVIDER_ALIASES.get(normal, normal)
    if normal not in PROVIDERS:
        raise UsageError(f"unknown provider {key!r}: choose one of {', '.join(PROVIDERS)}")
    return PROVIDERS[normal]


def is_google(provider_key: str) -> bool:
    return provider_key in {"gmail", "workspace"}


@dataclass(frozen=True)
class Detection:
    """What detection found: a provider key, or None with the reason the admin must choose."""

    provider: str | None
    reason: str
    mx: tuple[str, ...] = ()


def detect_provider(email: str, *, timeout: float = 3.0) -> Detection:
    """Gmail by domain, Workspace / Microsoft 365 / custom by MX; None when DNS cannot tell."""
    domain = email.rpartition("@")[2].strip().lower()
    return detect_domains([domain], timeout=timeout)[domain]


def detect_domains(domains: Iterable[str], *, timeout: float = 3.0,
                   concurrency: int = DETECT_CONCURRENCY) -> dict[str, Detection]:
    """`detect_provider` for many domains at once: one MX lookup per domain, all in flight together, so a
    resolver that never answers costs one timeout per batch of `concurrency` domains, not one per row."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    wanted = {d.strip().lower() for d in domains if d and d.strip()}
    known = {d: found for d in wanted if (found := _without_dns(d)) is not None}
    asked = sorted(wanted - known.keys())
    if asked:
        lookups = _lookup_all(asked, timeout, concurrency)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            known.update(asyncio.run(lookups))
        else:  # a widget inside Jupyter's loop: the lookups get a loop of their own in a thread
            with ThreadPoolExecutor(1) as pool:
                known.update(pool.submit(asyncio.run, lookups).result())
    return known


def _without_dns(domain: str) -> Detection | None:
    if domain in CONSUMER_GOOGLE_DOMAINS:
        return Detection("gmail", f"{domain} is consumer Gmail")
    from mailkit.endpoints import sandbox_info

    info = sandbox_info()
    if info is not None and domain in info.workspace_domains:
        return Detection("workspace", f"{domain} is a Google Workspace domain in the sandbox")
    return None


async def _lookup_all(domains: list[str], timeout: float, concurrency: int) -> dict[str, Detection]:
    import asyncio

    import dns.asyncresolver

    try:
        resolver = dns_resolver(dns.asyncresolver.Resolver, timeout)
    except (dns.exception.DNSException, OSError, ValueError) as exc:  # no resolv.conf, no nameserver
        return {d: _no_answer(d, exc) for d in domains}
    gate = asyncio.Semaphore(concurrency)

    async def one(domain: str) -> tuple[str, Detection]:
        async with gate:
            try:
                answer = await resolver.resolve(domain, "MX")
            except (dns.exception.DNSException, OSError) as exc:  # NXDOMAIN, no answer, timeout, no network
                return domain, _no_answer(domain, exc)
        ranked = sorted(answer, key=lambda record: record.preference)
        return domain, classify_mx(domain, tuple(str(r.exchange).rstrip(".").lower() for r in ranked))

    return dict(await asyncio.gather(*(one(d) for d in domains)))


def dns_resolver(kind: type, timeout: float) -> object:
    """A resolver with the deadline; MAILKIT_NAMESERVER ("IP[:PORT]") replaces the system's nameservers."""
    import os

    chosen = os.environ.get(NAMESERVER_ENV, "").strip()
    resolver = kind(configure=not chosen)
    if chosen:
        host, _, port = chosen.rpartition(":") if chosen.count(":") == 1 else (chosen, "", "")
        resolver.nameservers = [host]
        resolver.port = int(port or 53)
    resolver.lifetime = resolver.timeout = timeout
    return resolver


def _no_answer(domain: str, exc: BaseException) -> Detection:
    return Detection(None, f"DNS could not answer for {domain} ({type(exc).__name__}): choose the provider")


def classify_mx(domain: str, mx: tuple[str, ...]) -> Detection:
    """Decide the provider from a domain's MX host names."""
    if not mx:
        return Detection(None, f"{domain} has no MX record: choose the provider", mx)
    if any(_within(host, GOOGLE_MX_SUFFIXES) for host in mx):
        return Detection("workspace", f"MX of {domain} points at Google ({mx[0]})", mx)
    if any(_within(host, MICROSOFT_MX_SUFFIXES) for host in mx):
        return Detection("microsoft365", f"MX of {domain} points at Microsoft ({mx[0]})", mx)
    return Detection("custom", f"MX of {domain} is {mx[0]}: a custom server, enter its SMTP host", mx)


def _within(host: str, domains: tuple[str, ...]) -> bool:
    """Whether the host is one of the domains or a name under one ("mx.notgoogle.com" is not Google's)."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def default_port(security: str) -> int:
    """The submission port that goes with a TLS mode."""
    return {"starttls": 587, "ssl": 465, "none": 25}[security]

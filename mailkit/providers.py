"""Provider presets and detection of who hosts a domain's mail.

A Google Workspace domain must use smtp.gmail.com / imap.gmail.com — never a host guessed from
the domain (smtp.company.com is the classic mistake). Detection asks DNS for the domain's MX,
time-boxed; when DNS cannot answer, the admin chooses.
"""

from __future__ import annotations

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
}

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
    if domain in CONSUMER_GOOGLE_DOMAINS:
        return Detection("gmail", f"{domain} is consumer Gmail")
    from mailkit.endpoints import sandbox_info

    info = sandbox_info()
    if info is not None and domain in info.workspace_domains:
        return Detection("workspace", f"{domain} is a Google Workspace domain in the sandbox")
    import dns.exception

    try:
        mx = _mx_hosts(domain, timeout)
    except (dns.exception.DNSException, OSError) as exc:  # NXDOMAIN, no answer, timeout, no network
        return Detection(None, f"DNS could not answer for {domain} ({type(exc).__name__}): choose the provider")
    return classify_mx(domain, mx)


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


def _mx_hosts(domain: str, timeout: float) -> tuple[str, ...]:
    import dns.resolver

    resolver = dns.resolver.Resolver()
    resolver.lifetime = timeout
    resolver.timeout = timeout
    answer = resolver.resolve(domain, "MX")
    ranked = sorted(answer, key=lambda record: record.preference)
    return tuple(str(record.exchange).rstrip(".").lower() for record in ranked)


def default_port(security: str) -> int:
    """The submission port that goes with a TLS mode."""
    return {"starttls": 587, "ssl": 465, "none": 25}[security]

"""Company and Account records, and the normalisation/validation every entry path shares
(CLI, CSV/Excel import, widgets)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from mailkit.errors import UsageError, ValidationError
from mailkit.providers import UNDETECTED, default_port, detect_provider, provider

AUTH_METHODS = ("oauth2", "app_password", "password")
AUTH_ALIASES = {
    "oauth": "oauth2", "oauth2": "oauth2", "oauth 2.0": "oauth2", "xoauth2": "oauth2",
    "app-password": "app_password", "app_password": "app_password", "apppassword": "app_password",
    "app password": "app_password", "contraseña de aplicación": "app_password", "hasło aplikacji": "app_password",
    "password": "password", "contraseña": "password", "hasło": "password", "haslo": "password",
}
SECURITY_ALIASES = {"starttls": "starttls", "tls": "starttls", "ssl": "ssl", "ssl/tls": "ssl",
                    "implicit": "ssl", "none": "none", "plain": "none", "ninguna": "none", "brak": "none"}
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+$")
MAX_LOCAL, MAX_DOMAIN, MAX_ADDRESS = 64, 255, 254  # RFC 5321 4.5.3.1 (the address as in a reverse-path)
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalize_email(value: str, field_name: str = "email", row: int | None = None) -> str:
    """Trim, lower-case the domain (an internationalized one in its IDNA form, so `user@bücher.de` and
    `user@xn--bcher-kva.de` are one address), and check the shape and RFC 5321 lengths; the error names the
    field and the fix.

    >>> normalize_email("Ana@Bücher.DE")
    'Ana@xn--bcher-kva.de'
    """
    text = (value or "").strip().strip("<>").strip()
    local, at, domain = text.rpartition("@")
    domain = _ascii_domain(domain) if at and domain and not domain.isascii() else domain
    candidate = f"{local}@{domain.lower()}" if at else text
    if not at or not _EMAIL.match(candidate.lower()):
        raise ValidationError(field_name, f"{text!r} is not an email address (expected name@domain)",
                              row=row, value=text)
    for part, size, limit in (("the part before @", len(local.encode("utf-8")), MAX_LOCAL),
                              ("the domain", len(domain), MAX_DOMAIN), ("the address", len(candidate), MAX_ADDRESS)):
        if size > limit:
            shown = text if len(text) <= 80 else text[:77] + "..."
            raise ValidationError(field_name, f"{part} of {shown!r} is {size} characters long; mail "
                                  f"servers accept at most {limit} (RFC 5321)", row=row, value=text)
    return candidate


def _ascii_domain(domain: str) -> str:
    """An internationalized domain in the ASCII form DNS and SMTP use; the input unchanged when it is not
    a valid IDNA name (the shape check then refuses it)."""
    import idna

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return domain


def slugify(text: str) -> str:
    """'Ferretería del Norte SA' -> 'ferreteria-del-norte-sa'; 'Łódź' -> 'lodz' (ł has no accent to drop)."""
    text = text.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:64].strip("-")


def normalize_slug(value: str, row: int | None = None) -> str:
    slug = slugify(value)
    if not _SLUG.match(slug):
        raise ValidationError("company", f"{value!r} cannot be a company id: use letters, digits and dashes",
                              row=row, value=value)
    return slug


def normalize_auth(value: str, row: int | None = None) -> str:
    auth = AUTH_ALIASES.get((value or "").strip().lower())
    if auth is None:
        raise ValidationError("auth", f"{value!r} is not an auth method: use oauth2, app-password or password",
                              row=row, value=value)
    return auth


def normalize_security(value: str, row: int | None = None) -> str:
    security = SECURITY_ALIASES.get((value or "").strip().lower())
    if security is None:
        raise ValidationError("security", f"{value!r} is not a TLS mode: use starttls, ssl or none",
                              row=row, value=value)
    return security


def normalize_imap_security(value: str, row: int | None = None) -> str:
    """IMAP's TLS mode, said by the admin: an IMAP check never guesses it from the port."""
    security = SECURITY_ALIASES.get((value or "").strip().lower())
    if security not in {"ssl", "starttls"}:
        raise ValidationError("imap_security", f"{value!r} is not an IMAP TLS mode: use ssl (port 993) or starttls "
                              "(port 143)", row=row, value=value)
    return security


def normalize_port(value: str | int, field_name: str, row: int | None = None) -> int:
    try:
        port = int(str(value).strip().removesuffix(".0"))
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValidationError(field_name, f"{value!r} is not a port number (1-65535)", row=row, value=str(value))
    return port


def normalize_ca_file(value: str | None, row: int | None = None) -> str:
    """An extra CA file: "" for none, else its absolute path once it is known to hold a PEM certificate."""
    from mailkit.endpoints import check_ca_file

    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return check_ca_file(text, "the file")
    except UsageError as exc:
        raise ValidationError("ca_file", str(exc), row=row, value=text) from exc


def split_list(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """'a; b, c' -> ['a', 'b', 'c'] (duplicates and blanks dropped, order kept)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[;,|\n]", str(value))
    seen: dict[str, None] = {}
    for item in items:
        if str(item).strip():
            seen.setdefault(str(item).strip(), None)
    return list(seen)


@dataclass
class Company:
    """A client company whose software sends mail."""

    slug: str
    name: str
    tax_id: str | None = None
    notes: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass
class Account:
    """One mailbox a company's software signs in to. Holds no secret."""

    email: str
    company: str
    display_name: str = ""
    provider: str = "gmail"
    auth: str = "oauth2"
    smtp_host: str = "smtp.gmail.com"
    smtp_port: int = 587
    security: str = "starttls"
    imap_host: str = "imap.gmail.com"
    imap_port: int = 993
    imap_security: str = "ssl"  # "ssl" or "starttls"; "" until the admin says (custom servers)
    login: str | None = None
    from_addresses: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    allow_insecure: bool = False  # the admin allowed cleartext or a foreign host (see insecure_settings)
    ca_file: str = ""  # an extra CA to trust for this account's servers (absolute path), besides the system's
    created_at: str = ""
    updated_at: str = ""

    @property
    def login_name(self) -> str:
        """The user name for sign-in: `login` when it differs from the email."""
        return self.login or self.email

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    def content(self) -> tuple:
        """Everything an import may change, for comparing without timestamps."""
        return (self.company, self.display_name, self.provider, self.auth, self.smtp_host, self.smtp_port,
                self.security, self.imap_host, self.imap_port, self.imap_security, self.login,
                list(self.from_addresses), list(self.tags), self.notes, self.allow_insecure, self.ca_file)


def build_account(email: str, company: str, *, provider_key: str | None = None, auth: str | None = None,
                  smtp_host: str | None = None, smtp_port: int | str | None = None, security: str | None = None,
                  imap_host: str | None = None, imap_port: int | str | None = None,
                  imap_security: str | None = None, row: int | None = None,
                  detect_timeout: float = 3.0, allow_insecure: bool = False, **other: object) -> Account:
    """An Account with the provider's defaults filled in for what was not given.

    Google accounts always get smtp.gmail.com / imap.gmail.com unless a host is given on purpose;
    with no provider and no host, the provider is detected from the domain's MX, and when DNS cannot
    tell the account is `undetected` (stored, reported with its remedy, detected again later). A Google
    or Microsoft account without TLS or on another host is refused unless `allow_insecure` (see
    `insecure_settings`).
    """
    email = normalize_email(email, row=row)
    key = _provider_key(email, provider_key, smtp_host, row, detect_timeout)
    preset = provider(key)
    sec = normalize_security(security, row) if security else preset.security
    account = Account(
        email=email,
        company=company,
        provider=preset.key,
        auth=normalize_auth(auth, row) if auth else preset.default_auth,
        smtp_host=(smtp_host or preset.smtp_host).strip().lower(),
        smtp_port=normalize_port(smtp_port, "smtp_port", row) if smtp_port else
        (preset.smtp_port if sec == preset.security else default_port(sec)),
        security=sec,
        imap_host=(imap_host or preset.imap_host).strip().lower(),
        imap_port=normalize_port(imap_port, "imap_port", row) if imap_port else preset.imap_port,
        imap_security=normalize_imap_security(imap_security, row) if imap_security else preset.imap_security,
    )
    account = replace(account, **{k: v for k, v in other.items() if v is not None})
    if account.login:
        account.login = account.login.strip() or None
    account.from_addresses = [normalize_email(a, "from_addresses", row) for a in split_list(account.from_addresses)]
    account.tags = split_list(account.tags)
    account.ca_file = normalize_ca_file(account.ca_file, row)
    if not account.smtp_host and account.provider != UNDETECTED:
        raise ValidationError("smtp_host", f"provider {preset.key!r} needs an SMTP host: give smtp_host", row=row)
    if account.auth not in preset.auth_methods:
        raise ValidationError("auth", f"{account.auth} is not available for {preset.label}", row=row)
    return _insecure_allowed(account, allow_insecure, row)


#: The servers that belong to each big provider: (SMTP hosts, IMAP hosts). Any other host is someone else's.
PROVIDER_HOSTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "gmail": (frozenset({"smtp.gmail.com", "smtp.googlemail.com"}),
              frozenset({"imap.gmail.com", "imap.googlemail.com"})),
    "workspace": (frozenset({"smtp.gmail.com", "smtp.googlemail.com"}),
                  frozenset({"imap.gmail.com", "imap.googlemail.com"})),
    "microsoft365": (frozenset({"smtp.office365.com", "smtp-mail.outlook.com"}),
                     frozenset({"outlook.office365.com", "imap-mail.outlook.com"})),
}


def insecure_settings(account: Account) -> list[tuple[str, str]]:
    """(field, why) for each setting that would hand a Google or Microsoft password to an eavesdropper or to a
    server that is not the provider's: no TLS, or an SMTP/IMAP host outside the provider's. Empty when safe
    (custom servers are the admin's own business)."""
    hosts = PROVIDER_HOSTS.get(account.provider)
    if hosts is None:
        return []
    label = provider(account.provider).label
    found = []
    if account.security == "none":
        found.append(("security", f"'none' sends the {label} password unencrypted"))
    if account.smtp_host not in hosts[0]:
        found.append(("smtp_host", f"{account.smtp_host!r} is not a {label} server ({', '.join(sorted(hosts[0]))})"))
    if account.imap_host and account.imap_host not in hosts[1]:
        found.append(("imap_host", f"{account.imap_host!r} is not a {label} server ({', '.join(sorted(hosts[1]))})"))
    return found


def _insecure_allowed(account: Account, allowed: bool, row: int | None) -> Account:
    """The account, refused when it is insecure and the admin did not say so explicitly; the allowance is kept
    only while it is needed."""
    problems = insecure_settings(account)
    if problems and not allowed:
        name, why = problems[0]
        raise ValidationError(name, f"{why}: use the provider's servers with starttls or ssl, or allow it for "
                              "this account on purpose with --allow-insecure", row=row,
                              value=str(getattr(account, name)))
    account.allow_insecure = bool(problems) and bool(allowed)
    return account


def _provider_key(email: str, given: str | None, smtp_host: str | None, row: int | None, timeout: float) -> str:
    if given and given.strip():
        try:
            return provider(given).key
        except UsageError as exc:
            raise ValidationError("provider", str(exc), row=row, value=given) from exc
    if smtp_host and smtp_host.strip().lower() in {"smtp.gmail.com", "smtp.googlemail.com"}:
        return "gmail" if email.endswith(("@gmail.com", "@googlemail.com")) else "workspace"
    if smtp_host and smtp_host.strip():
        return "custom"
    return detect_provider(email, timeout=timeout).provider or UNDETECTED

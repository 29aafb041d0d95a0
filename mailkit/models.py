"""Company and Account records, and the normalisation/validation every entry path shares
(CLI, CSV/Excel import, widgets)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from mailkit.errors import UsageError, ValidationError
from mailkit.providers import default_port, detect_provider, provider

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
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalize_email(value: str, field_name: str = "email", row: int | None = None) -> str:
    """Trim, lower-case the domain, and check the shape; the error names the field and the fix."""
    text = (value or "").strip().strip("<>").strip()
    local, at, domain = text.rpartition("@")
    candidate = f"{local}@{domain.lower()}" if at else text
    if not at or not _EMAIL.match(candidate.lower()):
        raise ValidationError(field_name, f"{text!r} is not an email address (expected name@domain)",
                              row=row, value=text)
    return candidate


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
    login: str | None = None
    from_addresses: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
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
                self.security, self.imap_host, self.imap_port, self.login, list(self.from_addresses),
                list(self.tags), self.notes, self.ca_file)


def build_account(email: str, company: str, *, provider_key: str | None = None, auth: str | None = None,
                  smtp_host: str | None = None, smtp_port: int | str | None = None, security: str | None = None,
                  imap_host: str | None = None, imap_port: int | str | None = None, row: int | None = None,
                  detect_timeout: float = 3.0, **other: object) -> Account:
    """An Account with the provider's defaults filled in for what was not given.

    Google accounts always get smtp.gmail.com / imap.gmail.com unless a host is given on purpose;
    with no provider and no host, the provider is detected from the domain's MX.
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
    )
    account = replace(account, **{k: v for k, v in other.items() if v is not None})
    if account.login:
        account.login = account.login.strip() or None
    account.from_addresses = [normalize_email(a, "from_addresses", row) for a in split_list(account.from_addresses)]
    account.tags = split_list(account.tags)
    account.ca_file = normalize_ca_file(account.ca_file, row)
    if not account.smtp_host:
        raise ValidationError("smtp_host", f"provider {preset.key!r} needs an SMTP host: give smtp_host", row=row)
    if account.auth not in preset.auth_methods:
        raise ValidationError("auth", f"{account.auth} is not available for {preset.label}", row=row)
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
    found = detect_provider(email, timeout=timeout)
    if found.provider is None:
        raise ValidationError("provider", f"{found.reason} (gmail, workspace, microsoft365 or custom)", row=row)
    return found.provider

"""Where Google (and Microsoft 365) traffic goes: the provider itself, or the local sandbox when MAILKIT_SANDBOX
is set.

Sandbox mode is a switch, not a different inventory: accounts still say smtp.gmail.com, and
this module routes (host, port) to the sandbox's listeners and trusts the sandbox's CA. Other
hosts are left alone. Every client (SMTP, IMAP, OAuth, Directory) asks here.
"""

from __future__ import annotations

import ipaddress
import json
import os
import ssl
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mailkit.errors import UsageError

if TYPE_CHECKING:
    from mailkit.workspace import Workspace

GOOGLE_SMTP_HOSTS = frozenset({"smtp.gmail.com", "smtp.googlemail.com"})
GOOGLE_IMAP_HOSTS = frozenset({"imap.gmail.com", "imap.googlemail.com"})
MICROSOFT_SMTP_HOSTS = frozenset({"smtp.office365.com", "smtp-mail.outlook.com"})
MICROSOFT_IMAP_HOSTS = frozenset({"outlook.office365.com", "imap-mail.outlook.com"})
#: Microsoft's identity platform; an authority is this plus a tenant (GUID, domain, `organizations`, `common`).
MICROSOFT_LOGIN = "https://login.microsoftonline.com"

#: Paths of the sandbox's HTTP side, relative to its base URL (they mirror Google's).
SANDBOX_PATHS = {
    "auth_uri": "/o/oauth2/auth",
    "token_uri": "/token",
    "revoke_uri": "/revoke",
    "userinfo_uri": "/v1/userinfo",
    "directory_uri": "/admin/directory/v1",
    "gmail_uri": "/gmail/v1",
    "iam_uri": "/iam/v1",
    "iamcredentials_uri": "/iamcredentials/v1",
}


@dataclass(frozen=True)
class GoogleEndpoints:
    """The HTTP endpoints of Google's OAuth, Admin SDK Directory and Gmail APIs."""

    auth_uri: str = "https://accounts.google.com/o/oauth2/auth"
    token_uri: str = "https://oauth2.googleapis.com/token"
    revoke_uri: str = "https://oauth2.googleapis.com/revoke"
    userinfo_uri: str = "https://openidconnect.googleapis.com/v1/userinfo"
    directory_uri: str = "https://admin.googleapis.com/admin/directory/v1"
    gmail_uri: str = "https://gmail.googleapis.com/gmail/v1"
    #: serviceAccounts.get (a service account's unique ID, its client ID for delegation)
    iam_uri: str = "https://iam.googleapis.com/v1"
    #: serviceAccounts.signBlob: signing as a service account without holding its key
    iamcredentials_uri: str = "https://iamcredentials.googleapis.com/v1"


@dataclass(frozen=True)
class SandboxInfo:
    """What a running sandbox published in its sandbox.json."""

    path: Path
    smtp: tuple[str, int]
    smtps: tuple[str, int]
    imaps: tuple[str, int]
    http: str
    ca_cert: Path
    client_config: Path
    state_dir: Path
    workspace_domains: frozenset[str] = field(default_factory=frozenset)
    microsoft: MicrosoftSandbox | None = None
    #: `http://127.0.0.1:P`: the pages a browser opens (consent, chooser), plain HTTP so no CA is needed;
    #: "" for a sandbox.json of an older sandbox (its pages are then on `http`).
    pages: str = ""

    @property
    def pages_base(self) -> str:
        """Where the browser pages are: `pages`, else the HTTPS side."""
        return self.pages or self.http

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SandboxInfo:
        """Read sandbox.json; a clear error when it is missing or not the sandbox's."""
        path = Path(path)
        if path.is_dir():
            raise UsageError(f"MAILKIT_SANDBOX points at the folder {path}: point it at the sandbox.json "
                             "that `mailkit sandbox` writes, or unset MAILKIT_SANDBOX")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            info = cls(
                path=path,
                smtp=(raw["smtp"]["host"], int(raw["smtp"]["port"])),
                smtps=(raw["smtps"]["host"], int(raw["smtps"]["port"])),
                imaps=(raw["imaps"]["host"], int(raw["imaps"]["port"])),
                http=raw["http"].rstrip("/"),
                ca_cert=path.parent / raw["ca_cert"],  # relative paths are the sandbox folder's
                client_config=path.parent / raw["client_config"],
                state_dir=Path(raw.get("state_dir", path.parent)),
                workspace_domains=frozenset(raw.get("workspace_domains", [])),
                microsoft=MicrosoftSandbox.from_json(raw["microsoft"]) if raw.get("microsoft") else None,
                pages=str(raw.get("pages") or "").rstrip("/"),
            )
        except FileNotFoundError as exc:
            raise UsageError(
                f"MAILKIT_SANDBOX points at {path}, which does not exist: start `mailkit sandbox` "
                "or unset MAILKIT_SANDBOX"
            ) from exc
        except OSError as exc:
            raise UsageError(f"MAILKIT_SANDBOX: cannot read {path} ({exc.strerror or exc}); "
                             "fix it or unset MAILKIT_SANDBOX") from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(f"{path} is not a sandbox.json written by `mailkit sandbox` ({exc})") from exc
        info.check()
        return info

    def check(self) -> None:
        """Refuse a sandbox.json that would send Google traffic (and real secrets) anywhere but this machine,
        or whose CA file is gone (a stale file left by a sandbox that stopped)."""
        hosts = {"smtp": self.smtp[0], "smtps": self.smtps[0], "imaps": self.imaps[0],
                 "http": urlsplit(self.http).hostname or ""}
        if self.pages:
            hosts["pages"] = urlsplit(self.pages).hostname or ""
        if self.microsoft is not None:
            hosts.update({"microsoft smtp": self.microsoft.smtp[0], "microsoft imaps": self.microsoft.imaps[0]})
        for name, host in hosts.items():
            if not is_loopback(host):
                raise UsageError(f"{self.path}: the sandbox's {name} host is {host!r}, not this machine: the sandbox "
                                 "only runs on 127.0.0.1; unset MAILKIT_SANDBOX (or start `mailkit sandbox`)")
        if not self.ca_cert.is_file():
            raise UsageError(f"{self.path}: the sandbox's CA file {self.ca_cert} is missing (the sandbox has "
                             "stopped?): start `mailkit sandbox` again or unset MAILKIT_SANDBOX")


@dataclass(frozen=True)
class MicrosoftSandbox:
    """The Microsoft 365 side of a sandbox: Outlook SMTP/IMAP listeners and its Entra app registration."""

    smtp: tuple[str, int]
    imaps: tuple[str, int]
    client_id: str
    tenant: str

    @classmethod
    def from_json(cls, raw: dict) -> MicrosoftSandbox:
        return cls((raw["smtp"]["host"], int(raw["smtp"]["port"])), (raw["imaps"]["host"], int(raw["imaps"]["port"])),
                   str(raw["client_id"]), str(raw["tenant"]))


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: localhost, 127.0.0.0/8 or ::1 (no DNS asked).

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("10.0.0.1"), is_loopback("evil.example")
    (True, True, False, False)
    """
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Route:
    """Where to connect for one logical server, and which name the certificate must carry."""

    host: str
    port: int
    server_hostname: str
    sandboxed: bool


def sandbox_info() -> SandboxInfo | None:
    """The active sandbox, or None when MAILKIT_SANDBOX is not set."""
    path = os.environ.get("MAILKIT_SANDBOX", "").strip()
    if not path:
        return None
    try:
        stamp = os.stat(path).st_mtime_ns  # one system call: every check asks (twice), thousands per audit
    except OSError:
        stamp = 0
    return _load_cached(path, stamp)


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int) -> SandboxInfo:
    return SandboxInfo.load(path)


def route(host: str, port: int) -> Route:
    """Map the inventory's (host, port) to where mailkit really connects."""
    host = host.strip().lower()
    info = sandbox_info()
    if info is not None:
        target = None
        if host in GOOGLE_SMTP_HOSTS:
            target = info.smtps if port == 465 else info.smtp
        elif host in GOOGLE_IMAP_HOSTS:
            target = info.imaps
        elif info.microsoft is not None and host in MICROSOFT_SMTP_HOSTS:
            target = info.microsoft.smtp
        elif info.microsoft is not None and host in MICROSOFT_IMAP_HOSTS:
            target = info.microsoft.imaps
        if target is not None:
            return Route(target[0], target[1], host, True)
    return Route(host, port, host, False)


def tls_context(ca_file: str | os.PathLike[str] = "") -> ssl.SSLContext:
    """A client TLS context: system CAs, plus the sandbox's CA in sandbox mode, plus `ca_file` (a company's
    own CA) when given. Extra CAs add to the default trust; verification stays on, always.

    Contexts are cached: loading the system CA store costs ~20 ms, once per connection otherwise (a
    bulk audit opens thousands). They are shared, so callers must not modify them.
    """
    info = sandbox_info()
    cafile = str(info.ca_cert) if info is not None else ""
    extra = str(ca_file or "")
    return _tls_context(cafile, _stamp(cafile), extra, _stamp(extra) if extra else 0)


def _stamp(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns if path else 0
    except OSError:
        return 0


@lru_cache(maxsize=8)
def _tls_context(cafile: str, _stamp: int, extra: str = "", _extra_stamp: int = 0) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    if extra:
        load_ca_file(context, extra)
    return context


def load_ca_file(context: ssl.SSLContext, path: str | os.PathLike[str], where: str = "the CA file") -> None:
    """Add the CA certificates of a PEM file to `context`; one clear UsageError when it cannot be used."""
    try:
        context.load_verify_locations(cafile=str(path))
    except FileNotFoundError as exc:
        raise UsageError(f"{where} {path} does not exist: give the path of the CA's certificate (PEM)") from exc
    except PermissionError as exc:
        raise UsageError(f"{where} {path} cannot be read (permission denied): make it readable") from exc
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise UsageError(f"{where} {path} holds no PEM certificate ({exc}): give the CA's certificate in PEM "
                         "form (-----BEGIN CERTIFICATE-----)") from exc


def check_ca_file(path: str | os.PathLike[str], where: str = "the CA file") -> str:
    """The path, absolute, once it is known to load as a CA file (UsageError otherwise)."""
    full = Path(path).expanduser()
    load_ca_file(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), full, where)
    return str(full.resolve())


def extra_ca_file(account: object, workspace: Workspace | None) -> str:
    """The extra CA file a check trusts: the account's `ca_file`, else the workspace's `tls.ca_file`, else "".
    A configured file that is missing or unreadable is a UsageError naming where it was configured."""
    own = str(getattr(account, "ca_file", "") or "").strip()
    if own:
        return check_ca_file(own, f"the ca_file of {getattr(account, 'email', 'the account')}")
    shared = str((workspace.setting("tls.ca_file", "") if workspace is not None else "") or "").strip()
    if shared:
        return check_ca_file(shared, "tls.ca_file (settings.toml)")
    return ""


def google_endpoints() -> GoogleEndpoints:
    """Google's OAuth/Directory URLs, or the sandbox's in sandbox mode."""
    info = sandbox_info()
    if info is None:
        return GoogleEndpoints()
    return GoogleEndpoints(**{name: info.http + path for name, path in SANDBOX_PATHS.items()})


def browser_url(url: str) -> str:
    """The address a person opens: in sandbox mode a page on the sandbox's HTTPS side becomes the same page on
    its plain-HTTP side (127.0.0.1, which browsers trust without the sandbox's CA); any other URL is unchanged.
    OAuth libraries insist on https:// while they build the URL, hence this last step."""
    info = sandbox_info()
    if info is None or not info.pages or not url.startswith(info.http + "/"):
        return url
    return info.pages + url[len(info.http):]


def microsoft_authority(tenant: str) -> str:
    """The msal authority for a tenant: login.microsoftonline.com, or the sandbox's HTTP side in sandbox mode."""
    info = sandbox_info()
    base = info.http if info is not None and info.microsoft is not None else MICROSOFT_LOGIN
    return f"{base}/{tenant.strip().strip('/') or 'organizations'}"


def requests_verify() -> str | bool:
    """The `verify=` argument for requests: the sandbox CA bundle in sandbox mode, else True."""
    info = sandbox_info()
    return str(info.ca_cert) if info is not None and info.http.startswith("https") else True


def http_session():  # -> requests.Session (requests imported lazily: `import mailkit` stays light)
    """A requests session for Google's HTTP APIs that trusts the sandbox CA in sandbox mode.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's own `verify` unless
    each call passes one (google-auth's transports do not), so in sandbox mode the session
    ignores the environment: it only talks to 127.0.0.1 and needs neither proxies nor bundles.
    """
    import requests

    session = requests.Session()
    info = sandbox_info()
    if info is not None:
        session.trust_env = False
        session.verify = str(info.ca_cert)
    return session


def http_failure_status(exc: BaseException):  # -> mailkit.status.Status
    """The status of a failed call to Google's HTTP endpoints, following the exception's causes
    (google-auth wraps requests' errors, which wrap urllib3's)."""
    import requests

    from mailkit.status import Status

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, requests.exceptions.SSLError):
            return Status.TLS_ERROR
        if isinstance(cause, requests.exceptions.Timeout):
            return Status.TIMEOUT
        if isinstance(cause, requests.exceptions.ConnectionError):
            return Status.CONNECTION_REFUSED
        cause = cause.__cause__ or cause.__context__
    return Status.CONNECTION_LOST

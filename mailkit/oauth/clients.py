"""One Google OAuth client per company or per domain, beside the workspace's own.

One shared client is a dead end at reseller scale (an External app in Testing: 7-day refresh tokens and 100
test users), so `mailkit oauth client FILE --company SLUG` (or `--domain DOMAIN`) keeps a company's own client
— typically an "Internal" app in the client's own Workspace — in `oauth_clients/<slug>.json` (or
`oauth_clients/@<domain>.json`), 0600, next to the workspace's `oauth_client.json`. Consent picks the account's
client: domain > company > workspace. A grant keeps the client ID that issued it (in its keyring bundle), and a
refresh uses that client while it is still registered, so registering a company client breaks no older grant.

What mailkit can tell of a client's publishing status: what the admin declared (`--testing/--internal/
--published`, a workspace setting per client fingerprint) and what Google's token answers showed
(`refresh_token_expires_in` ≈ 7 days: Testing; a refresh token without it: no such limit).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailkit.errors import UsageError
from mailkit.files import write_private
from mailkit.oauth.client import OAuthClient, _routed, active_client, load_client_file
from mailkit.providers import CONSUMER_GOOGLE_DOMAINS
from mailkit.workspace import Workspace

CLIENTS_DIR = "oauth_clients"
#: How an admin may declare a client's consent screen: External in Testing, Internal (one Workspace), published.
PUBLISHING = ("testing", "internal", "published")
PUBLISHING_SETTING = "oauth_publishing"
OBSERVED_SETTING = "oauth_observed"
#: The setting the forecast already reads (`mailkit.oauth.store.TESTING_SETTING`), kept in step.
_TESTING_SETTING = "oauth_testing"
#: Google answers a Testing client's tokens with `refresh_token_expires_in` 604799: a week, give or take.
_WEEK = 7 * 86400 + 60
#: Microsoft 365 mailboxes' provider (mailkit.oauth.microsoft.MICROSOFT_PROVIDERS, without importing msal's side).
MICROSOFT_PROVIDERS = frozenset({"microsoft365"})
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class RegisteredClient:
    """A registered client and whose it is: a domain's, a company's, or (both empty) the workspace's."""

    client: OAuthClient
    company: str = ""
    domain: str = ""
    path: Path | None = None

    @property
    def owner(self) -> str:
        """Whose client it is, as shown: `@domain`, the company slug, or `workspace`."""
        return f"@{self.domain}" if self.domain else self.company or "workspace"


def short_id(client_id: str) -> str:
    """A client ID short enough for a table: Google's number and the first letters of the rest."""
    head, _, _ = client_id.partition(".apps.googleusercontent.com")
    return head if len(head) <= 20 else f"{head[:20]}…"


def clients_dir(workspace: Workspace) -> Path:
    return workspace.home / CLIENTS_DIR


def scoped_path(workspace: Workspace, *, company: str = "", domain: str = "") -> Path:
    """Where a company's (`<slug>.json`) or a domain's (`@<domain>.json`) client is kept."""
    return clients_dir(workspace) / (f"@{domain}.json" if domain else f"{company}.json")


def check_domain(value: str) -> str:
    text = value.strip().lower().lstrip("@")
    if not _DOMAIN.match(text):
        raise UsageError(f"--domain {value!r} is not a domain: give the mail domain, e.g. acme.example")
    if text in CONSUMER_GOOGLE_DOMAINS:
        raise UsageError(f"--domain {text}: every Gmail user shares that domain; register the client for the "
                         "company instead (--company SLUG)")
    return text


def check_publishing(value: str | None) -> str | None:
    if value is not None and value not in PUBLISHING:
        raise UsageError(f"publishing status {value!r}: use one of {', '.join(PUBLISHING)}")
    return value


def register_scoped_client(workspace: Workspace, path: str | os.PathLike[str], *, company: str = "",
                           domain: str = "", publishing: str | None = None) -> RegisteredClient:
    """Validate a client JSON and keep a private copy for one company or one domain (not both)."""
    if bool(company) == bool(domain):
        raise UsageError("give either --company SLUG or --domain DOMAIN for a company's own OAuth client")
    check_publishing(publishing)
    if domain:
        domain = check_domain(domain)
    else:
        from mailkit.inventory import Inventory

        with Inventory.open(workspace) as inventory:
            known = {c.slug for c in inventory.companies()}
        if company not in known or not _SLUG.match(company):
            raise UsageError(f"--company {company!r}: no such company; see `mailkit company list`")
    load_client_file(path)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    target = scoped_path(workspace.ensure(), company=company, domain=domain)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    write_private(target, json.dumps({"installed": data["installed"]}, indent=2))
    registered = RegisteredClient(_routed(load_client_file(target)), company, domain, target)
    if publishing is not None:
        declare_publishing(workspace, registered.client, publishing)
    return registered


def declare_publishing(workspace: Workspace, client: OAuthClient, publishing: str) -> None:
    """Keep the admin's word on a client's consent screen (and the Testing flag the forecast reads)."""
    check_publishing(publishing)
    workspace.set_setting(f"{PUBLISHING_SETTING}.{client.fingerprint}", publishing)
    workspace.set_setting(f"{_TESTING_SETTING}.{client.fingerprint}", publishing == "testing")


def declared_publishing(workspace: Workspace, fingerprint: str) -> str | None:
    """What the admin said of the client (also the older `--testing/--published` word); None: nothing."""
    said = workspace.setting(f"{PUBLISHING_SETTING}.{fingerprint}")
    if said in PUBLISHING:
        return str(said)
    testing = workspace.setting(f"{_TESTING_SETTING}.{fingerprint}")
    return None if not isinstance(testing, bool) else "testing" if testing else "published"


def observe(workspace: Workspace, fingerprint: str, answer: dict[str, Any]) -> str | None:
    """Learn from one token answer of Google's: `refresh_token_expires_in` of about a week means the client's
    consent screen is in Testing; a refresh token without it means no such limit. The observation kept."""
    seconds = answer.get("refresh_token_expires_in")
    if seconds is not None:
        try:
            seen = "testing" if float(seconds) <= _WEEK else "limited"
        except (TypeError, ValueError):
            return None
    elif answer.get("refresh_token"):
        seen = "no_limit"
    else:
        return None
    if workspace.setting(f"{OBSERVED_SETTING}.{fingerprint}") != seen:
        workspace.set_setting(f"{OBSERVED_SETTING}.{fingerprint}", seen)
    return seen


def observed_publishing(workspace: Workspace, fingerprint: str) -> str | None:
    value = workspace.setting(f"{OBSERVED_SETTING}.{fingerprint}")
    return str(value) if isinstance(value, str) else None


def registered_clients(workspace: Workspace) -> list[RegisteredClient]:
    """Every client kept in the workspace: the workspace's first, then domains' and companies'."""
    found: list[RegisteredClient] = []
    if workspace.oauth_client_path.exists():
        found.append(RegisteredClient(_routed(load_client_file(workspace.oauth_client_path)),
                                      path=workspace.oauth_client_path))
    folder = clients_dir(workspace)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name = path.stem
        domain, company = (name[1:], "") if name.startswith("@") else ("", name)
        found.append(RegisteredClient(_routed(load_client_file(path)), company, domain, path))
    return found


def _serves(registered: RegisteredClient, workspace: Workspace, email: str) -> bool:
    """An Internal client serves its own organisation only: never a consumer Gmail address."""
    domain = email.rpartition("@")[2].lower()
    internal = declared_publishing(workspace, registered.client.fingerprint) == "internal"
    return not (internal and domain in CONSUMER_GOOGLE_DOMAINS)


def client_for(workspace: Workspace, email: str, company: str = "") -> OAuthClient:
    """The client an account's consent goes to: its domain's, else its company's, else the workspace's."""
    domain = email.rpartition("@")[2].lower()
    scoped = {(r.domain, r.company): r for r in registered_clients(workspace) if r.domain or r.company}
    for key in ((domain, ""), ("", company)):
        registered = scoped.get(key)
        if registered is not None and key != ("", "") and _serves(registered, workspace, email):
            return registered.client
    return active_client(workspace)


def publish_command(workspace: Workspace, email: str, company: str = "") -> str:
    """The command that declares published the client an account's consent goes to (its domain's, its company's,
    or the workspace's)."""
    client = client_for(workspace, email, company)
    for registered in registered_clients(workspace):
        if registered.client.client_id == client.client_id and (registered.domain or registered.company):
            scope = f"--domain {registered.domain}" if registered.domain else f"--company {registered.company}"
            return f"mailkit oauth client {scope} --published"
    return "mailkit oauth client --published"


def company_of(workspace: Workspace, email: str) -> str:
    """The inventory company of an address ("" when it is no inventory account)."""
    from mailkit.inventory import Inventory

    with Inventory.open(workspace) as inventory:
        found = inventory.find_account(email)
    return found.company if found is not None else ""


def client_by_id(workspace: Workspace, client_id: str) -> OAuthClient | None:
    """The registered client with this ID (or, in sandbox mode with no workspace client, the sandbox's)."""
    for registered in registered_clients(workspace):
        if registered.client.client_id == client_id:
            return registered.client
    if not workspace.oauth_client_path.exists():
        from mailkit.errors import OAuthError

        try:
            fallback = active_client(workspace)
        except OAuthError:
            return None
        return fallback if fallback.client_id == client_id else None
    return None


def client_for_refresh(workspace: Workspace, email: str, issued_to: str) -> OAuthClient:
    """The client that issued the grant while it is registered; else the account's client (which then differs
    from `issued_to`, and the caller says a new consent is needed)."""
    if issued_to:
        issuer = client_by_id(workspace, issued_to)
        if issuer is not None:
            return issuer
    return client_for(workspace, email, company_of(workspace, email))


def by_fingerprint(workspace: Workspace) -> dict[str, RegisteredClient]:
    """Registered clients by the fingerprint each grant's row keeps (the sandbox's own too, in sandbox mode)."""
    found = {r.client.fingerprint: r for r in registered_clients(workspace)}
    if not workspace.oauth_client_path.exists():
        from mailkit.errors import OAuthError

        try:
            own = active_client(workspace)
        except OAuthError:
            return found
        found.setdefault(own.fingerprint, RegisteredClient(own))
    return found


def publishing_of(workspace: Workspace, fingerprint: str) -> dict[str, str | None]:
    """The declared and the observed publishing status of a client."""
    return {"declared": declared_publishing(workspace, fingerprint),
            "observed": observed_publishing(workspace, fingerprint)}


#: Errors Google shows on its own page (no redirect comes back to mailkit), and what to do about each.
PAGE_ERRORS = {
    "org_internal": (
        "'Error 403: org_internal' (This client is restricted to users within its organization): the OAuth client "
        "is Internal to another Google Workspace than {email}'s. Register the company's own client, created in its "
        "own Workspace (`mailkit oauth client FILE --company SLUG` or `--domain DOMAIN`), or let the account use "
        "an External client."),
    "access_denied": (
        "'Error 403: access_denied' (the app has not completed the Google verification process): the client's "
        "consent screen is in Testing and {email} is not one of its test users. Add it in Google Cloud console → "
        "OAuth consent screen → Test users (100 at most), publish the app, or use the company's Internal client "
        "(`mailkit oauth client FILE --company SLUG --internal`)."),
}


def page_error(page: str) -> str | None:
    """Which of PAGE_ERRORS a page of Google's shows, if any."""
    return next((code for code in PAGE_ERRORS if f"Error 403: {code}" in page), None)


def page_errors_help(email: str) -> str:
    """What to do when Google's page showed one of PAGE_ERRORS instead of the consent."""
    return "If Google's page showed an error instead: " + " ".join(
        text.format(email=email) for text in PAGE_ERRORS.values())


@dataclass
class GrantClients:
    """What `oauth status` and the report say of each grant's client, read once: the registered clients and the
    forecast's known refresh-token ends (`mailkit.forecast`, rule `oauth_testing`)."""

    workspace: Workspace
    clients: dict[str, RegisteredClient]
    ends: dict[str, Any]

    def describe(self, fingerprint: str, email: str, company: str = "", provider: str = "") -> dict[str, Any]:
        if provider in MICROSOFT_PROVIDERS:
            return self._microsoft(fingerprint, company)
        registered = self.clients.get(fingerprint) if fingerprint else None
        end = self.ends.get(email.lower())
        publishing = publishing_of(self.workspace, fingerprint) if fingerprint else {"declared": None,
                                                                                      "observed": None}
        return {
            "client_id": registered.client.client_id if registered else None,
            "client": (short_id(registered.client.client_id) if registered
                       else f"unregistered ({fingerprint})" if fingerprint else None),
            "client_owner": registered.owner if registered else None,
            "publishing_declared": publishing["declared"], "publishing_observed": publishing["observed"],
            "refresh_token_ends": end.when.date().isoformat() if end is not None else None,
            "refresh_token_ends_soon": bool(end is not None and end.when <= self.horizon),
        }

    def _microsoft(self, fingerprint: str, company: str) -> dict[str, Any]:
        """A Microsoft 365 mailbox's grant: the company's (or the workspace's) Entra app, no publishing status."""
        from mailkit.errors import OAuthError
        from mailkit.oauth.microsoft_client import microsoft_client

        try:
            app = microsoft_client(self.workspace, company)
        except OAuthError:
            app = None
        known = app is not None and bool(fingerprint) and app.fingerprint == fingerprint
        return {"client_id": app.client_id if known else None,
                "client": app.client_id if known else f"unregistered ({fingerprint})" if fingerprint else None,
                "client_owner": (app.company or "workspace") if known else None, "publishing_declared": None,
                "publishing_observed": None, "refresh_token_ends": None, "refresh_token_ends_soon": False}

    @property
    def horizon(self) -> Any:
        from datetime import UTC, datetime, timedelta

        from mailkit.forecast.engine import DEFAULT_DAYS

        return datetime.now(UTC) + timedelta(days=DEFAULT_DAYS)


def grant_clients(workspace: Workspace) -> GrantClients:
    """The clients and known refresh-token ends of the workspace's grants."""
    from mailkit.forecast.engine import forecast

    ends = {item.email.lower(): item for item in forecast(workspace, days=36500) if item.kind == "oauth_testing"}
    return GrantClients(workspace, by_fingerprint(workspace), ends)


def list_clients(workspace: Workspace) -> list[dict[str, Any]]:
    """One row per registered client: ID, whose, publishing status (declared, observed), grants it issued."""
    from mailkit.inventory import Inventory

    with Inventory.open(workspace) as inventory:
        counts = dict(inventory.conn.execute(
            "SELECT client_fingerprint, COUNT(*) FROM oauth_grants GROUP BY client_fingerprint").fetchall())
    rows = []
    for fingerprint, registered in by_fingerprint(workspace).items():
        rows.append({"client_id": registered.client.client_id, "short_id": short_id(registered.client.client_id),
                     "company": registered.company, "domain": registered.domain, "owner": registered.owner,
                     "fingerprint": fingerprint, **publishing_of(workspace, fingerprint),
                     "grants": int(counts.get(fingerprint, 0)),
                     "stored_at": str(registered.path) if registered.path else ""})
    return rows


__all__ = ["CLIENTS_DIR", "OBSERVED_SETTING", "PAGE_ERRORS", "PUBLISHING", "PUBLISHING_SETTING", "GrantClients",
           "RegisteredClient", "by_fingerprint", "check_domain", "check_publishing", "client_by_id", "client_for",
           "client_for_refresh", "clients_dir", "company_of", "declare_publishing", "declared_publishing",
           "grant_clients", "list_clients", "observe", "observed_publishing", "page_error", "page_errors_help",
           "publish_command", "publishing_of", "register_scoped_client", "registered_clients", "scoped_path",
           "short_id"]

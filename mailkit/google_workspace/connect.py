"""Connecting a Workspace domain with domain-wide delegation, proven before anything is kept.

`connect_domain` validates the key file, mints a token for one mailbox of the domain and signs in with it
(XOAUTH2 over SMTP, mailkit's own check); with an admin, it also reads the admin's Directory entry as the
admin. Only when that works is the key put in keyring and the domain recorded: a failed attempt changes
nothing, so the domain's accounts go on with their own consent meanwhile. When Google answers
`unauthorized_client`, the outcome's `fix` is the Admin-console path with the client ID and the scopes to
paste there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from mailkit.errors import OAuthError, UsageError
from mailkit.google_workspace.delegation import (
    DELEGATION,
    MAIL_SCOPES,
    UNAUTHORIZED,
    DelegationError,
    admin_console_steps,
    delegated_credentials,
    forget_tokens,
    mint,
)
from mailkit.google_workspace.domains import DelegatedDomain, DelegationStore
from mailkit.google_workspace.keyless import KeylessServiceAccount
from mailkit.google_workspace.keys import ServiceAccountKey, delete_key, load_key_file, save_key
from mailkit.inventory import Inventory
from mailkit.models import Account, build_account, normalize_email
from mailkit.oauth.scopes import DIRECTORY_SCOPE
from mailkit.status import Status
from mailkit.workspace import Workspace


@dataclass
class ConnectOutcome:
    """What `mailkit workspace connect` found; never holds the key or a token."""

    domain: str
    mailbox: str
    service_account: str
    client_id: str
    scopes: list[str]
    status: str
    fix: str = ""
    #: Why it failed, finer than the status: a DelegationError's reason (unauthorized_client, signer_denied, ...).
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == Status.OK.value

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def connect_domain(workspace: Workspace, domain: str,
                   key_file: str | Path | ServiceAccountKey | KeylessServiceAccount, *,
                   mailbox: str | None = None, admin: str | None = None, lang: str = "en") -> ConnectOutcome:
    """Prove the delegation with one mailbox, then keep the key (keyring) and the domain (SQLite). `key_file` is
    the key's path, the key itself (`load_key_text`: an upload in the widgets, never written to disk), or a
    keyless service account (`connect_keyless`), for which nothing but its signer is kept."""
    domain = _domain(domain)
    key = key_file if isinstance(key_file, ServiceAccountKey | KeylessServiceAccount) else load_key_file(key_file)
    account = _mailbox(workspace, domain, mailbox)
    admin = _admin(domain, admin)
    scopes = [*MAIL_SCOPES, DIRECTORY_SCOPE] if admin else list(MAIL_SCOPES)
    outcome = ConnectOutcome(domain, account.email, key.client_email, key.client_id, scopes, Status.OK.value)
    try:
        token = mint(key, account.email).token
    except DelegationError as exc:
        outcome.status, outcome.reason = exc.status.value, exc.reason
        outcome.fix = (admin_console_steps(domain, key.client_id, tuple(scopes), lang) if exc.reason == UNAUTHORIZED
                       else str(exc))
        return outcome
    except OAuthError as exc:
        outcome.status, outcome.fix = exc.status.value, str(exc)
        return outcome
    result = _sign_in(workspace, account, token)
    if not result.ok:
        outcome.status = result.status.value
        outcome.fix = result.diagnosis.remedy(lang, email=account.email, provider="workspace")
        return outcome
    if admin and not _directory_read(outcome, key, admin, lang):
        return outcome
    signer = key.signer if isinstance(key, KeylessServiceAccount) else None
    if signer:
        delete_key(workspace, domain)  # a key the keyless form replaces is of no use, and could leak
    else:
        save_key(workspace, domain, key)
    with Inventory.open(workspace) as inventory:
        DelegationStore(inventory).connect(domain, service_account=key.client_email, client_id=key.client_id,
                                           scopes=scopes, admin=admin, mailbox=account.email, result=outcome.status,
                                           signer=signer)
    forget_tokens(workspace, domain)
    return outcome


def connect_keyless(workspace: Workspace, domain: str, service_account: str, signer: str, *,
                    mailbox: str | None = None, admin: str | None = None, lang: str = "en") -> ConnectOutcome:
    """Connect a domain without a key: Google signs as `service_account` when `signer` (whose consent is in
    keyring: `mailkit workspace signer`) asks. IAM describes the service account first (its client ID is what
    the Admin console names); a signer Google refuses is an outcome whose fix names the role to grant."""
    from mailkit.google_workspace.keyless import lookup_service_account
    from mailkit.google_workspace.signer import has_signer

    domain = _domain(domain)
    signer = normalize_email(signer, "--signer")
    service_account = normalize_email(service_account, "--keyless")
    if not has_signer(workspace, signer):
        raise UsageError(f"--signer: mailkit holds no consent of {signer}: run `mailkit workspace signer {signer}` "
                         "first (a Google account with the role Service Account Token Creator on the service account)")
    try:
        keyless = lookup_service_account(workspace, signer, service_account)
    except OAuthError as exc:
        scopes = [*MAIL_SCOPES, DIRECTORY_SCOPE] if admin else list(MAIL_SCOPES)
        return ConnectOutcome(domain, _mailbox(workspace, domain, mailbox).email, service_account, "", scopes,
                              exc.status.value, str(exc), getattr(exc, "reason", ""))
    return connect_domain(workspace, domain, keyless, mailbox=mailbox, admin=admin, lang=lang)


def _directory_read(outcome: ConnectOutcome, key: ServiceAccountKey | KeylessServiceAccount, admin: str,
                    lang: str) -> bool:
    """Read the admin's own Directory entry as the admin: proves the Directory scope is delegated too."""
    from mailkit.twostep.directory import DirectoryClient, DirectoryError

    try:
        DirectoryClient(delegated_credentials(key, admin, (DIRECTORY_SCOPE,)), admin=admin).get_user(admin)
    except DirectoryError as exc:
        if exc.reason == "delegation":
            outcome.status = Status.DELEGATION_UNAUTHORIZED.value
            outcome.fix = admin_console_steps(outcome.domain, key.client_id, tuple(outcome.scopes), lang)
        else:
            outcome.status, outcome.fix = Status.NOT_CONFIGURED.value, f"--admin {admin}: {exc}"
        return False
    return True


def _sign_in(workspace: Workspace, account: Account, token: str):  # -> CheckResult
    from mailkit.checks.account import check_with
    from mailkit.checks.results import Credentials
    from mailkit.syncio import run_sync

    credentials = Credentials("XOAUTH2", account.login_name, token, source=DELEGATION)
    return run_sync(check_with(account, credentials, workspace=workspace))


def _domain(value: str) -> str:
    domain = value.strip().lower().lstrip("@")
    if not domain or "@" in domain or "." not in domain:
        raise UsageError(f"DOMAIN: {value!r} is not a domain name: give the client's Workspace domain, e.g. "
                         "example.com")
    return domain


def _mailbox(workspace: Workspace, domain: str, given: str | None) -> Account:
    """The mailbox to prove the delegation with: --check, else the domain's inventory account (OAuth first)."""
    with Inventory.open(workspace) as inventory:
        if given:
            email = normalize_email(given, "--check")
            if not email.endswith("@" + domain):
                raise UsageError(f"--check: {email} is not a mailbox of {domain}")
            found = inventory.find_account(email)
            return found or build_account(email, "workspace-check", provider_key="workspace", auth="oauth2")
        accounts = [a for a in inventory.accounts() if a.domain.lower() == domain]
    if not accounts:
        raise UsageError(f"no account of {domain} in the inventory: give a mailbox of the domain with --check "
                         f"MAILBOX@{domain}")
    return sorted(accounts, key=lambda a: (a.auth != "oauth2", a.provider != "workspace", a.email))[0]


def _admin(domain: str, given: str | None) -> str | None:
    if not given:
        return None
    email = normalize_email(given, "--admin")
    if not email.endswith("@" + domain):
        raise UsageError(f"--admin: {email} is not an address of {domain}: the Directory is read as an admin of "
                         "the domain itself")
    return email


def connected_domains(workspace: Workspace) -> list[DelegatedDomain]:
    with Inventory.open(workspace) as inventory:
        return DelegationStore(inventory).all()


def disconnect_domain(workspace: Workspace, domain: str) -> bool:
    """Delete the key from keyring and forget the domain; False when it was not connected."""
    domain = _domain(domain)
    with Inventory.open(workspace) as inventory:
        known = DelegationStore(inventory).delete(domain)
    deleted = delete_key(workspace, domain)
    forget_tokens(workspace, domain)
    return known or deleted


__all__ = ["ConnectOutcome", "connect_domain", "connect_keyless", "connected_domains", "disconnect_domain"]

"""2-Step Verification (2SV) per account: on, off or unknown, with where the answer came from.

App passwords exist only while 2SV is on, so this is the first thing to know about an
app-password account. Sources, best first:

- `directory`: Google Workspace's Admin SDK Directory API (`mailkit.twostep.directory`) through
  a service account, one list call per domain for a bulk check; `directory_oauth` the same,
  authorised by a Workspace admin's own OAuth consent;
- `signin_probe`: consumer Gmail has no API, but a plain-password SMTP sign-in answering
  `534 5.7.9` means 2SV is on, and a password that works means it is off;
- `app_password_signin`: a stored app password that signs in proves 2SV is on;
- `manual`: someone looked at myaccount.google.com and said so (`confirm_manually`), recorded
  with their name and the time.

Every answer is kept in the `twostep` table; a later `unknown` never overwrites a manual answer.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mailkit.checks.results import CheckResult, Credentials, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.errors import UsageError
from mailkit.i18n import N_, gettext
from mailkit.models import Account, normalize_email, now_iso
from mailkit.secrets.store import SecretKind, login_secret, secret_store
from mailkit.status import Status
from mailkit.twostep.directory import ADMIN_OAUTH, SERVICE_ACCOUNT, DirectoryClient, DirectoryError, DirectoryUser
from mailkit.workspace import Workspace

STATES = ("on", "off", "unknown")
DIRECTORY, PROBE, APP_PASSWORD_SIGNIN, MANUAL = "directory", "signin_probe", "app_password_signin", "manual"
DIRECTORY_OAUTH = "directory_oauth"
_VIA = {SERVICE_ACCOUNT: (DIRECTORY, "service account"),
        ADMIN_OAUTH: (DIRECTORY_OAUTH, "the admin's own OAuth consent")}
GOOGLE_PROVIDERS = frozenset({"gmail", "workspace"})
PROBE_CONCURRENCY = 4
#: Makes the Directory client for a domain; DirectoryError when there is none.
DirectoryFactory = Callable[[str], DirectoryClient]

MANUAL_STEPS = N_("How to see whether 2-Step Verification is on[[ for {email}]]:\n"
                  "1. Sign in at https://myaccount.google.com[[ as {email}]].\n"
                  '2. Open Security ("How you sign in to Google") → 2-Step Verification: it says On or Off.\n'
                  "3. If it is On, open App passwords (https://myaccount.google.com/apppasswords), create one named "
                  "after the company and copy the 16 letters; then run `mailkit secret set {email}`.\n"
                  "4. Record what you saw: `mailkit twostep confirm {email} --state on|off --by YOUR-NAME`.")


@dataclass
class TwoStepStatus:
    """What is known about one account's 2SV, from which source and when."""

    email: str
    state: str
    enforced: bool | None
    source: str
    checked_at: str
    confirmed_by: str | None = None
    detail: str = ""

    @property
    def known(self) -> bool:
        return self.state != "unknown"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def manual_steps(lang: str | None = None, email: str | None = None) -> str:
    """Where to look at myaccount.google.com and how to record it, in en, es or pl."""
    from mailkit.diagnose import render

    return render(gettext(lang, MANUAL_STEPS), {"email": email})


# --- the twostep table --------------------------------------------------------------------
def save(inventory: Any, status: TwoStepStatus) -> None:
    """Store the newest answer for the account (one row per account)."""
    enforced = None if status.enforced is None else int(status.enforced)
    with inventory.transaction() as tx:
        tx.execute("INSERT INTO twostep (account_id, state, enforced, source, checked_at, confirmed_by, detail) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET state = excluded.state, "
                   "enforced = excluded.enforced, source = excluded.source, checked_at = excluded.checked_at, "
                   "confirmed_by = excluded.confirmed_by, detail = excluded.detail",
                   (inventory.account_id(status.email), status.state, enforced, status.source, status.checked_at,
                    status.confirmed_by, status.detail))


def stored(inventory: Any, email: str) -> TwoStepStatus | None:
    """The last recorded answer for one account, or None."""
    rows = _rows(inventory, "WHERE a.email = ?", (email.strip(),))
    return rows[0] if rows else None


def stored_all(inventory: Any, company: str | None = None) -> list[TwoStepStatus]:
    """Every recorded answer (one company's), ordered like the inventory."""
    if company:
        return _rows(inventory, "WHERE a.company_slug = ?", (inventory.company(company).slug,))
    return _rows(inventory, "", ())


def _rows(inventory: Any, where: str, args: tuple) -> list[TwoStepStatus]:
    sql = ("SELECT a.email, t.state, t.enforced, t.source, t.checked_at, t.confirmed_by, t.detail FROM twostep t "
           f"JOIN accounts a ON a.id = t.account_id {where} ORDER BY a.company_slug, a.email")
    return [TwoStepStatus(r["email"], r["state"], None if r["enforced"] is None else bool(r["enforced"]),
                          r["source"], r["checked_at"], r["confirmed_by"], r["detail"])
            for r in inventory.conn.execute(sql, args)]


def record(inventory: Any, status: TwoStepStatus) -> TwoStepStatus:
    """Save an automatic answer, except that `unknown` never replaces a known one (a person's confirmation, a
    Directory answer, a 534 5.7.9 seen earlier): not knowing now is no news about the account."""
    previous = stored(inventory, status.email)
    if not status.known and previous is not None and previous.known:
        return previous
    save(inventory, status)
    return status


def confirm_manually(inventory: Any, email: str, state: str, confirmed_by: str, *, detail: str = "") -> TwoStepStatus:
    """Record what a person saw at myaccount.google.com, with their name and the time."""
    account = inventory.account(email)
    state = (state or "").strip().lower()
    if state not in ("on", "off"):
        raise UsageError(f"--state must be 'on' or 'off', not {state!r}")
    if not (confirmed_by or "").strip():
        raise UsageError("say who looked (--by NAME): a manual answer is only as good as the person behind it")
    status = TwoStepStatus(account.email, state, None, MANUAL, now_iso(), confirmed_by.strip(),
                           detail or "seen at myaccount.google.com → Security → 2-Step Verification")
    save(inventory, status)
    return status


# --- sources ----------------------------------------------------------------------------
def from_directory(account: Account, user: DirectoryUser | None, admin: str,
                   via: str = SERVICE_ACCOUNT) -> TwoStepStatus:
    """The answer the Directory gave (or its silence about the account); `via` how it was authorised."""
    source, how = _VIA.get(via, _VIA[SERVICE_ACCOUNT])
    if user is None:
        return unknown(account, source, f"{account.email} is not in the directory that {admin} can read ({how})")
    return TwoStepStatus(account.email, "on" if user.enrolled else "off", user.enforced, source, now_iso(),
                         detail=f"Admin SDK Directory as {admin} ({how}): "
                                f"isEnrolledIn2Sv={str(user.enrolled).lower()}, "
                                f"isEnforcedIn2Sv={str(user.enforced).lower()}")


def unknown(account: Account, source: str, detail: str) -> TwoStepStatus:
    return TwoStepStatus(account.email, "unknown", None, source, now_iso(), detail=detail)


def from_probe(account: Account, result: CheckResult, *, app_password: bool = False) -> TwoStepStatus:
    """What a sign-in says about 2SV: 534 5.7.9 -> on; a working password -> off; else unknown."""
    reply = result.diagnosis.raw or result.status.value
    if app_password:
        if result.ok:
            return TwoStepStatus(account.email, "on", None, APP_PASSWORD_SIGNIN, now_iso(),
                                 detail="the stored app password signs in, and app passwords exist only with 2SV on")
        return unknown(account, APP_PASSWORD_SIGNIN, f"the stored app password did not sign in ({reply})")
    if result.status is Status.APP_PASSWORD_REQUIRED and result.diagnosis.variant != "criteria":  # Google's 534
        return TwoStepStatus(account.email, "on", None, PROBE, now_iso(),
                             detail=f"the account password was refused with 'application-specific password "
                                    f"required' ({reply})")
    if result.ok:
        return TwoStepStatus(account.email, "off", None, PROBE, now_iso(),
                             detail="the account password signs in over SMTP, which Google allows only without 2SV")
    why = {Status.BAD_CREDENTIALS: "the account password was not accepted (wrong, or password sign-in is off)",
           Status.WEB_LOGIN_REQUIRED: "Google wants a browser sign-in first"}.get(result.status, result.status.value)
    return unknown(account, PROBE, f"{why}: {reply}")


async def probe(account: Account, password: str, *, timeouts: Timeouts | None = None,
                app_password: bool = False) -> TwoStepStatus:
    """Sign in over SMTP with a password (or stored app password) and infer 2SV from the answer."""
    result = await check_smtp(account, Credentials("PASSWORD", account.login_name, password), timeouts=timeouts)
    return from_probe(account, result, app_password=app_password)


# --- the check ------------------------------------------------------------------------------
async def check_twostep(inventory: Any, accounts: Iterable[Account], *, workspace: Workspace | None = None,
                        passwords: Mapping[str, str] | None = None, directory: DirectoryFactory | None = None,
                        timeouts: Timeouts | None = None, save_results: bool = True) -> list[TwoStepStatus]:
    """2SV of each account, recorded in the inventory; returns them in the order given.

    Workspace accounts are read from the Directory (one users.list per domain when several are
    asked for); the rest, and Workspace accounts whose Directory cannot be read, are probed with
    their account password (`passwords`, else the keyring's) or their stored app password.
    """
    workspace = workspace or Workspace()
    accounts = list(accounts)
    directory = directory or (lambda domain: DirectoryClient.for_domain(workspace, domain))
    found: dict[str, TwoStepStatus] = {}
    fallback: dict[str, str] = {}
    for domain, members in _workspace_domains(accounts).items():
        results, error = await asyncio.to_thread(_read_domain, directory, domain, members)
        found.update(results)
        for account in members:
            if account.email not in results:
                fallback[account.email] = error
    rest = [a for a in accounts if a.email not in found]
    probed = await _probe_all(rest, workspace, passwords or {}, fallback, timeouts)
    found.update(probed)
    answers = [found[a.email] for a in accounts]
    return [record(inventory, answer) for answer in answers] if save_results else answers


def _workspace_domains(accounts: list[Account]) -> dict[str, list[Account]]:
    domains: dict[str, list[Account]] = defaultdict(list)
    for account in accounts:
        if account.provider == "workspace":
            domains[account.domain.lower()].append(account)
    return domains


def _read_domain(directory: DirectoryFactory, domain: str,
                 members: list[Account]) -> tuple[dict[str, TwoStepStatus], str]:
    """The Directory's answers for a domain's accounts (one users.list when more than one), or the error."""
    try:
        client = directory(domain)
        if len(members) == 1:
            users = {members[0].email.lower(): _get_or_none(client, members[0].email)}
        else:
            users = client.list_domain(domain)
    except DirectoryError as exc:
        return {}, f"Directory API ({exc.reason}): {exc}"
    return {a.email: from_directory(a, users.get(a.email.lower()), client.admin, client.via) for a in members}, ""


def _get_or_none(client: DirectoryClient, email: str) -> DirectoryUser | None:
    try:
        return client.get_user(email)
    except DirectoryError as exc:
        if exc.reason == "not_found":
            return None
        raise


async def _probe_all(accounts: list[Account], workspace: Workspace, passwords: Mapping[str, str],
                     earlier: Mapping[str, str], timeouts: Timeouts | None) -> dict[str, TwoStepStatus]:
    gate = asyncio.Semaphore(PROBE_CONCURRENCY)
    given = {normalize_email(k).lower(): v for k, v in passwords.items()}

    async def one(account: Account) -> TwoStepStatus:
        async with gate:
            answer = await _probe_one(account, workspace, given.get(account.email.lower()), timeouts)
        if earlier.get(account.email) and not answer.known:
            answer.detail = f"{earlier[account.email]}; {answer.detail}"
        return answer

    answers = await asyncio.gather(*(one(a) for a in accounts))
    return {a.email: answer for a, answer in zip(accounts, answers, strict=True)}


async def _probe_one(account: Account, workspace: Workspace, password: str | None,
                     timeouts: Timeouts | None) -> TwoStepStatus:
    if account.provider not in GOOGLE_PROVIDERS:
        return unknown(account, PROBE, f"2-Step Verification is a Google setting; {account.provider} is not Google")
    store = secret_store(workspace)
    password = password or store.get(account.email, SecretKind.PASSWORD)
    if password:
        return await probe(account, password, timeouts=timeouts)
    app_password = store.get(account.email, SecretKind.APP_PASSWORD)
    if app_password:
        return await probe(account, login_secret(SecretKind.APP_PASSWORD, app_password), timeouts=timeouts,
                           app_password=True)
    return unknown(account, PROBE, "no account password known to test with: confirm by hand "
                                   f"(`mailkit twostep confirm {account.email} --state on|off --by NAME`)")


__all__ = [
    "APP_PASSWORD_SIGNIN", "DIRECTORY", "DIRECTORY_OAUTH", "MANUAL", "MANUAL_STEPS", "PROBE", "STATES", "TwoStepStatus",
    "check_twostep", "confirm_manually", "from_directory", "from_probe", "manual_steps", "probe", "record",
    "save", "stored", "stored_all",
]

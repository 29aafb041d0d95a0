"""Which users of a Workspace domain hold app passwords, what each is called, when it was created and last used
(Admin SDK Directory `asps.list`, scope `admin.directory.user.security`).

Google returns names, numeric ids (`codeId`) and times, never the password itself. Times are epoch milliseconds
written as strings, "0" when unknown (creation) or never (use). Each listing is kept in SQLite
(`security_records`), and the report's "app passwords (n, last used)" column reads the latest.

    from mailkit.google_workspace import list_app_passwords
    listing = list_app_passwords(workspace, "client.example")
    [a for a in listing.items if a.stale(90)]       # unused for 90 days
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mailkit.oauth.scopes import DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE

if TYPE_CHECKING:
    from mailkit.twostep.directory import DirectoryClient
    from mailkit.workspace import Workspace

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Users asked at once. Google's default quota (2,400 queries a minute per user of the project) allows this; the
#: Directory client's backoff takes the odd quota answer.
PARALLEL = 8
#: What listing and revoking need: reading the users, and their security (app passwords, tokens).
SECURITY_SCOPES = (DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE)


@dataclass(frozen=True)
class AppPassword:
    """One app password of a user, as the Directory describes it (no secret)."""

    email: str
    code_id: int
    name: str = ""
    created: datetime | None = None  # None: Google does not know
    last_used: datetime | None = None  # None: never used

    def idle_since(self) -> datetime | None:
        """Since when it has not been used: its last use, else its creation (None when neither is known)."""
        return self.last_used or self.created

    def stale(self, days: float, now: datetime | None = None) -> bool:
        """Unused for `days`: last used (or, never used, created) longer ago; never used and of unknown age counts
        as stale, since nothing shows it was ever needed."""
        since = self.idle_since()
        return since is None or (now or datetime.now(UTC)) - since >= timedelta(days=days)

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "code_id": self.code_id, "name": self.name,
                "created": _iso(self.created), "last_used": _iso(self.last_used)}


@dataclass
class AppPasswordListing:
    """A domain's app passwords: who was listed, as which admin, and what they hold."""

    domain: str
    admin: str
    users: list[str] = field(default_factory=list)
    items: list[AppPassword] = field(default_factory=list)

    def of(self, email: str) -> list[AppPassword]:
        return [a for a in self.items if a.email.lower() == email.lower()]

    def holders(self) -> list[str]:
        """The users with at least one app password, in listing order."""
        return list(dict.fromkeys(a.email for a in self.items))

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "admin": self.admin, "users_listed": len(self.users),
                "users_with_app_passwords": len(self.holders()), "app_passwords": [a.to_dict() for a in self.items]}


def parse_millis(value: object) -> datetime | None:
    """Google's int64 epoch milliseconds (a string, or a number) as aware UTC; None for "0", negatives and
    anything unreadable."""
    if isinstance(value, bool):
        return None
    try:
        millis = int(str(value).strip()) if isinstance(value, str | int) else None
    except ValueError:
        return None
    if millis is None or millis <= 0:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=millis)  # exact, where a float of seconds is not
    except OverflowError:
        return None


def parse_asp(email: str, raw: dict[str, Any]) -> AppPassword | None:
    """An Asp resource as an AppPassword; None without a usable codeId."""
    code = raw.get("codeId")
    if isinstance(code, bool) or not isinstance(code, int | str) or not _is_number(str(code).strip()):
        return None
    return AppPassword(email, int(str(code).strip()), str(raw.get("name") or ""), parse_millis(raw.get("creationTime")),
                       parse_millis(raw.get("lastTimeUsed")))


def security_client(workspace: Workspace, domain: str) -> DirectoryClient:
    """A Directory client of the domain that may read users and their app passwords and tokens."""
    from mailkit.twostep.directory import DirectoryClient

    return DirectoryClient.for_domain(workspace, domain, scopes=SECURITY_SCOPES)


def domain_users(workspace: Workspace, domain: str, users: Iterable[str] | None,
                 client: DirectoryClient) -> list[str]:
    """The addresses to look at: the ones given (checked against the Directory), else every user of the domain."""
    from mailkit.google_workspace.users import list_users

    found = list_users(workspace, domain, include_suspended=True, only=users, client=client)
    return [u.email for u in found]


def per_user_items(call: Callable[[str], list[dict[str, Any]]], users: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each user's items, asked PARALLEL at a time, in the users' order. A user deleted since the domain was listed
    (404) is left out instead of ending the run. Every other failure (network, scope, admin, a quota still spent
    after the backoff) would hit every user: the requests not yet sent are dropped and it is raised."""
    from mailkit.twostep.directory import DirectoryError

    def one(email: str) -> tuple[str, list[dict[str, Any]] | None]:
        try:
            return email, call(email)
        except DirectoryError as exc:
            if exc.reason != "not_found":
                raise
            return email, None

    pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="mailkit-directory")
    try:
        found = dict(pool.map(one, users))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return {email: items for email, items in found.items() if items is not None}


def list_app_passwords(workspace: Workspace, domain: str, *, users: Iterable[str] | None = None,
                       client: DirectoryClient | None = None, keep: bool = True) -> AppPasswordListing:
    """Every user's app passwords (or the named users'); the listing is kept in SQLite when `keep`."""
    domain = domain.strip().lower()
    client = client or security_client(workspace, domain)
    listing = AppPasswordListing(domain, client.admin, domain_users(workspace, domain, users, client))
    found = per_user_items(client.list_asps, listing.users)
    listing.users = list(found)
    per_user = {email: [a for a in (parse_asp(email, raw) for raw in items) if a is not None]
                for email, items in found.items()}
    listing.items = [a for items in per_user.values() for a in items]
    if keep:
        _keep(workspace, domain, client.admin, per_user)
    return listing


def _keep(workspace: Workspace, domain: str, admin: str, per_user: dict[str, list[AppPassword]]) -> None:
    from mailkit.google_workspace.security_records import save_listing
    from mailkit.schema import connect

    conn = connect(str(workspace.ensure().db_path))
    try:
        save_listing(conn, domain, admin, per_user)
    finally:
        conn.close()


def _is_number(text: str) -> bool:
    """Plain ASCII digits (`isdigit` alone also takes ² and other characters int() refuses)."""
    return text.isascii() and text.isdigit()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


__all__ = ["PARALLEL", "SECURITY_SCOPES", "AppPassword", "AppPasswordListing", "domain_users", "list_app_passwords",
           "parse_asp", "parse_millis", "per_user_items", "security_client"]

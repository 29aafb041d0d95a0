"""A Workspace domain's users as the Admin SDK Directory lists them: name, address, suspension, 2-Step
Verification, last sign-in and aliases — what an admin needs to build the inventory without a spreadsheet.

The Directory pages through users (500 a page); `parse_user` reads one user resource leniently (a field Google
leaves out is "unknown", never a crash), and `lastLoginTime` of 1970-01-01 means the user never signed in.

    from mailkit.google_workspace import list_users
    users = list_users(workspace, "client.example")              # every active user, every page
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mailkit.errors import UsageError
from mailkit.models import normalize_email

if TYPE_CHECKING:
    from mailkit.twostep.directory import DirectoryClient
    from mailkit.workspace import Workspace

#: The fields of each user mailkit asks the Directory for (a partial response: smaller pages).
USER_FIELDS = ("primaryEmail,name(fullName,givenName,familyName),suspended,isEnrolledIn2Sv,isEnforcedIn2Sv,"
               "lastLoginTime,aliases,isAdmin,orgUnitPath")


@dataclass(frozen=True)
class WorkspaceUser:
    """One user of a Workspace domain, as the Directory reports it."""

    email: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    suspended: bool = False
    enrolled_2sv: bool = False
    enforced_2sv: bool = False
    #: The last sign-in; None when the user never signed in.
    last_login: datetime | None = None
    aliases: tuple[str, ...] = ()
    is_admin: bool = False
    org_unit: str = "/"

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_login"] = self.last_login.isoformat(timespec="seconds") if self.last_login else None
        data["aliases"] = list(self.aliases)
        return data


def parse_user(raw: dict[str, Any]) -> WorkspaceUser | None:
    """A Directory user resource as a WorkspaceUser; None when it names no address."""
    email = str(raw.get("primaryEmail") or "").strip()
    if "@" not in email:
        return None
    name = raw.get("name") if isinstance(raw.get("name"), dict) else {}
    aliases = raw.get("aliases") if isinstance(raw.get("aliases"), list) else []
    return WorkspaceUser(
        email=email, name=_text(name.get("fullName")), given_name=_text(name.get("givenName")),
        family_name=_text(name.get("familyName")), suspended=raw.get("suspended") is True,
        enrolled_2sv=raw.get("isEnrolledIn2Sv") is True, enforced_2sv=raw.get("isEnforcedIn2Sv") is True,
        last_login=parse_google_time(raw.get("lastLoginTime")),
        aliases=tuple(str(a) for a in aliases if isinstance(a, str) and "@" in a),
        is_admin=raw.get("isAdmin") is True, org_unit=_text(raw.get("orgUnitPath")) or "/")


def parse_google_time(value: object) -> datetime | None:
    """An RFC 3339 time of the Directory (`2026-11-20T09:00:00.000Z`) as aware UTC; None for "never" (the epoch
    itself, Google's value for a user who never signed in) and for anything unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None if moment.timestamp() <= 0 else moment.astimezone(UTC)


def list_users(workspace: Workspace, domain: str, *, include_suspended: bool = False,
               only: Iterable[str] | None = None, client: DirectoryClient | None = None,
               page_size: int | None = None) -> list[WorkspaceUser]:
    """The domain's users from the Directory (every page), by address; suspended ones only when asked. `only`
    keeps the named addresses (or aliases) and is refused with UsageError when one is not a user of the domain."""
    from mailkit.twostep.directory import PAGE_SIZE, DirectoryClient

    domain = domain.strip().lower()
    client = client or DirectoryClient.for_domain(workspace, domain)
    pages = client.list_users(domain, USER_FIELDS, page_size=page_size or PAGE_SIZE)
    found = [u for u in (parse_user(raw) for raw in pages) if u is not None]
    found.sort(key=lambda u: u.email.lower())
    if only is not None:
        found = _pick(found, domain, only)
    return [u for u in found if include_suspended or not u.suspended or only is not None]


def _pick(users: list[WorkspaceUser], domain: str, wanted: Iterable[str]) -> list[WorkspaceUser]:
    """The users named by address or alias, in the order given; one unknown address is a usage error."""
    by_address = {a.lower(): u for u in users for a in (u.email, *u.aliases)}
    picked: dict[str, WorkspaceUser] = {}
    for item in wanted:
        email = normalize_email(item, "--only").lower()
        user = by_address.get(email)
        if user is None:
            raise UsageError(f"--only: {email} is not a user of {domain} in the Directory: check the address, "
                             f"or list the users with `mailkit workspace users {domain}`")
        picked.setdefault(user.email.lower(), user)
    return list(picked.values())


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


__all__ = ["USER_FIELDS", "WorkspaceUser", "list_users", "parse_google_time", "parse_user"]

"""Adding a Workspace domain's users to the inventory, as a company's accounts: Google's servers, OAuth 2.0,
the Directory's full name as display name. An address already in the inventory is left exactly as it is (the
admin may have set it up by hand); the outcome of each user is one line.

    from mailkit.google_workspace import import_users, list_users
    lines = import_users(workspace, list_users(workspace, "client.example"), company="client")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mailkit.i18n import N_, text

if TYPE_CHECKING:
    from mailkit.google_workspace.users import WorkspaceUser
    from mailkit.workspace import Workspace

Outcome = Literal["added", "skipped"]
_WORDS = {
    "added": N_("added: {email} to {company} (Google Workspace, OAuth 2.0)"),
    "exists": N_("skipped: {email} is already in the inventory (company {company}); left as it is"),
}


@dataclass(frozen=True)
class ImportLine:
    """What became of one user."""

    email: str
    outcome: Outcome
    company: str
    why: str = ""  # "exists" for a skipped row

    def message(self, lang: str | None = None) -> str:
        return text(lang, _WORDS["added" if self.outcome == "added" else self.why], email=self.email,
                    company=self.company)

    def to_dict(self) -> dict[str, str]:
        return {"email": self.email, "outcome": self.outcome, "company": self.company, "why": self.why}


def import_users(workspace: Workspace, users: Iterable[WorkspaceUser], company: str) -> list[ImportLine]:
    """Add each user as an account of `company` (slug or name) in one transaction; existing addresses are
    skipped untouched. NotFoundError when the company does not exist."""
    from mailkit.inventory import Inventory
    from mailkit.models import build_account

    lines: list[ImportLine] = []
    with Inventory.open(workspace) as inventory:
        slug = inventory.company(company).slug
        with inventory.transaction():
            for user in users:
                existing = inventory.find_account(user.email)
                if existing is not None:
                    lines.append(ImportLine(existing.email, "skipped", existing.company, "exists"))
                    continue
                account = build_account(user.email, slug, provider_key="workspace", auth="oauth2",
                                        display_name=user.name or None)
                inventory.upsert_account(account)
                lines.append(ImportLine(account.email, "added", slug))
    return lines


__all__ = ["ImportLine", "import_users"]

"""`forecast(workspace, days)`: every account's coming breakages within `days`, soonest first.

An item is kept when it breaks within the horizon or already broke; Microsoft's end of basic authentication,
a date announced long before, is shown `NOTICE` days ahead whatever the horizon (moving a mailbox to OAuth
takes an Entra app and a consent per mailbox).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailkit.forecast.facts import gather
from mailkit.forecast.items import ForecastItem
from mailkit.forecast.rules import RULES
from mailkit.inventory import Inventory
from mailkit.workspace import Workspace

DEFAULT_DAYS = 14
#: Days ahead that an announced retirement is shown, whatever the horizon.
NOTICE = {"basic_auth_retirement": 90}


def forecast(workspace: Workspace, days: float = DEFAULT_DAYS, *, company: str | None = None,
             now: datetime | None = None) -> list[ForecastItem]:
    """What will break in the next `days` (and what already broke), soonest first; `company`: one company's."""
    now = now or datetime.now(UTC)
    with Inventory.open(workspace) as inventory:
        facts = gather(inventory, company, now)
    items = [item for f in facts for rule in RULES if (item := rule(f, now, workspace)) is not None]
    return sorted((i for i in items if _within(i, now, days)), key=lambda i: (i.when, i.company, i.email))


def _within(item: ForecastItem, now: datetime, days: float) -> bool:
    horizon = max(float(days), float(NOTICE.get(item.kind, 0)))
    return item.when <= now + timedelta(days=horizon)


__all__ = ["DEFAULT_DAYS", "NOTICE", "forecast"]

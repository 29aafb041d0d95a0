"""Basic-auth readiness: which Microsoft 365 mailboxes still sign in with a password and so break when
Microsoft turns basic authentication off for SMTP AUTH (by default at the end of December 2026, notice
MC786329), across every company.

A mailbox is `ready` when it signs in with OAuth 2.0; `will_break` when it signs in with a password (an app
password is one too) that Microsoft still takes, or that was not checked yet; `blocked` when its latest
check shows Microsoft already refusing the password for that reason (SMTP AUTH off, security defaults,
basic authentication off). Microsoft 365 accounts are those of provider microsoft365, and any account whose
SMTP host is Microsoft's (a "custom" row pointed at smtp.office365.com is Microsoft's all the same).

    from mailkit.reports.readiness import readiness_frame
    readiness_frame(lang="es")           # one row per Microsoft 365 mailbox, worst first
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from mailkit.i18n import N_, gettext, resolve_lang, text
from mailkit.reports.frames import _database, localize
from mailkit.status import Status
from mailkit.workspace import Workspace

#: The day Microsoft's default turns basic authentication off for SMTP AUTH in existing tenants.
RETIREMENT = date(2026, 12, 31)
READY, WILL_BREAK, BLOCKED = "ready", "will_break", "blocked"
#: Latest statuses that show Microsoft already refusing the password because it is a password.
REFUSED_AS_BASIC = frozenset({Status.SMTP_AUTH_DISABLED, Status.SECURITY_DEFAULTS, Status.BASIC_AUTH_DISABLED})
COLUMNS = ["company", "company_name", "email", "auth", "status", "readiness", "will_break", "deadline",
           "days_left", "action", "last_check"]
_ORDER = {BLOCKED: 0, WILL_BREAK: 1, READY: 2}

#: What to do, per readiness; {email} is the mailbox, {date} the retirement day.
ACTIONS = {
    READY: N_("Nothing to do: it signs in with OAuth 2.0, which keeps working after basic authentication is "
              "retired."),
    WILL_BREAK: N_("It signs in with a password, which stops working when Microsoft turns basic authentication "
                   "off ({date} by default): move it to OAuth with `mailkit oauth login {email}` and set the "
                   "business software to OAuth."),
    BLOCKED: N_("Microsoft already refuses its password ({status}): move it to OAuth now with `mailkit oauth "
                "login {email}`; `mailkit check {email}` shows the cause and the admin's step."),
}

_SQL = """
WITH latest AS (
    SELECT account_id, status, checked_at,
           ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY checked_at DESC, run_id DESC) AS n
    FROM results)
SELECT a.company_slug AS company, c.name AS company_name, a.email, a.auth, l.status, l.checked_at AS last_check
FROM accounts a
JOIN companies c ON c.slug = a.company_slug
LEFT JOIN latest l ON l.account_id = a.id AND l.n = 1
WHERE (a.provider = 'microsoft365' OR lower(a.smtp_host) IN ('smtp.office365.com', 'smtp-mail.outlook.com')
       OR lower(a.smtp_host) LIKE '%.outlook.com') {company}
ORDER BY a.company_slug, a.email
"""


def readiness_of(auth: str, status: str | None) -> str:
    """`ready`, `will_break` or `blocked` for a mailbox with this sign-in method and latest status."""
    if auth == "oauth2":
        return READY
    return BLOCKED if status in REFUSED_AS_BASIC else WILL_BREAK


def readiness_frame(workspace: Workspace | None = None, *, lang: str | None = None, company: str | None = None,
                    today: date | None = None) -> pd.DataFrame:
    """One row per Microsoft 365 mailbox: its sign-in method, latest status, readiness, whether it will break
    (or already did), the days left before the retirement and what to do; blocked first, then will_break."""
    chosen = resolve_lang(lang)
    with _database(workspace) as conn:
        frame = pd.read_sql_query(_SQL.format(company="AND a.company_slug = ?" if company else ""), conn,
                                  params=[company] if company else [])
    frame["status"] = frame["status"].fillna("")
    frame["readiness"] = [readiness_of(auth, status) for auth, status in zip(frame["auth"], frame["status"],
                                                                              strict=True)]
    frame["will_break"] = frame["readiness"] != READY
    frame["deadline"] = RETIREMENT.isoformat()
    frame["days_left"] = max(0, (RETIREMENT - (today or datetime.now(UTC).date())).days)
    frame["action"] = [text(chosen, ACTIONS[kind], email=email, status=status, date=RETIREMENT.isoformat())
                       for kind, email, status in zip(frame["readiness"], frame["email"], frame["status"],
                                                      strict=True)]
    frame["last_check"] = pd.to_datetime(frame["last_check"], utc=True, format="ISO8601", errors="coerce")
    frame["order"] = frame["readiness"].map(_ORDER)
    frame = frame.sort_values(["order", "company", "email"], kind="stable").reset_index(drop=True)
    return localize(frame[COLUMNS], lang)


def summary(frame: pd.DataFrame) -> dict[str, int]:
    """How many mailboxes are blocked, will break and are ready (a frame with English headers)."""
    counts = frame["readiness"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in (BLOCKED, WILL_BREAK, READY)}


def readiness_word(kind: str, lang: str | None) -> str:
    """The readiness in `lang`, for tables people read (the frame keeps the stable English word)."""
    return gettext(resolve_lang(lang), _WORDS[kind])


_WORDS = {READY: N_("ready (OAuth)"), WILL_BREAK: N_("will break (password)"),
          BLOCKED: N_("blocked already (password refused)")}

__all__ = ["ACTIONS", "BLOCKED", "COLUMNS", "READY", "REFUSED_AS_BASIC", "RETIREMENT", "WILL_BREAK", "readiness_frame",
           "readiness_of", "readiness_word", "summary"]

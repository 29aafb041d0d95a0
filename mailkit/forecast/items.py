"""One forecast item: which account breaks, when, why and what to do, in the admin's language.

The cause and remedy are catalogue messages (`N_` here, rendered with `text(lang, ...)`) filled with the
item's facts, so `mailkit forecast`, the report and the digest mail say the same words in en/es/pl.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mailkit.i18n import N_, ngettext, text

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Kind:
    """What breaks: a short title, the cause and the remedy (catalogue messages with {fields})."""

    key: str
    title: str
    cause: str
    remedy: str


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("oauth_testing", N_("OAuth consent ends"),
         N_("Google ends the refresh token of {email} on {date}: a consent given to an OAuth client whose consent "
            "screen is in Testing lasts 7 days."),
         N_("Publish the OAuth client (Google Cloud console → OAuth consent screen → Publish app), run "
            "`{publish}`, then authorize again: `mailkit oauth login {email}`.")),
    Kind("oauth_unused", N_("Refresh token unused"),
         N_("The refresh token of {email} was last used on {last_used}; Google drops refresh tokens unused for six "
            "months, so it ends on {date}."),
         N_("Use it before then: `mailkit check {email}`, or audit on a timer: `mailkit schedule install --every "
            "1d`.")),
    Kind("oauth_revoked", N_("OAuth access revoked"),
         N_("Google refused the refresh token of {email} at its last refresh ({date}): access was removed, the "
            "account password changed or the token expired."),
         N_("Authorize again: `mailkit oauth login {email}`.")),
    Kind("app_password_revoked", N_("App password revoked"),
         N_("The app password of {email} worked on {worked} and was refused on {date} ({reply}): Google revokes "
            "every app password when the account password changes."),
         N_("Create a new app password at https://myaccount.google.com/apppasswords and store it: `mailkit secret "
            "set {email}`.")),
    Kind("basic_auth_retirement", N_("Microsoft ends password sign-in"),
         N_("Microsoft turns off basic authentication (passwords) for SMTP AUTH on {date}; {email} still signs in "
            "with a password."),
         N_("Register a Microsoft Entra app (`mailkit oauth client --microsoft --tenant TENANT --client-id APP_ID`), "
            "switch the account to OAuth (`mailkit account add {email} --company {company} --auth oauth2`) and "
            "authorize it: `mailkit oauth login {email}`.")),
    Kind("quota_nearly_used", N_("Daily sending limit nearly used"),
         N_("{sent} test messages were sent from {email} in the last 24 hours, of about {limit} a day Google "
            "allows: business mail may be refused until {until}."),
         N_("Send fewer test messages: audit without --send-test, or send the tests from one account only "
            "(`mailkit audit --send-test --email ADDRESS`).")),
)}


@dataclass(frozen=True)
class ForecastItem:
    """An account that will break (or broke) at `when`, for the reason `kind` names; `facts` fill its texts."""

    email: str
    company: str
    company_name: str
    kind: str
    when: datetime
    facts: dict[str, str] = field(default_factory=dict)

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until it breaks, rounded up (a few hours is '1 day'); 0 or less: it already broke."""
        seconds = (self.when - (now or datetime.now(UTC))).total_seconds()
        return math.ceil(seconds / DAY_SECONDS) if seconds > 0 else math.floor(seconds / DAY_SECONDS)

    def broken(self, now: datetime | None = None) -> bool:
        return self.when <= (now or datetime.now(UTC))

    def _fields(self) -> dict[str, str]:
        return {"email": self.email, "company": self.company, "date": self.when.strftime("%Y-%m-%d"),
                "publish": "mailkit oauth client --published", **self.facts}

    def title(self, lang: str = "en") -> str:
        return text(lang, KINDS[self.kind].title)

    def cause(self, lang: str = "en") -> str:
        return text(lang, KINDS[self.kind].cause, **self._fields())

    def remedy(self, lang: str = "en") -> str:
        return text(lang, KINDS[self.kind].remedy, **self._fields())

    def headline(self, lang: str = "en", now: datetime | None = None) -> str:
        """'breaks in 1 day' or 'broken since 2026-11-30'."""
        days = self.days_left(now)
        if days <= 0:
            return text(lang, N_("broken since {date}"), date=self.when.strftime("%Y-%m-%d"))
        return ngettext(lang, "breaks in {n} day", "breaks in {n} days", days).format(n=days)

    def to_dict(self, lang: str = "en", now: datetime | None = None) -> dict[str, Any]:
        return {"email": self.email, "company": self.company, "company_name": self.company_name, "kind": self.kind,
                "when": self.when.astimezone(UTC).isoformat(timespec="seconds"), "days_left": self.days_left(now),
                "broken": self.broken(now), "title": self.title(lang), "headline": self.headline(lang, now),
                "cause": self.cause(lang), "remedy": self.remedy(lang)}


__all__ = ["KINDS", "ForecastItem", "Kind"]

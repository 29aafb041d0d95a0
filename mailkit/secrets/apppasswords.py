"""App passwords: normalise what the admin pasted, catch the usual mistakes, test before storing.

Google shows an app password as `abcd efgh ijkl mnop`: 16 letters. Admins paste it with spaces,
dashes, upper case, a character too many or too few, a digit where a letter was (0 for o), or
paste the account password instead. Each mistake gets its own message (en, es, pl), also as
the admin types (`validate_as_you_type`). Replacing one keeps the old until the new one has
signed in (Firmao's "delete the old, enter the new", without the gap). Only Google's app passwords
have that shape: another provider's (Fastmail, a company's own server) is stored as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mailkit.errors import SecretStoreError, ValidationError
from mailkit.i18n import N_, text
from mailkit.models import Account
from mailkit.providers import is_google
from mailkit.secrets.store import SecretKind, secret_kind_for, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace

APP_PASSWORD_LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-_.·]+")
_LOOKALIKES = {"0": "o", "1": "l", "5": "s", "8": "b", "6": "g", "9": "g", "2": "z", "4": "a", "7": "t", "3": "e"}

#: Problem code -> message (English: the catalogue's message id).
#: Placeholders: {n} letters, {pos} position, {digit}, {letter}.
MESSAGES: dict[str, str] = {
    "entered": N_("entered: this provider's app passwords have no fixed format; it is tested with a sign-in before "
                  "it is stored"),
    "empty_secret": N_("nothing was entered: paste the app password the mail provider gave"),
    "empty": N_("nothing was entered: paste the 16-letter app password Google showed"),
    "account_password": N_("this looks like the account password (it has digits or symbols), not an app password: "
                           "create an app password at myaccount.google.com/apppasswords and paste the 16 letters "
                           "Google shows"),
    "same_as_password": N_("this is the account's own password: Google refuses it in mail programs once 2-Step "
                           "Verification is on — create an app password at myaccount.google.com/apppasswords"),
    "verification_code": N_("{n} digits: this is a verification code, not an app password — an app password is 16 "
                            "letters"),
    "digit": N_("character {pos} is the digit '{digit}': an app password has letters only — probably the letter "
                "'{letter}'"),
    "short": N_("{n} letters: an app password has 16 — a letter was lost when copying; copy all four groups"),
    "long": N_("{n} letters: an app password has 16 — something extra was copied (a space is fine, a letter is not)"),
    "not_app_password": N_("{n} letters: an app password has exactly 16 (four groups of four) — this is not one; if "
                           "it is the account password, create an app password at myaccount.google.com/apppasswords"),
    "typing": N_("{n} of 16 letters"),
    "looks_right": N_("16 letters: looks right (it is tested with a sign-in before it is stored)"),
}


class AppPasswordError(ValidationError):
    """What was pasted is not an app password; `.problem` is the MESSAGES key. Never holds the value."""

    def __init__(self, problem: str, reason: str):
        self.problem = problem
        super().__init__("app_password", reason)


def message(problem: str, lang: str | None = None, **facts: object) -> str:
    """The text of one problem code in `lang` (en, es, pl; English otherwise)."""
    return text(lang, MESSAGES[problem], **facts)


def diagnose_app_password(raw: str, *, account_password: str | None = None) -> tuple[str, dict[str, object]] | None:
    """The first mistake in what was pasted, as (problem code, facts), or None when it is fine.

    >>> diagnose_app_password("ABCD efgh-ijkl mnop") is None
    True
    >>> diagnose_app_password("abcd efgh ijkl mn0p")
    ('digit', {'pos': 15, 'digit': '0', 'letter': 'o'})
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        return "empty", {}
    if account_password and (raw or "").strip() == account_password.strip():
        return "same_as_password", {}
    if text.isdigit() and 4 <= len(text) <= 10:
        return "verification_code", {"n": len(text)}
    letters = [ch for ch in text if ch.isascii() and ch.isalpha()]
    digits = [(i, ch) for i, ch in enumerate(text) if ch.isdigit()]
    others = len(text) - len(letters) - len(digits)
    if others or len(digits) > 2 or (digits and len(text) != APP_PASSWORD_LENGTH):
        return "account_password", {}
    if digits:
        pos, digit = digits[0]
        return "digit", {"pos": pos + 1, "digit": digit, "letter": _LOOKALIKES.get(digit, "?")}
    if len(text) == APP_PASSWORD_LENGTH:
        return None
    if 12 <= len(text) < APP_PASSWORD_LENGTH:
        return "short", {"n": len(text)}
    if APP_PASSWORD_LENGTH < len(text) <= 20:
        return "long", {"n": len(text)}
    return "not_app_password", {"n": len(text)}


def has_google_format(provider: str | None) -> bool:
    """Only Google's app passwords have a known shape (16 letters); other providers' are taken as given."""
    return is_google((provider or "").strip().lower())


def normalize_secret(raw: str, provider: str | None, *, lang: str | None = None,
                     account_password: str | None = None) -> str:
    """An app password as stored: Google's normalised and checked, any other provider's non-empty as typed."""
    if has_google_format(provider):
        return normalize_app_password(raw, lang=lang, account_password=account_password)
    if not (raw or "").strip():
        raise AppPasswordError("empty_secret", message("empty_secret", lang))
    return raw.strip()


def normalize_app_password(raw: str, *, lang: str | None = None, account_password: str | None = None) -> str:
    """'ABCD efgh-ijkl mnop' -> 'abcdefghijklmnop'; AppPasswordError names the mistake in `lang`."""
    found = diagnose_app_password(raw, account_password=account_password)
    if found is not None:
        problem, facts = found
        raise AppPasswordError(problem, message(problem, lang, **facts))
    return _SEPARATORS.sub("", raw).lower()


def validate_as_you_type(text: str, lang: str | None = "en", provider: str | None = None) -> tuple[bool, str]:
    """(ok, message) for a text field as the admin types or pastes; never raises.

    Still typing (letters only, fewer than 16) is not an error: the message counts the letters. A provider
    other than Google's (given and not gmail/workspace) has no known format: anything non-empty is fine.
    """
    if provider is not None and not has_google_format(provider):
        return (True, message("entered", lang)) if (text or "").strip() else (False, message("empty_secret", lang))
    try:
        cleaned = _SEPARATORS.sub("", text or "")
        if cleaned.isascii() and cleaned.isalpha() and 0 < len(cleaned) < APP_PASSWORD_LENGTH:
            return False, message("typing", lang, n=len(cleaned))
        found = diagnose_app_password(text or "")
        if found is None:
            return True, message("looks_right", lang)
        return False, message(found[0], lang, **found[1])
    except (TypeError, AttributeError, KeyError, ValueError):  # a widget callback must never break the form
        return False, message("empty", "en")


def secret_age_days(inventory: Any, email: str, kind: str = SecretKind.APP_PASSWORD.value,
                    now: datetime | None = None) -> int | None:
    """Whole days since the secret was set (for reports), or None when mailkit never stored one."""
    set_at = inventory.secret_facts(email).get(kind, {}).get("set_at")
    if not set_at:
        return None
    then = datetime.fromisoformat(set_at)
    return ((now or datetime.now(UTC)) - then).days


@dataclass
class SecretOutcome:
    """What `set_account_secret` did. `stored` is False when the test sign-in failed."""

    email: str
    kind: str
    stored: bool
    status: str
    message: str
    kept_previous: bool = False
    replaced: bool = False
    set_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "kind": self.kind, "stored": self.stored, "status": self.status,
                "message": self.message, "kept_previous": self.kept_previous, "replaced": self.replaced,
                "set_at": self.set_at}


def set_account_secret(inventory: Any, account: Account, raw: str, *, test: bool = True,
                       workspace: Workspace | None = None, lang: str | None = None) -> SecretOutcome:
    """Validate, sign in with it (unless test=False), then store; the old secret stays on failure.

    Raises AppPasswordError (a ValidationError) for an app password with an obvious mistake,
    before anything is sent to Google.
    """
    from mailkit.syncio import run_sync

    return run_sync(set_account_secret_async(inventory, account, raw, test=test, workspace=workspace, lang=lang))


async def set_account_secret_async(inventory: Any, account: Account, raw: str, *, test: bool = True,
                                   workspace: Workspace | None = None, lang: str | None = None) -> SecretOutcome:
    """`set_account_secret` for callers that already run an event loop (widgets in Jupyter)."""
    from mailkit.checks.account import check_account
    from mailkit.checks.results import Credentials
    from mailkit.i18n import resolve_lang

    lang = resolve_lang(lang)
    workspace = workspace or Workspace()
    kind = secret_kind_for(account.auth)
    try:
        store = secret_store(workspace)
    except SecretStoreError:
        if kind is SecretKind.APP_PASSWORD:
            normalize_secret(raw, account.provider, lang=lang)  # a typing mistake is named even with no keyring
        raise
    if kind is SecretKind.APP_PASSWORD:
        secret = normalize_secret(raw, account.provider, lang=lang,
                                  account_password=store.get(account.email, SecretKind.PASSWORD))
    else:
        secret = raw
    previous = store.get(account.email, kind)
    had_previous = previous is not None
    if test:
        result = await check_account(account, workspace=workspace,
                                     credentials=Credentials("PASSWORD", account.login_name, secret))
        if not result.ok:
            from mailkit.observations import twostep_on_observed

            twostep_on_observed(inventory, account.email, result.diagnosis, "`mailkit secret set`")
            return _refused(account, kind, result, had_previous, lang)
    store.set(account.email, kind, secret)
    inventory.record_secret_set(account.email, kind.value)
    if test:
        inventory.record_secret_verified(account.email, kind.value)
    set_at = inventory.secret_facts(account.email).get(kind.value, {}).get("set_at")
    verb = "kept (unchanged)" if previous == secret else "replaced" if had_previous else "stored"
    tested = "signed in and " if test else ""
    return SecretOutcome(account.email, kind.value, True, Status.OK.value if test else "untested",
                         f"{tested}{verb} the {kind.value.replace('_', ' ')} for {account.email} in the keyring",
                         replaced=had_previous and previous != secret, set_at=set_at)


def _refused(account: Account, kind: SecretKind, result: Any, had_previous: bool, lang: str) -> SecretOutcome:
    """The outcome of a failed test sign-in: nothing stored, the old secret (if any) untouched."""
    keep = " The stored one was kept." if had_previous else ""
    hint = ""
    if kind is SecretKind.APP_PASSWORD and result.status is Status.APP_PASSWORD_REQUIRED:
        hint = message("same_as_password", lang) + ". "
    remedy = result.diagnosis.remedy(lang, email=account.email, provider=account.provider)
    text = f"not stored: {account.email} did not sign in ({result.status.value}). {hint}{remedy}{keep}"
    return SecretOutcome(account.email, kind.value, False, result.status.value, text, had_previous)


__all__ = [
    "APP_PASSWORD_LENGTH",
    "MESSAGES",
    "AppPasswordError",
    "SecretOutcome",
    "diagnose_app_password",
    "message",
    "normalize_app_password",
    "secret_age_days",
    "set_account_secret",
    "set_account_secret_async",
    "validate_as_you_type",
]

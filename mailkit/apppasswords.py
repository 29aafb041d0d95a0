"""App passwords: normalise what the admin pasted, catch the usual mistakes, test before storing.

Google shows an app password as `abcd efgh ijkl mnop`: 16 letters. Admins paste it with spaces,
dashes, upper case, a character too many or too few, or paste the account password instead.
Replacing one keeps the old until the new one has signed in (Firmao's "delete the old, enter
the new", without the gap).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mailkit.errors import ValidationError
from mailkit.models import Account
from mailkit.secrets import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace

APP_PASSWORD_LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-_.·]+")

MESSAGES = {
    "empty": "nothing was entered: paste the 16-letter app password Google showed",
    "digit": "an app password has letters only, no digits: this looks like the account password or a "
             "verification code — create an app password at myaccount.google.com/apppasswords",
    "symbol": "an app password has letters only: this looks like the account password — create an app "
              "password at myaccount.google.com/apppasswords",
    "short": "{n} letters: an app password has 16 — a letter was lost when copying; copy all four groups",
    "long": "{n} letters: an app password has 16 — something extra was copied (a space is fine, a letter is not)",
}


def normalize_app_password(raw: str) -> str:
    """'ABCD efgh-ijkl mnop' -> 'abcdefghijklmnop'; ValidationError names the mistake."""
    text = _SEPARATORS.sub("", raw or "").lower()
    if not text:
        raise ValidationError("app_password", MESSAGES["empty"])
    if any(ch.isdigit() for ch in text):
        raise ValidationError("app_password", MESSAGES["digit"])
    if not text.isascii() or not text.isalpha():
        raise ValidationError("app_password", MESSAGES["symbol"])
    if len(text) != APP_PASSWORD_LENGTH:
        key = "short" if len(text) < APP_PASSWORD_LENGTH else "long"
        raise ValidationError("app_password", MESSAGES[key].format(n=len(text)))
    return text


@dataclass
class SecretOutcome:
    """What `set_account_secret` did. `stored` is False when the test sign-in failed."""

    email: str
    kind: str
    stored: bool
    status: str
    message: str
    kept_previous: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "kind": self.kind, "stored": self.stored, "status": self.status,
                "message": self.message, "kept_previous": self.kept_previous}


def set_account_secret(inventory: Any, account: Account, raw: str, *, test: bool = True,
                       workspace: Workspace | None = None, lang: str | None = None) -> SecretOutcome:
    """Validate, sign in with it (unless test=False), then store; the old secret stays on failure."""
    from mailkit.check import check_account
    from mailkit.i18n import resolve_lang
    from mailkit.smtp import Credentials, run_sync

    workspace = workspace or Workspace()
    kind = SecretKind.APP_PASSWORD if account.auth == "app_password" else SecretKind.PASSWORD
    secret = normalize_app_password(raw) if kind is SecretKind.APP_PASSWORD else raw
    store = secret_store(workspace)
    had_previous = store.get(account.email, kind) is not None
    if test:
        result = run_sync(check_account(account, workspace=workspace,
                                        credentials=Credentials("PASSWORD", account.login_name, secret)))
        if not result.ok:
            keep = " The stored one was kept." if had_previous else ""
            message = (f"not stored: {account.email} did not sign in ({result.status.value}). "
                       f"{result.diagnosis.remedy(resolve_lang(lang), email=account.email)}{keep}")
            return SecretOutcome(account.email, kind.value, False, result.status.value, message, had_previous)
    store.set(account.email, kind, secret)
    inventory.record_secret_set(account.email, kind.value)
    if test:
        inventory.record_secret_verified(account.email, kind.value)
    verb = "replaced" if had_previous else "stored"
    tested = "signed in and " if test else ""
    return SecretOutcome(account.email, kind.value, True, Status.OK.value if test else "untested",
                         f"{tested}{verb} the {kind.value.replace('_', ' ')} for {account.email} in the keyring")

"""A 300-user sandbox Workspace domain (grande.example) with app passwords and third-party tokens, and a second
small domain (otra.example) whose admin must not see it. The app passwords are fake, made here, and handed to the
suite's leak scan."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mailkit.sandbox.runner import SandboxThread
from tests.leak_scan import SECRETS

DOMAIN = "grande.example"
OTHER = "otra.example"
ADMIN = f"admin@{DOMAIN}"
USERS = 300  # the admin and 299 others
ERP_CLIENT = "402911887766-erpfacturas.apps.googleusercontent.com"
CALENDAR_CLIENT = "553311224455-calsync.apps.googleusercontent.com"
MAIL_SCOPE = "https://mail.google.com/"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


def user(number: int) -> str:
    return f"user{number:03d}@{DOMAIN}"


@dataclass
class DomainFile:
    """The accounts file and what it holds (the app password values stay here, for sign-ins and the leak scan)."""

    path: Path
    app_passwords: dict[str, list[str]] = field(default_factory=dict)
    suspended: set[str] = field(default_factory=set)


def _app_password(rnd: random.Random) -> str:
    letters = "".join(rnd.choice(string.ascii_lowercase) for _ in range(16))
    return " ".join(letters[i:i + 4] for i in range(0, 16, 4))


def write_domain(folder: Path) -> DomainFile:
    """Write the accounts file: users 1-12 hold app passwords (odd ones a second, unused one made in 2025),
    users 1-4 tokens for an ERP (mail) and a calendar app, every 50th user is suspended."""
    rnd = random.Random(15)
    folder.mkdir(parents=True, exist_ok=True)
    result = DomainFile(folder / "grande.toml")
    tables = [_table(ADMIN, admin=True, two_step=True, enforced=True),
              _table(f"admin@{OTHER}", admin=True, two_step=True),
              _table(f"ana@{OTHER}", two_step=True)]
    for number in range(1, USERS):
        email = user(number)
        extra: list[str] = []
        if number <= 12:
            values = [_app_password(rnd)] + ([_app_password(rnd)] if number % 2 else [])
            result.app_passwords[email] = values
            SECRETS.update({v for p in values for v in (p, p.replace(" ", ""))})
            extra.append("app_passwords = [" + ", ".join(f'"{v}"' for v in values) + "]")
            details = [f'{{ name = "ERP facturas {number}", created = 2026-0{1 + number % 9}-10T08:00:00Z, '
                       f'last_used = 2026-11-{10 + number:02d}T09:30:00Z }}']
            if number % 2:
                details.append(f'{{ name = "Scanner {number}", created = 2025-03-01T00:00:00Z }}')
            extra.append("app_password_details = [" + ", ".join(details) + "]")
        if number <= 4:
            extra.append(f'tokens = [{{ client_id = "{ERP_CLIENT}", display_text = "ERP Facturas", scopes = '
                         f'["{MAIL_SCOPE}"], native_app = true }}, {{ client_id = "{CALENDAR_CLIENT}", '
                         f'display_text = "Calendar sync", scopes = ["{CALENDAR_SCOPE}"] }}]')
        if number % 50 == 0:
            result.suspended.add(email)
            extra.append("suspended = true")
        if number % 10 == 0:
            extra.append(f'aliases = ["alias{number}@{DOMAIN}"]')
        if number % 2 == 0:
            extra.append(f"last_login = 2026-11-{1 + number % 28:02d}T12:00:00Z")
        if number % 7 == 0:
            extra.append('org_unit = "/Ventas"')
        tables.append(_table(email, two_step=number % 3 != 0, enforced=number % 5 == 0, name=f"Usuario {number}",
                             extra=extra))
    result.path.write_text("\n".join(tables), encoding="utf-8")
    return result


def running_domain(domain: DomainFile, state: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    """A sandbox of its own on the domain (revocations change it), MAILKIT_SANDBOX pointing at it; for a fixture
    to `yield from`."""
    with SandboxThread(domain.path, state) as running:
        monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
        yield running


def _table(email: str, *, admin: bool = False, two_step: bool = False, enforced: bool = False, name: str = "",
           extra: list[str] | None = None) -> str:
    lines = ["[[account]]", f'email = "{email}"', "workspace = true", f"two_step = {str(two_step).lower()}",
             f"two_step_enforced = {str(enforced).lower()}"]
    if admin:
        lines.append("admin = true")
    if name:
        lines.append(f'display_name = "{name} - Grande"')
    return "\n".join([*lines, *(extra or []), ""])


__all__ = ["ADMIN", "CALENDAR_CLIENT", "CALENDAR_SCOPE", "DOMAIN", "ERP_CLIENT", "MAIL_SCOPE", "OTHER", "USERS",
           "DomainFile", "running_domain", "user", "write_domain"]

"""A fleet of app-password Gmail accounts (`user000@gmail.com` …) plus one that stays busy, for audits at scale:
the sandbox's accounts file, the inventory and the secrets that match it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.workspace import Workspace

BUSY = "busy@gmail.com"
BUSY_APP_PASSWORD = "bbbb cccc dddd eeee"


def bulk_accounts_file(path: Path, count: int, busy: int = 3) -> Path:
    """A sandbox accounts file: `count` working app-password accounts and one that stays busy `busy` times."""
    lines = []
    for i in range(count):
        lines += ["[[account]]", f'email = "user{i:03d}@gmail.com"', "two_step = true",
                  f'app_passwords = ["{app_password(i)}"]', ""]
    lines += ["[[account]]", f'email = "{BUSY}"', "two_step = true", f'app_passwords = ["{BUSY_APP_PASSWORD}"]',
              f"busy_replies = {busy}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def app_password(i: int) -> str:
    letters = "abcdefghijklmnop"
    return "".join(letters[(i + k) % 16] for k in range(16))


def bulk_workspace(workspace: Workspace, count: int) -> None:
    """The inventory (company `bulk`) and the app passwords in keyring for the fleet of `bulk_accounts_file`."""
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("bulk", "Bulk SA"))
        for i in range(count):
            inventory.upsert_account(build_account(f"user{i:03d}@gmail.com", "bulk", provider_key="gmail",
                                                   auth="app-password"))
        inventory.upsert_account(build_account(BUSY, "bulk", provider_key="gmail", auth="app-password"))
    store = secret_store(workspace)
    for i in range(count):
        store.set(f"user{i:03d}@gmail.com", SecretKind.APP_PASSWORD, app_password(i))
    store.set(BUSY, SecretKind.APP_PASSWORD, BUSY_APP_PASSWORD)


def running_bulk_sandbox(root: Path, count: int, busy: int = 3) -> Iterator[SandboxThread]:
    """A sandbox on a fleet of `count` accounts, for a fixture to `yield from`."""
    with SandboxThread(bulk_accounts_file(root / "accounts.toml", count, busy=busy), root / "state") as running:
        yield running


__all__ = ["BUSY", "app_password", "bulk_accounts_file", "bulk_workspace", "running_bulk_sandbox"]

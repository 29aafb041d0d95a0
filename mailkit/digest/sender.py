"""Which account sends the digest: the inventory account the setting `digest.via` names; else the admin's own
SMTP account described in the settings (`digest.sender`, `digest.smtp_host`, `digest.smtp_port`,
`digest.security`, `digest.auth`, its password in keyring under that address); else the first account of the
inventory whose latest result is ok (a digest through a broken account would not arrive)."""

from __future__ import annotations

from mailkit.audit_store import AuditStore
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account, build_account
from mailkit.status import Status
from mailkit.workspace import Workspace

#: The company slug the admin's own account is filed under (it is not an inventory account).
ADMIN = "_admin"


def pick_sender(workspace: Workspace) -> Account | None:
    """The account to send through, or None when there is none that can."""
    via = str(workspace.setting("digest.via", "") or "").strip()
    with Inventory.open(workspace) as inventory:
        if via:
            found = inventory.find_account(via)
            if found is None:
                raise UsageError(f"settings: digest.via = {via!r} is not an account of the inventory; name one, or "
                                 "remove the setting to send through the first account that is ok")
            return found
        own = admin_account(workspace)
        if own is not None:
            return own
        latest = AuditStore(inventory.conn).latest_statuses()
        ids = AuditStore(inventory.conn).account_ids()
        return next((a for a in inventory.accounts() if latest.get(ids[a.email.lower()]) == Status.OK.value), None)


def check_settings(workspace: Workspace) -> None:
    """Refuse digest settings that cannot work before an audit starts (UsageError naming the setting)."""
    via = str(workspace.setting("digest.via", "") or "").strip()
    if via:
        with Inventory.open(workspace) as inventory:
            if inventory.find_account(via) is None:
                raise UsageError(f"settings: digest.via = {via!r} is not an account of the inventory; name one, or "
                                 "remove the setting to send through the first account that is ok")
    admin_account(workspace)


def admin_account(workspace: Workspace) -> Account | None:
    """The admin's own SMTP account from the settings, or None when none is configured."""
    sender = str(workspace.setting("digest.sender", "") or "").strip()
    if not sender:
        return None
    auth = str(workspace.setting("digest.auth", "password"))
    if auth.replace("-", "_") not in ("password", "app_password"):
        raise UsageError(f"settings: digest.auth = {auth!r}: the admin's own account signs in with 'password' or "
                         "'app-password'")
    host = workspace.setting("digest.smtp_host")
    return build_account(sender, ADMIN, auth=auth, smtp_host=str(host) if host else None,
                         smtp_port=workspace.setting("digest.smtp_port"), security=workspace.setting("digest.security"),
                         provider_key=workspace.setting("digest.provider") or (None if not host else "custom"),
                         detect_timeout=3.0)


__all__ = ["ADMIN", "admin_account", "check_settings", "pick_sender"]

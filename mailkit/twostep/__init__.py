"""2-Step Verification per account (on, off or unknown, and where the answer came from), read from the
Admin SDK Directory API or probed by signing in.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.twostep.directory import (
        DIRECTORY_ADMIN,
        DirectoryClient,
        DirectoryError,
        configure_directory,
        confirm_admin_oauth,
        directory_settings,
    )
    from mailkit.twostep.state import TwoStepStatus, check_twostep, confirm_manually, manual_steps, record, stored_all

_SOURCES: dict[str, list[str]] = {
    "directory": [
        "DIRECTORY_ADMIN",
        "DirectoryClient",
        "DirectoryError",
        "configure_directory",
        "confirm_admin_oauth",
        "directory_settings",
    ],
    "state": ["TwoStepStatus", "check_twostep", "confirm_manually", "manual_steps", "record", "stored_all"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = [
    "DIRECTORY_ADMIN", "DirectoryClient", "DirectoryError", "TwoStepStatus", "check_twostep", "configure_directory",
    "confirm_admin_oauth", "confirm_manually", "directory_settings", "manual_steps", "record", "stored_all"
]

"""Run mailkit's async core from synchronous code (the CLI, scripts).

Inside Jupyter the kernel already runs an event loop, where `asyncio.run` cannot work: there
mailkit refuses plainly and says to `await` the async function instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from mailkit.errors import UsageError


def run_sync(coro: Awaitable[Any]) -> Any:
    """Run a coroutine from synchronous code; inside Jupyter (a running loop) say to await instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    close = getattr(coro, "close", None)
    if close:
        close()
    raise UsageError("an event loop is already running (Jupyter?): use `await` on the async function instead")


__all__ = ["run_sync"]

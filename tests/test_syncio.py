"""run_sync: runs a coroutine from plain code, refuses plainly inside a running loop (Jupyter)."""

from __future__ import annotations

import asyncio

import pytest

from mailkit.errors import UsageError
from mailkit.syncio import run_sync


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_runs_a_coroutine_from_plain_code():
    assert run_sync(_answer()) == 42


def test_inside_a_running_loop_says_to_await_and_closes_the_coroutine():
    async def inside() -> None:
        coro = _answer()
        with pytest.raises(UsageError, match="use `await`"):
            run_sync(coro)
        assert coro.cr_frame is None  # closed: no "never awaited" warning

    asyncio.run(inside())

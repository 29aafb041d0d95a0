"""Run one sandbox until SIGINT/SIGTERM: the body of `mailkit sandbox` and of the background process
`mailkit.sandbox.supervisor` starts (`python -m mailkit.sandbox.serve --state-dir DIR`).

The background entry point imports only the sandbox, not the CLI, so it is up sooner.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailkit.sandbox.runner import Sandbox


async def serve(sandbox: Sandbox, announce: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Start, announce (once every listener is up), wait for a signal, stop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    info = await sandbox.start()
    try:
        if announce is not None:
            announce(info)
        await stopping.wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    """The background sandbox of a workspace (see mailkit.sandbox.supervisor)."""
    parser = argparse.ArgumentParser(prog="python -m mailkit.sandbox.serve")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--accounts", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(Sandbox(args.accounts, args.state_dir)))


if __name__ == "__main__":
    main()

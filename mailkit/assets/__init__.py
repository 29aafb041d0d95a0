"""The files mailkit reads at run time, shipped inside the package and found with importlib.resources.

They live next to this module, so they are there however mailkit was installed (wheel, sdist,
editable checkout), and nothing depends on the folder a command is run from:

- `inventory.csv`: the sample companies and accounts (`mailkit demo`, the notebooks' sandbox mode);
- `samples/factura-A-1024.{pdf,xml,html}`: the invoice test sends carry (`--attachments`);
- `sandbox/accounts.toml`: the sandbox's Google accounts (the one copy: tests and docs point here);
- `sandbox/demo.toml`: what `mailkit demo` stores and consents for each sample account.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

SAMPLE_INVENTORY = "inventory.csv"
SANDBOX_ACCOUNTS = "sandbox/accounts.toml"
DEMO_PLAN = "sandbox/demo.toml"
INVOICE_PDF = "samples/factura-A-1024.pdf"
INVOICE_XML = "samples/factura-A-1024.xml"
INVOICE_HTML = "samples/factura-A-1024.html"

#: Files handed out as paths stay where they are until the process ends (from a zip, a temporary copy).
_KEPT = contextlib.ExitStack()
atexit.register(_KEPT.close)


def asset(name: str) -> Traversable:
    """A shipped file, by its name under mailkit/assets (`/`-separated)."""
    return files(__name__).joinpath(*name.split("/"))


def asset_path(name: str) -> Path:
    """A shipped file as a real path, for what needs one (sandbox.json names its accounts file, pandas reads
    the inventory); FileNotFoundError names the file when the package was built without it."""
    ref = asset(name)
    if not ref.is_file():
        raise FileNotFoundError(f"mailkit/assets/{name} is missing: reinstall mailkit")
    return _KEPT.enter_context(as_file(ref))


def read_bytes(name: str) -> bytes:
    return asset(name).read_bytes()


def read_text(name: str) -> str:
    return asset(name).read_text(encoding="utf-8")


__all__ = ["DEMO_PLAN", "INVOICE_HTML", "INVOICE_PDF", "INVOICE_XML", "SAMPLE_INVENTORY", "SANDBOX_ACCOUNTS",
           "asset", "asset_path", "read_bytes", "read_text"]

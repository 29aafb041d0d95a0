"""Package `__init__`s that import their modules on first use, so `import mailkit.secrets.redaction` (the CLI's
start) never pays for keyring, pandas or google-auth through a package's public names."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(package: str, sources: Mapping[str, Iterable[str]]) -> tuple[Callable[[str], Any],
                                                                             Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, given {module: public names it defines}; each name's module is
    imported the first time the name is asked for (PEP 562)."""
    home = {name: module for module, names in sources.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home[name]}"), name)

    def __dir__() -> list[str]:
        return sorted({*home, *importlib.import_module(package).__dict__})

    return __getattr__, __dir__


__all__ = ["lazy_exports"]

"""The command and the widgets are clients of mailkit's packages like any script: they import each package's
public names (`from mailkit.checks import check_account`), never its modules (`mailkit.checks.account`), so a
package can rearrange its modules without touching them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailkit"
CLIENTS = ("cli", "ui")


def _lazy_packages() -> set[str]:
    return {p.name for p in PACKAGE.iterdir()
            if (p / "__init__.py").exists() and "_SOURCES" in (p / "__init__.py").read_text(encoding="utf-8")}


def _module_imports(folder: str) -> list[tuple[str, int, str, list[str]]]:
    packages = _lazy_packages() - {folder}
    found = []
    for path in sorted((PACKAGE / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if len(parts) > 2 and parts[0] == "mailkit" and parts[1] in packages:
                    found.append((path.name, node.lineno, node.module, [a.name for a in node.names]))
    return found


@pytest.mark.parametrize("folder", CLIENTS)
def test_clients_import_packages_by_their_public_names(folder: str) -> None:
    assert _module_imports(folder) == []


@pytest.mark.parametrize("folder", CLIENTS)
def test_every_name_a_client_imports_from_a_package_is_public(folder: str) -> None:
    packages = _lazy_packages() - {folder}
    wrong = []
    for path in sorted((PACKAGE / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mailkit" \
                    and len(node.module.split(".")) == 2 and node.module.split(".")[1] in packages:
                public = set(importlib.import_module(node.module).__all__)
                wrong += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name not in public]
    assert wrong == []

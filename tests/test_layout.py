"""The package layout: each package's public names are honest and cheap to import, the old flat modules are gone,
and the CLI's command modules do not import each other in a circle."""

from __future__ import annotations

import ast
import graphlib
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailkit"
PACKAGES = ("checks", "oauth", "secrets", "tabular", "twostep", "reports", "domains", "schedule", "forecast",
            "digest", "google_workspace")
HEAVY = ("keyring", "pandas", "openpyxl", "matplotlib", "ipywidgets", "google.auth", "google_auth_oauthlib",
         "requests")
#: The flat modules these packages replaced; none may come back beside them.
OLD_MODULES = ("smtp", "smtp_wire", "netio", "steps", "imap", "check", "messages", "oauth_flow", "oauth_client",
               "oauth_identity", "oauth_loopback", "oauth_store", "google_scopes", "keyring_backends", "redaction",
               "apppasswords", "tabular_read", "tabular_headers", "tabular_report", "twostep_directory",
               "report_export", "report_plots")


@pytest.mark.parametrize("name", PACKAGES)
def test_public_names_resolve_to_their_modules(name: str) -> None:
    package = importlib.import_module(f"mailkit.{name}")
    sources = package._SOURCES
    assert sorted(package.__all__) == sorted(n for names in sources.values() for n in names)
    for module, names in sources.items():
        defining = importlib.import_module(f"mailkit.{name}.{module}")
        for public in names:
            assert getattr(package, public) is getattr(defining, public), f"mailkit.{name}.{public}"
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", PACKAGES)
def test_type_checkers_see_the_same_names(name: str) -> None:
    """The TYPE_CHECKING imports (what IDEs and type checkers read) name exactly the lazy exports."""
    tree = ast.parse((PACKAGE / name / "__init__.py").read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    seen = {(imp.module.rsplit(".", 1)[1], alias.name) for imp in guarded.body for alias in imp.names}
    sources = importlib.import_module(f"mailkit.{name}")._SOURCES
    assert seen == {(module, n) for module, names in sources.items() for n in names}


@pytest.mark.parametrize("name", PACKAGES)
def test_importing_a_package_imports_none_of_its_modules(name: str) -> None:
    probe = (f"import sys, mailkit.{name}; print(' '.join(m for m in sys.modules "
             f"if m.startswith('mailkit.{name}.') or m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []


def test_the_old_flat_modules_are_gone() -> None:
    left = [name for name in OLD_MODULES if (PACKAGE / f"{name}.py").exists()]
    assert left == []
    for name in PACKAGES:
        assert not (PACKAGE / f"{name}.py").exists()
        assert (PACKAGE / name / "__init__.py").is_file()


def test_cli_command_modules_import_no_circle() -> None:
    """`mailkit.cli`'s modules form no import cycle (helpers every command shares live in cli/common.py)."""
    graph = {}
    for path in (PACKAGE / "cli").glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mailkit.cli."):
                imported.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = imported

    order = list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a circle
    assert set(order) >= set(graph)

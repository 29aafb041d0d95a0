"""`mailkit`'s public API: every name in `__all__` resolves to the object its module defines, the type checkers'
view agrees, and `import mailkit` stays cheap (no module of mailkit's and no heavy library until a name is used)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import mailkit
from tests.test_layout import HEAVY

INIT = Path(mailkit.__file__)


def test_every_public_name_is_its_modules_object() -> None:
    sources = {**{n: m for m, names in mailkit._SOURCES.items() for n in names},
               **{n: m for n, (m, _) in mailkit._RENAMED.items()}}
    assert sorted(mailkit.__all__) == sorted(sources)
    for name, module in sources.items():
        attribute = mailkit._RENAMED.get(name, (module, name))[1]
        assert getattr(mailkit, name) is getattr(importlib.import_module(f"mailkit.{module}"), attribute), name
    assert set(mailkit.__all__) <= set(dir(mailkit))
    with pytest.raises(AttributeError):
        mailkit.no_such_name  # noqa: B018


def test_type_checkers_see_the_same_names() -> None:
    tree = ast.parse(INIT.read_text())
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    seen = {alias.asname or alias.name for imp in guarded.body for alias in imp.names}
    assert seen == set(mailkit.__all__)


def test_import_mailkit_is_cheap() -> None:
    """Under 5 ms of the interpreter's own time (CPU time: a machine busy with other work stretches the wall
    clock, not what the import costs)."""
    probe = ("import sys, time; t = time.process_time(); import mailkit; t = time.process_time() - t; "
             f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}]; "
             "own = [m for m in sys.modules if m.startswith('mailkit.') and m != 'mailkit.lazy']; "
             "print(t, len(heavy), len(own))")
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(5)]
    assert min(float(seconds) for seconds, _, _ in runs) < 0.005
    assert all(heavy == own == "0" for _, heavy, own in runs), runs


def test_the_documented_example_runs(workspace, sandbox_env) -> None:
    from mailkit.assets import SAMPLE_INVENTORY, asset_path

    with mailkit.Inventory.open(workspace) as inventory:
        assert mailkit.import_accounts(inventory, asset_path(SAMPLE_INVENTORY)).added == 13
    summary = mailkit.audit_accounts(workspace, mailkit.Selection(company="abarrotes-lupita"), mailkit.AuditOptions())
    assert summary.total == 2 and isinstance(summary, mailkit.AuditSummary)
    frame = mailkit.report_status(workspace)
    assert {"status", "cause", "remedy"} <= set(frame.columns) and len(frame) == 13

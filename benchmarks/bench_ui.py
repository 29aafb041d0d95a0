"""Benchmark: a bulk run of 1,000 accounts through the bulk panel, headless, against the sandbox.

The panel runs on an event loop as in a Jupyter kernel (results stream in through the audit's
callback). Measured, for the panel's own work only (not the audit's): the kernel CPU time its
result callbacks and redraws take, per result, in the first and the last quarter of the run (a
constant cost per result has a ratio near 1; re-rendering every row on every result grows with the
rows), and the bytes its widgets would send to the browser (every state update is serialised as the
kernel would send it, by hooking `Widget._send`).

"before" is the panel as it was at `--before-ref` (loaded from git), "after" the current one; both
run in the same process against the same sandbox (a separate process with `--latency-ms`).

    python benchmarks/bench_ui.py                  # 1,000 accounts, before and after
    python benchmarks/bench_ui.py --before-n 300   # the old panel on fewer (it is quadratic), the new on both

Targets (after): per-result work constant (last/first quarter < 2), <= 1 ms of kernel CPU per result
for the table update, <= 5 MB sent in total. Results are also written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import RESULTS, app_password, email, start_sandbox, write_accounts  # noqa: E402

from mailkit.secrets.backends import MemoryKeyring  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BEFORE_REF = "927b2ab"  # the panel that re-rendered the whole table on every result
COMPANIES = 60


@dataclass
class Meter:
    """Thread CPU spent in the panel's callbacks, with the number of results at each call; bytes sent."""

    results: Callable[[], int] = lambda: 0
    samples: list[tuple[int, float]] = field(default_factory=list)
    depth: int = 0
    sent_bytes: int = 0
    messages: int = 0

    def timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return function(*args, **kwargs)
            self.depth += 1
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.samples.append((self.results(), time.thread_time() - started))
                self.depth -= 1

        return wrapper

    def quarter(self, n: int, which: int) -> float:
        """Seconds of CPU spent while the results shown were in quarter `which` (0..3) of the run."""
        low, high = n * which / 4, n * (which + 1) / 4
        return sum(cpu for count, cpu in self.samples if low <= count < high or (which == 3 and count == n))

    @property
    def cpu(self) -> float:
        return sum(cpu for _, cpu in self.samples)


def hook_sends(meter: Meter) -> Callable[[], None]:
    """Count what every widget would send to the browser; the function that undoes it."""
    from ipywidgets.widgets.widget import Widget

    original = Widget._send

    def counting(self: Widget, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        meter.messages += 1
        meter.sent_bytes += len(json.dumps(msg, separators=(",", ":"), default=str).encode())
        meter.sent_bytes += sum(len(memoryview(b).cast("B")) for b in buffers or [])
        original(self, msg, buffers)

    Widget._send = counting  # type: ignore[method-assign]
    return lambda: setattr(Widget, "_send", original)


def opening_bytes(root: Any) -> int:
    """What displaying the panel sends at first: every widget's full state."""
    from ipywidgets.widgets.widget import Widget, _instances

    seen: set[str] = set()
    total = 0
    stack = [root]
    while stack:
        widget = stack.pop()
        if not isinstance(widget, Widget) or widget.model_id in seen:
            continue
        seen.add(widget.model_id)
        state = widget.get_state()
        total += len(json.dumps(state, separators=(",", ":"), default=str).encode())
        for value in state.values():
            stack += [_instances.get(v[len("IPY_MODEL_"):]) for v in _models(value)]
    return total


def _models(value: Any) -> list[str]:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        return [value]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _models(item)]
    return []


def before_module(ref: str) -> types.ModuleType:
    """The bulk panel's module as it was at `ref`, imported under its own name."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:mailkit/ui/bulk_panel.py"], check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("mailkit.ui.bulk_panel_before", loader=None)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    exec(compile(source, f"{ref}:mailkit/ui/bulk_panel.py", "exec"), module.__dict__)  # noqa: S102
    return module


def make_workspace(home: Path, n: int) -> Any:
    """N accounts in 60 companies: most with their app password, some with a wrong one, some with none."""
    from mailkit.inventory import Inventory
    from mailkit.models import Company, build_account
    from mailkit.secrets.store import SecretKind, secret_store
    from mailkit.workspace import Workspace

    workspace = Workspace(home).ensure()
    with Inventory.open(workspace) as inventory, inventory.transaction():
        for c in range(COMPANIES):
            inventory.upsert_company(Company(f"empresa-{c:02d}", f"Empresa Número {c} SA de CV"))
        for i in range(n):
            inventory.upsert_account(build_account(email(i), f"empresa-{i % COMPANIES:02d}", provider_key="gmail",
                                                   auth="app-password"))
    store = secret_store(workspace)
    for i in range(n):
        if i % 25 == 7:
            continue  # not_configured
        wrong = i % 12 == 5
        store.set(email(i), SecretKind.APP_PASSWORD, app_password(i + 1) if wrong else app_password(i))
    return workspace


def run_panel(panel_class: type, workspace: Any, concurrency: int, send_test: bool) -> dict[str, Any]:
    """One bulk run through the panel on an event loop; what its table work cost."""
    meter = Meter()
    panel = panel_class(workspace, lang="en")
    panel.select_all()
    panel.send_test.value = send_test
    panel.concurrency.value = min(concurrency, panel.concurrency.max)
    meter.results = lambda: len(panel.results)
    for name in ("_arrived", "_retrying", "_render", "_show_waiting"):
        if hasattr(panel, name):
            setattr(panel, name, meter.timed(getattr(panel, name)))
    table = getattr(panel, "table", None)
    if hasattr(table, "flush"):
        table.flush = meter.timed(table.flush)
    n = len(panel.accounts.value)
    opening = opening_bytes(panel)
    undo = hook_sends(meter)

    async def main() -> Any:
        started = time.perf_counter()
        panel.start.click()
        await panel.task
        return time.perf_counter() - started

    try:
        seconds = asyncio.run(main())
    finally:
        undo()
    first, last = meter.quarter(n, 0), meter.quarter(n, 3)
    return {"accounts": n, "results": len(panel.results), "seconds": round(seconds, 2),
            "state": panel.summary.state if panel.summary else None,
            "cpu_s": round(meter.cpu, 3), "cpu_per_result_ms": round(meter.cpu / max(1, n) * 1000, 3),
            "first_quarter_ms": round(first / max(1, n / 4) * 1000, 3),
            "last_quarter_ms": round(last / max(1, n / 4) * 1000, 3),
            "growth": round(last / first, 1) if first else None,
            "sent_mb": round(meter.sent_bytes / 1e6, 3), "messages": meter.messages,
            "opening_kb": round(opening / 1e3, 1), "table_chars": len(_table_html(panel))}


def report_view(workspace: Any) -> dict[str, Any]:
    """The report view over the last run: how long it takes to open and to filter, how much it shows."""
    from mailkit.ui.report_view import ReportView

    started = time.perf_counter()
    view = ReportView(workspace, lang="en")
    opened = time.perf_counter() - started
    started = time.perf_counter()
    view.table.problems_only.value = True
    filtered = time.perf_counter() - started
    view.table.problems_only.value = False
    return {"accounts": len(view.frame), "open_s": round(opened, 2), "problems_only_s": round(filtered, 2),
            "table_chars": len(view.table.body.value), "rows_shown": view.table.body.value.count("<tr data-status="),
            "plot_kb": round(len(view.plot_company.value) / 1e3, 1)}


def _table_html(panel: Any) -> str:
    table = panel.table
    return table.body.value if hasattr(table, "body") else table.value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="accounts for the current panel (default 1000)")
    parser.add_argument("--before-n", type=int, default=None,
                        help="accounts for the old panel (default: --n; 0: skip it)")
    parser.add_argument("--before-ref", default=BEFORE_REF, help=f"git revision of the old panel ({BEFORE_REF})")
    parser.add_argument("--latency-ms", type=int, default=10, help="sandbox delay before every reply (default 10)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--send-test", action="store_true", help="send a test message too (default: sign-in only)")
    args = parser.parse_args(argv)
    if args.before_n is None:
        args.before_n = args.n

    from mailkit.ui.bulk_panel import BulkPanel

    keyring.set_keyring(MemoryKeyring())  # the benchmark's fake secrets never touch a real keyring
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="mailkit-bench-ui-") as tmp:
        root = Path(tmp)
        write_accounts(root / "accounts.toml", max(args.n, args.before_n))
        child, _info = start_sandbox(root / "accounts.toml", root / "sandbox", args.latency_ms)
        try:
            os.environ["MAILKIT_SANDBOX"] = str(root / "sandbox" / "sandbox.json")
            plan = [("after", BulkPanel, args.n)]
            if args.before_n:
                old = before_module(args.before_ref).BulkPanel
                same = [("after_same_n", BulkPanel, args.before_n)] if args.before_n != args.n else []
                plan = [("before", old, args.before_n), *same, *plan]
            for name, panel_class, n in plan:
                workspace = make_workspace(root / f"home-{name}", n)
                runs[name] = run_panel(panel_class, workspace, args.concurrency, args.send_test)
            report = report_view(workspace)
        finally:
            child.terminate()
            child.wait(10)

    after = runs["after"]
    met = (after["growth"] is not None and after["growth"] < 2 and after["cpu_per_result_ms"] <= 1
           and after["sent_mb"] <= 5)
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "latency_ms": args.latency_ms,
              "concurrency": args.concurrency, "send_test": args.send_test, "before_ref": args.before_ref,
              "runs": runs, "report_view": report, "targets_met": met}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_ui-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    rows = [("accounts", "accounts", "{}"), ("run time (s)", "seconds", "{}"),
            ("panel CPU per result (ms)", "cpu_per_result_ms", "{:.3f}"),
            ("  in the first quarter (ms)", "first_quarter_ms", "{:.3f}"),
            ("  in the last quarter (ms)", "last_quarter_ms", "{:.3f}"), ("  growth last/first", "growth", "{}"),
            ("sent to the browser (MB)", "sent_mb", "{:.3f}"), ("widget messages", "messages", "{}"),
            ("opening state (kB)", "opening_kb", "{}"), ("table HTML at the end (chars)", "table_chars", "{:,}")]
    names = list(runs)
    lines = [f"bulk panel, sandbox latency {args.latency_ms} ms, concurrency {args.concurrency}, "
             f"{'sign-in + test send' if args.send_test else 'sign-in only'}",
             f"{'':32}" + "".join(f"{name:>16}" for name in names)]
    for label, key, fmt in rows:
        lines.append(f"{label:32}" + "".join(f"{fmt.format(runs[n][key]) if runs[n][key] is not None else '-':>16}"
                                               for n in names))
    if "before" in runs:
        same, before = runs.get("after_same_n", after), runs["before"]
        lines.append(f"at {before['accounts']} accounts: CPU per result {before['cpu_per_result_ms']:.3f} -> "
                     f"{same['cpu_per_result_ms']:.3f} ms "
                     f"({before['cpu_per_result_ms'] / max(same['cpu_per_result_ms'], 1e-6):.0f}x less), sent "
                     f"{before['sent_mb']:.1f} -> {same['sent_mb']:.2f} MB "
                     f"({before['sent_mb'] / max(same['sent_mb'], 1e-6):.0f}x less)")
    lines.append(f"report view over {report['accounts']} accounts: opens in {report['open_s']} s (table, plots), "
                 f"'problems only' in {report['problems_only_s']} s; {report['rows_shown']} rows on the page "
                 f"({report['table_chars']:,} chars), company plot {report['plot_kb']} kB")
    lines.append(f"written: {out}")
    lines.append("targets (growth < 2, <= 1 ms CPU per result, <= 5 MB sent): " + ("met" if met else "MISSED"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

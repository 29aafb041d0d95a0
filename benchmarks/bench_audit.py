"""Benchmark: mailkit's bulk audit against a plain sequential smtplib loop, and the status report
on a long history.

The sandbox runs as a separate process (`mailkit sandbox --latency-ms`) so the network has a
round-trip time, as a real one does: every SMTP reply waits that long. The sequential loop is
what a script (or swaks once per account) does: connect, EHLO, STARTTLS, EHLO, AUTH, QUIT, next.
When it would take too long it is timed on a sample and extrapolated (the output says so).

    python benchmarks/bench_audit.py                       # N=500, 50 ms, concurrency 64
    python benchmarks/bench_audit.py --n 2000 --skip-sequential-over 100

Targets: the audit at least 20x faster than the loop at N=500; `reports.status()` over 100,000
history rows in under 2 s. Results are also written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring

from mailkit.audit import DEFAULT_CONCURRENCY
from mailkit.secrets.backends import MemoryKeyring

RESULTS = Path(__file__).resolve().parent / "results"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def app_password(i: int) -> str:
    return "".join(LETTERS[(i * 7 + k * 3) % 26] for k in range(16))


def email(i: int) -> str:
    return f"bench{i:05d}@gmail.com"


def write_accounts(path: Path, n: int) -> None:
    """N consumer Gmail accounts with 2SV and one app password each."""
    lines = []
    for i in range(n):
        lines += ["[[account]]", f'email = "{email(i)}"', "two_step = true",
                  f'app_passwords = ["{app_password(i)}"]', "daily_limit = 100000", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def start_sandbox(accounts: Path, state: Path, latency_ms: int) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """`mailkit sandbox` in its own process; its JSON line once it is ready."""
    child = subprocess.Popen(
        [sys.executable, "-m", "mailkit", "sandbox", "--accounts", str(accounts), "--state-dir", str(state),
         "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = child.stdout.readline() if child.stdout else ""
    if not line.strip():
        child.kill()
        raise SystemExit("the sandbox did not start (no JSON line on stdout)")
    return child, json.loads(line)


def make_workspace(home: Path, n: int) -> Any:
    """An inventory with the N accounts and their app passwords in an in-memory keyring."""
    from mailkit.inventory import Inventory
    from mailkit.models import Company, build_account
    from mailkit.secrets.store import SecretKind, secret_store
    from mailkit.workspace import Workspace

    workspace = Workspace(home).ensure()
    with Inventory.open(workspace) as inventory, inventory.transaction():
        inventory.upsert_company(Company("bench", "Benchmark SA"))
        for i in range(n):
            inventory.upsert_account(build_account(email(i), "bench", provider_key="gmail", auth="app-password"))
    store = secret_store(workspace)
    for i in range(n):
        store.set(email(i), SecretKind.APP_PASSWORD, app_password(i))
    return workspace


@contextlib.contextmanager
def sandbox_fleet(root: Path, n: int, latency_ms: int = 0,
                  make: Callable[[Path, int], Any] = make_workspace) -> Iterator[tuple[dict[str, Any], Any]]:
    """N accounts on a sandbox in its own process, MAILKIT_SANDBOX pointing at it and the workspace made
    (`make`): (the sandbox's JSON line, the workspace). The sandbox stops when the block ends."""
    write_accounts(root / "accounts.toml", n)
    child, info = start_sandbox(root / "accounts.toml", root / "sandbox", latency_ms)
    try:
        os.environ["MAILKIT_SANDBOX"] = str(root / "sandbox" / "sandbox.json")
        yield info, make(root / "home", n)
    finally:
        child.terminate()
        child.wait(10)


def sequential(info: dict[str, Any], indexes: list[int]) -> tuple[float, int]:
    """The plain loop: one account after the other with smtplib. (seconds, accounts signed in)."""
    context = ssl.create_default_context(cafile=info["ca_cert"])
    host, port = info["smtp"]["host"], int(info["smtp"]["port"])
    ok = 0
    started = time.perf_counter()
    for i in indexes:
        with smtplib.SMTP(host, port, timeout=30) as client:
            client.ehlo()
            client.starttls(context=context)
            client.ehlo()
            try:
                client.login(email(i), app_password(i))
                ok += 1
            except smtplib.SMTPException:
                pass
    return time.perf_counter() - started, ok


def mailkit_audit(workspace: Any, concurrency: int) -> tuple[float, Any]:
    from mailkit.audit import AuditOptions, Selection, run_audit

    started = time.perf_counter()
    summary = asyncio.run(run_audit(workspace, Selection(), AuditOptions(concurrency=concurrency)))
    return time.perf_counter() - started, summary


def commit_cost(home: Path, count: int = 3000) -> float:
    """Microseconds per result committed on its own (WAL, synchronous=NORMAL), the audit's write path."""
    from mailkit.audit_store import AuditStore, ResultRow
    from mailkit.inventory import Inventory
    from mailkit.models import Company, build_account

    with Inventory(str(home / "commits.sqlite3")) as inventory:
        inventory.upsert_company(Company("c", "C"))
        inventory.upsert_account(build_account("a@gmail.com", "c", provider_key="gmail", auth="app-password"))
        store = AuditStore(inventory.conn)
        runs = [store.start_run({}, {}, [1]).id for _ in range(count)]
        started = time.perf_counter()
        for run_id in runs:
            store.record(run_id, ResultRow(1, "ok"))
        return (time.perf_counter() - started) / count * 1e6


def history_report(home: Path, rows: int, accounts: int) -> dict[str, float]:
    """Fill `results` with `rows` rows straight in SQLite, then time the report views."""
    from mailkit.inventory import Inventory
    from mailkit.models import Company
    from mailkit.reports import frames as reports
    from mailkit.workspace import Workspace

    workspace = Workspace(home).ensure()
    runs = max(1, rows // accounts)
    now = datetime.now(UTC)
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("big", "Big"))
        conn = inventory.conn
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO accounts (email, company_slug, provider, auth, smtp_host, smtp_port, security, "
                         "created_at, updated_at) VALUES (?, 'big', 'gmail', 'app_password', 'smtp.gmail.com', 587, "
                         "'starttls', '', '')", [(f"h{i}@gmail.com",) for i in range(accounts)])
        conn.executemany("INSERT INTO runs (id, started_at, state) VALUES (?, ?, 'finished')",
                         [(r, (now - timedelta(days=runs - r)).isoformat()) for r in range(1, runs + 1)])
        bad = "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  " \
              "https://support.google.com/mail/?p=BadCredentials x{}.{} - gsmtp"
        conn.executemany(
            "INSERT INTO results (run_id, account_id, status, step, reply_code, reply, checked_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r, a, "ok" if (a * r) % 5 else "bad_credentials", "" if (a * r) % 5 else "auth",
              None if (a * r) % 5 else 535, "" if (a * r) % 5 else bad.format(a, r),
              (now - timedelta(days=runs - r, seconds=a)).isoformat(timespec="milliseconds"))
             for r in range(1, runs + 1) for a in range(1, accounts + 1)])
        conn.execute("COMMIT")
    timings = {}
    for name, build in (("status", lambda: reports.status(workspace, lang="es")),
                        ("by_company", lambda: reports.by_company(workspace)),
                        ("history", lambda: reports.history(workspace)),
                        ("history_rows", lambda: reports.history(workspace, per_account=True))):
        started = time.perf_counter()
        build()
        timings[name] = time.perf_counter() - started
    return {"rows": runs * accounts, "accounts": accounts, **timings}


def peak_rss_mb() -> float:
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="accounts (default 500)")
    parser.add_argument("--latency-ms", type=int, default=50, help="sandbox delay before every reply (default 50)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help=f"mailkit's concurrent accounts (default: the audit's, {DEFAULT_CONCURRENCY})")
    parser.add_argument("--skip-sequential-over", type=int, default=100, metavar="N",
                        help="above N accounts, time the sequential loop on N of them and extrapolate (default 100)")
    parser.add_argument("--history-rows", type=int, default=100_000, help="rows for the report benchmark")
    parser.add_argument("--history-accounts", type=int, default=1_000, help="accounts in that history")
    args = parser.parse_args(argv)

    keyring.set_keyring(MemoryKeyring())  # the benchmark's fake secrets never touch a real keyring
    with tempfile.TemporaryDirectory(prefix="mailkit-bench-") as tmp:
        root = Path(tmp)
        with sandbox_fleet(root, args.n, args.latency_ms) as (info, workspace):
            sample = args.n if args.n <= args.skip_sequential_over else args.skip_sequential_over
            seq_time, seq_ok = sequential(info, list(range(sample)))
            estimated = sample < args.n
            seq_total = seq_time / sample * args.n
            rss_before = peak_rss_mb()
            audit_time, summary = mailkit_audit(workspace, args.concurrency)
            rss_after = peak_rss_mb()
        per_commit = commit_cost(root)
        report = history_report(root / "history", args.history_rows, args.history_accounts)

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "n": args.n, "latency_ms": args.latency_ms, "concurrency": args.concurrency,
        "sequential": {"seconds": round(seq_total, 2), "estimated": estimated, "sample": sample,
                       "sample_seconds": round(seq_time, 2), "signed_in": seq_ok},
        "mailkit": {"seconds": round(audit_time, 2), "state": summary.state, "counts": summary.counts,
                    "peak_rss_mb": round(rss_after, 1), "rss_before_audit_mb": round(rss_before, 1)},
        "ratio": round(seq_total / audit_time, 1),
        "commit_per_result_us": round(per_commit, 1),
        "report": {k: round(v, 3) if isinstance(v, float) else v for k, v in report.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_audit-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    how = f"estimated from {sample} accounts ({seq_time:.1f} s)" if estimated else "measured on all accounts"
    lines = [
        f"accounts: {args.n}, sandbox latency {args.latency_ms} ms per reply (separate process)",
        f"sequential smtplib loop: {seq_total:8.1f} s  ({how})",
        f"mailkit audit (c={args.concurrency}): {audit_time:6.1f} s  -> {result['ratio']}x faster "
        f"[{', '.join(f'{k} {v}' for k, v in summary.counts.items())}]",
        f"peak memory (RSS): {rss_after:.0f} MB (before the audit: {rss_before:.0f} MB)",
        f"one result committed on its own (WAL): {per_commit:.0f} us",
        f"report over {report['rows']:,} history rows ({report['accounts']} accounts): status() "
        f"{report['status']:.2f} s, by_company() {report['by_company']:.2f} s, history() {report['history']:.2f} s, "
        f"history(per_account) {report['history_rows']:.2f} s",
        f"written: {out}",
    ]
    met = result["ratio"] >= 20 and report["status"] < 2 and summary.counts.get("ok", 0) == args.n
    lines.append("targets (>= 20x, status() < 2 s, every account ok): " + ("met" if met else "MISSED"))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

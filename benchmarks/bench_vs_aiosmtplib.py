"""Benchmark: CPU and wall time per audited account, mailkit's audit beside a bare aiosmtplib gather.

The same sandbox (its own process), the same N accounts, the same concurrency, one run:

- bare aiosmtplib: for each account connect, STARTTLS, AUTH PLAIN, QUIT, all gathered under a semaphore —
  the least any Python tool can do for a sign-in check;
- `mailkit audit`: the same sign-ins, plus mailkit's steps, transcript, diagnosis and a result committed to
  SQLite per account.

CPU is this process's user + system time (resource.getrusage), so the sandbox's work is not counted.

    python benchmarks/bench_vs_aiosmtplib.py                    # N=1000, concurrency 128
    python benchmarks/bench_vs_aiosmtplib.py --n 200 --concurrency 32
    python benchmarks/bench_vs_aiosmtplib.py --n 300 --rounds 5   # on a busy machine: the best of 5 of each

Target (issue 13): mailkit within 1.2x of the bare gather, in CPU per account and in wall time. Results are
written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import ssl
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import RESULTS, app_password, email, sandbox_fleet  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def bare_gather(info: dict, n: int, concurrency: int) -> int:
    """Sign in as every account with aiosmtplib alone; the number that signed in."""
    import aiosmtplib

    context = ssl.create_default_context(cafile=info["ca_cert"])
    host, port = info["smtp"]["host"], int(info["smtp"]["port"])
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> bool:
        async with gate:
            client = aiosmtplib.SMTP(hostname=host, port=port, start_tls=True, tls_context=context, timeout=30)
            try:
                await client.connect()
                await client.login(email(i), app_password(i))
                await client.quit()
                return True
            except aiosmtplib.SMTPException:
                return False

    return sum(await asyncio.gather(*(one(i) for i in range(n))))


def measure(action) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result) of one call."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = action()
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=1,
                        help="run both this many times, alternating, and keep each one's best (a shared machine's "
                             "other work only ever adds time)")
    args = parser.parse_args()
    from mailkit.audit import AuditOptions, Selection, run_audit
    from mailkit.secrets.backends import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with sandbox_fleet(root, args.n, args.latency_ms) as (info, workspace):
            options = AuditOptions(concurrency=args.concurrency)
            bare_runs, mk_runs = [], []
            for _ in range(max(1, args.rounds)):
                bare_runs.append(measure(lambda: asyncio.run(bare_gather(info, args.n, args.concurrency))))
                mk_runs.append(measure(lambda: asyncio.run(run_audit(workspace, Selection(), options))))
            bare_wall, bare_cpu = min(r[0] for r in bare_runs), min(r[1] for r in bare_runs)
            mk_wall, mk_cpu = min(r[0] for r in mk_runs), min(r[1] for r in mk_runs)
            bare_ok, summary = min(r[2] for r in bare_runs), mk_runs[-1][2]
    per = {"bare_cpu_ms": 1000 * bare_cpu / args.n, "mailkit_cpu_ms": 1000 * mk_cpu / args.n}
    figures = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "accounts": args.n, "concurrency": args.concurrency, "latency_ms": args.latency_ms,
               "rounds": max(1, args.rounds),
               "bare_wall_s": round(bare_wall, 2), "mailkit_wall_s": round(mk_wall, 2),
               "bare_cpu_ms_per_account": round(per["bare_cpu_ms"], 2),
               "mailkit_cpu_ms_per_account": round(per["mailkit_cpu_ms"], 2),
               "cpu_ratio": round(per["mailkit_cpu_ms"] / per["bare_cpu_ms"], 2),
               "wall_ratio": round(mk_wall / bare_wall, 2), "bare_ok": bare_ok, "mailkit_counts": summary.counts}
    print(f"{args.n} accounts, concurrency {args.concurrency}, sandbox in its own process:")
    print(f"  bare aiosmtplib gather: {bare_wall:6.2f} s wall, {per['bare_cpu_ms']:5.2f} ms CPU per account "
          f"({bare_ok} signed in)")
    print(f"  mailkit audit:          {mk_wall:6.2f} s wall, {per['mailkit_cpu_ms']:5.2f} ms CPU per account "
          f"{summary.counts}")
    print(f"  ratio: CPU {figures['cpu_ratio']}x, wall {figures['wall_ratio']}x (target: within 1.2x)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "vs_aiosmtplib.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if summary.counts == {"ok": args.n} and bare_ok == args.n else 1


if __name__ == "__main__":
    sys.exit(main())

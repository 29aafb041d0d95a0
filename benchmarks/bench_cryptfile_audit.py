"""Benchmark: an audit whose secrets live in the encrypted file keyring (a headless server's choice).

Every entry of keyrings.cryptfile's file is sealed with its own Argon2-derived key: a read costs a deliberately
slow derivation. The audit reads each account's secret once, in worker threads, from a keyring unlocked once
per process. Side by side in one run, on the same workspace and sandbox:

- reading every account's secret one after the other straight from a fresh CryptFileKeyring (what each
  account's look-up cost when the store was rebuilt per call);
- `mailkit audit` at the default concurrency, the first time in the process (every entry decrypted once);
- the same audit again in the same process (the entries come from the read cache: no derivation at all).

    python benchmarks/bench_cryptfile_audit.py            # 200 accounts
    python benchmarks/bench_cryptfile_audit.py --n 50

Results are written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import RESULTS, email, sandbox_fleet  # noqa: E402
from bench_audit import make_workspace as make_bench_workspace  # noqa: E402

PASSPHRASE = "correct horse battery staple"


def make_workspace(home: Path, n: int):
    """bench_audit's N accounts, with their app passwords in the workspace's encrypted file keyring."""
    from mailkit.workspace import Workspace

    Workspace(home).ensure().set_setting("keyring.backend", "cryptfile")
    return make_bench_workspace(home, n)


def fresh_reads(home: Path, n: int) -> float:
    """Seconds to read every secret from a fresh CryptFileKeyring, one after the other."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    started = time.perf_counter()
    backend = CryptFileKeyring()
    backend.file_path = str(home / "secrets.cfg")
    backend.keyring_key = PASSPHRASE
    for i in range(n):
        backend.get_password("mailkit", f"{email(i)}/app_password")
    return time.perf_counter() - started


def timed_audit(workspace) -> tuple[float, dict[str, int]]:
    from mailkit.audit import AuditOptions, Selection, audit

    started = time.perf_counter()
    summary = audit(workspace, Selection(), AuditOptions())
    return time.perf_counter() - started, summary.counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    os.environ["MAILKIT_KEYRING_PASSPHRASE"] = PASSPHRASE
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with sandbox_fleet(root, args.n, make=make_workspace) as (_, workspace):
            reads = fresh_reads(root / "home", args.n)
            first, counts = timed_audit(workspace)
            again, counts_again = timed_audit(workspace)
    figures = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "accounts": args.n, "sequential_fresh_reads_s": round(reads, 1), "audit_first_s": round(first, 1),
               "audit_again_s": round(again, 1), "counts": counts, "counts_again": counts_again}
    print(f"{args.n} accounts, secrets in the encrypted file keyring:")
    print(f"  one fresh read per account, in turn:      {reads:7.1f} s")
    print(f"  mailkit audit, first in the process:      {first:7.1f} s  {counts}")
    print(f"  mailkit audit again, same process:        {again:7.1f} s  {counts_again}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cryptfile_audit.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if counts == {"ok": args.n} and counts_again == {"ok": args.n} else 1


if __name__ == "__main__":
    sys.exit(main())

"""Profile: where mailkit's CPU goes in an audit of the sandbox (cProfile), to find what to make cheaper.

The same setup as `bench_vs_aiosmtplib.py` (sandbox in its own process, in-memory keyring), the audit
run under cProfile; prints the top functions by own time and by cumulative time.

    python benchmarks/profile_audit.py --n 300 [--out audit.prof] [--top 40]
    python benchmarks/profile_audit.py --bare       # the bare aiosmtplib gather instead, to compare
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import sandbox_fleet  # noqa: E402
from bench_vs_aiosmtplib import bare_gather  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None, help="also write the raw profile here")
    parser.add_argument("--bare", action="store_true", help="profile the bare aiosmtplib gather instead")
    args = parser.parse_args()
    from mailkit.audit import AuditOptions, Selection, run_audit
    from mailkit.secrets.backends import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with sandbox_fleet(root, args.n) as (info, workspace):
            if args.bare:
                signed_in = profile.runcall(asyncio.run, bare_gather(info, args.n, args.concurrency))
                summary = f"{signed_in} signed in (bare aiosmtplib)"
            else:
                options = AuditOptions(concurrency=args.concurrency)
                summary = profile.runcall(asyncio.run, run_audit(workspace, Selection(), options)).counts
    sys.stdout.write(f"{args.n} accounts: {summary}\n")
    if args.out is not None:
        profile.dump_stats(str(args.out))
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: listing the app passwords of a Workspace domain, user by user as before against mailkit's
parallel listing (PARALLEL users at once), side by side in one run on one sandbox.

The Directory answers `asps.list` once per user, so a domain of N users costs N round trips. The sandbox runs in
this process with a delay before every HTTP reply (default 100 ms, about what Google's API answers in from
Mexico or Poland). The same listing is timed with one user at a time and with mailkit's default; the ratio is
the figure, and the ideal (N / PARALLEL round trips) is printed beside it.

    python benchmarks/bench_directory.py                 # 300 users, 100 ms
    python benchmarks/bench_directory.py --users 1000 --latency-ms 60

A domain within Google's default quota (2,400 queries a minute per user of the project) never meets it here;
`--quota N` sets the sandbox's quota (requests a second) to time the backoff too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import RESULTS  # noqa: E402

from mailkit.google_workspace import app_passwords  # noqa: E402
from mailkit.sandbox.runner import SandboxThread  # noqa: E402
from mailkit.secrets.backends import MemoryKeyring  # noqa: E402
from mailkit.twostep.directory import configure_directory  # noqa: E402
from mailkit.workspace import Workspace  # noqa: E402

DOMAIN = "grande.example"
ADMIN = f"admin@{DOMAIN}"


def write_domain(path: Path, users: int) -> None:
    """The admin and users-1 others; every tenth holds an app password (made here, fake)."""
    tables = [f'[[account]]\nemail = "{ADMIN}"\nworkspace = true\nadmin = true\ntwo_step = true\n']
    for n in range(1, users):
        extra = f'app_passwords = ["abcd efgh ijkl {n:04d}"]\n' if n % 10 == 0 else ""
        tables.append(f'[[account]]\nemail = "user{n:04d}@{DOMAIN}"\nworkspace = true\ntwo_step = true\n{extra}')
    path.write_text("\n".join(tables), encoding="utf-8")


def timed_listing(workspace: Workspace, parallel: int) -> tuple[float, int, int]:
    """Seconds for one listing of the whole domain with `parallel` users at once; users listed, quota answers."""
    from mailkit.google_workspace.app_passwords import security_client

    app_passwords.PARALLEL = parallel
    client = security_client(workspace, DOMAIN)
    started = time.perf_counter()
    listing = app_passwords.list_app_passwords(workspace, DOMAIN, client=client, keep=False)
    return time.perf_counter() - started, len(listing.users), sum(c.endswith("-> 403") for c in client.calls)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="users in the domain (default 300)")
    parser.add_argument("--latency-ms", type=int, default=100, help="delay before every HTTP reply (default 100)")
    parser.add_argument("--quota", type=int, default=0, help="the Directory's quota, requests a second (default none)")
    args = parser.parse_args(argv)

    keyring.set_keyring(MemoryKeyring())  # the benchmark's fake secrets never touch a real keyring
    default_parallel = app_passwords.PARALLEL
    with tempfile.TemporaryDirectory(prefix="mailkit-bench-") as tmp:
        root = Path(tmp)
        write_domain(root / "domain.toml", args.users)
        with SandboxThread(root / "domain.toml", root / "sandbox", latency_ms=args.latency_ms) as running:
            os.environ["MAILKIT_SANDBOX"] = str(running.info_path)
            running.faults.directory_per_second = args.quota
            workspace = Workspace(root / "home").ensure()
            configure_directory(workspace, service_account=running.state_dir / "service_account.json", admin=ADMIN)
            one_s, one_n, one_refused = timed_listing(workspace, 1)
            par_s, par_n, par_refused = timed_listing(workspace, default_parallel)
    app_passwords.PARALLEL = default_parallel
    round_trip = args.latency_ms / 1000
    figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "users": args.users,
        "latency_ms": args.latency_ms, "quota_per_second": args.quota, "parallel": default_parallel,
        "one_at_a_time_s": round(one_s, 2), "mailkit_s": round(par_s, 2), "speedup": round(one_s / par_s, 1),
        "ideal_s": round(args.users / default_parallel * round_trip, 2),
        "quota_answers": {"one_at_a_time": one_refused, "mailkit": par_refused},
        "users_listed": {"one_at_a_time": one_n, "mailkit": par_n},
    }
    print(f"{args.users} users, {args.latency_ms} ms a reply: one at a time {one_s:.1f} s · mailkit "
          f"({default_parallel} at once) {par_s:.1f} s · {one_s / par_s:.1f}× faster "
          f"(ideal {figures['ideal_s']:.1f} s; quota answers {par_refused})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_directory-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0 if one_n == par_n == args.users else 1


if __name__ == "__main__":
    raise SystemExit(main())

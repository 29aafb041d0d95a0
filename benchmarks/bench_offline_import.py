"""Benchmark: importing an inventory where DNS never answers (an offline laptop, a hotel Wi-Fi).

2,000 rows over 300 custom domains, no provider column, a resolver on 127.0.0.1 that receives every
question and answers none. Side by side in one run:

- one blocking MX look-up per domain, one after the other (what the import did before: each new
  domain waited its full timeout) — timed on a sample of domains and extrapolated (the output says so);
- `mailkit account import` as it is: every domain looked up at once, each once, every row stored as
  `undetected` whatever DNS does.

    python benchmarks/bench_offline_import.py                # 2000 rows, 300 domains, 3 s timeout
    python benchmarks/bench_offline_import.py --rows 200 --domains 30 --timeout 1

Target: the import finishes in seconds, not minutes. Results are written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def silent_resolver() -> tuple[socket.socket, str]:
    """A UDP socket that takes every DNS question and answers none."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"127.0.0.1:{sock.getsockname()[1]}"


def write_inventory(path: Path, rows: int, domains: int) -> None:
    lines = ["company,email"] + [f"client-{i % domains},user{i}@client{i % domains}.example" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sequential_lookups(domains: list[str], address: str, timeout: float) -> float:
    """One blocking MX query per domain, as before: seconds for the given domains."""
    import dns.exception
    import dns.resolver

    host, port = address.split(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [host], int(port)
    resolver.lifetime = resolver.timeout = timeout
    started = time.perf_counter()
    for domain in domains:
        with contextlib.suppress(dns.exception.DNSException):
            resolver.resolve(domain, "MX")
    return time.perf_counter() - started


def mailkit_import(path: Path, home: Path, address: str, timeout: float) -> tuple[float, dict]:
    os.environ["MAILKIT_NAMESERVER"] = address
    from mailkit.inventory import Inventory
    from mailkit.tabular.accounts import import_accounts
    from mailkit.workspace import Workspace

    with Inventory.open(Workspace(home)) as inventory:
        started = time.perf_counter()
        report = import_accounts(inventory, path, detect_timeout=timeout)
        seconds = time.perf_counter() - started
        providers = {a.provider for a in inventory.accounts()}
    return seconds, {"added": report.added, "rejected": len(report.rejected), "providers": sorted(providers)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--domains", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=3.0, help="DNS deadline per look-up (mailkit's default)")
    parser.add_argument("--sample", type=int, default=5, help="domains timed one by one, then extrapolated")
    args = parser.parse_args()
    sock, address = silent_resolver()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.csv"
        write_inventory(path, args.rows, args.domains)
        sample = [f"client{i}.example" for i in range(args.sample)]
        per_domain = sequential_lookups(sample, address, args.timeout) / len(sample)
        sequential = per_domain * args.domains
        seconds, outcome = mailkit_import(path, Path(tmp) / "ws", address, args.timeout)
    sock.close()
    figures = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": f"{platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}", "rows": args.rows, "domains": args.domains,
        "dns_timeout_s": args.timeout, "sequential_s_extrapolated": round(sequential, 1),
        "sequential_sample_domains": args.sample, "mailkit_import_s": round(seconds, 2),
        "ratio": round(sequential / seconds, 1), **outcome,
    }
    print(f"{args.rows} rows over {args.domains} domains, DNS never answers ({args.timeout:g} s deadline):")
    print(f"  one look-up per domain in turn (before): {sequential:8.1f} s  (timed on {args.sample} domains, "
          "extrapolated)")
    print(f"  mailkit account import:                  {seconds:8.2f} s  ({sequential / seconds:.0f}x faster); "
          f"{outcome['added']} stored, {outcome['rejected']} rejected, providers {outcome['providers']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "offline_import.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if outcome["rejected"] == 0 and outcome["added"] == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: importing a large inventory file, every row a different company.

Each row used to be compared with every known company (slugifying all their names), so the time
grew with rows x companies: 20,000 rows with 20,000 distinct companies took 1,373 s. The import
now looks companies up in dictionaries built once per pass.

    python benchmarks/bench_import.py                 # 20,000 rows, 20,000 companies
    python benchmarks/bench_import.py --n 5000

Target: 20,000 rows with 20,000 companies imported (dry run, real run, re-import) each in under 20 s.
Results are also written as JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mailkit.inventory import Inventory
from mailkit.tabular.accounts import import_accounts

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 20.0


def write_file(path: Path, n: int) -> None:
    """N Gmail accounts, each in its own company named with accents (as Spanish and Polish lists are)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "company_name", "provider", "auth", "tags", "notes"])
        writer.writerows([f"cuenta{i:05d}@gmail.com", f"Ferretería Número {i} S.A.", "gmail", "app-password",
                          "facturas", f"línea {i}"] for i in range(n))


def timed(label: str, run) -> tuple[float, object]:  # noqa: ANN001 - any callable
    started = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - started
    print(f"{label:<12} {seconds:8.2f} s", file=sys.stderr)
    return seconds, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="rows, each with its own company")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "inventory.csv"
        write_file(source, args.n)
        with Inventory(str(Path(folder) / "mailkit.sqlite3")) as inventory:
            dry, planned = timed("dry run", lambda: import_accounts(inventory, source, dry_run=True))
            real, report = timed("import", lambda: import_accounts(inventory, source))
            again, repeat = timed("re-import", lambda: import_accounts(inventory, source))
        assert planned.added == report.added == repeat.unchanged == args.n, "the import did not take every row"
        assert len(report.companies_added) == args.n
    worst = max(dry, real, again)
    result = {
        "benchmark": "bench_import", "rows": args.n, "companies": args.n,
        "seconds": {"dry_run": round(dry, 2), "import": round(real, 2), "reimport": round(again, 2)},
        "rows_per_second": round(args.n / real), "target_seconds": TARGET_SECONDS, "met": worst < TARGET_SECONDS,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench_import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

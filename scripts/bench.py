"""`make bench`: prints the speed and memory figures of docs/benchmarks.md. No pass/fail: the
targets are printed beside the figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

SECTIONS = [
    ("Forecast engine", ["bench_engine.py"]),
    ("Reading files: a 50,000-row XLSX and XLSX bombs", ["bench_reading.py"]),
    ("From SSDA903 returns to a forecast: reading, cleaning, forecast_demand", ["bench_ssda903.py"]),
    ("Imports, KPIs and whole runs on PostgreSQL", ["bench_county.py"]),
    ("The placement register's import of 50,000 rows: reading, checking, writing", ["bench_register.py"]),
    ("Dashboard under load and the PDF snapshot", ["bench_dashboard.py"]),
    ("An upload of a bad 1.7 MB file", ["bench_upload.py"]),
    ("Recovery: worker-kill trials with the production settings", ["worker_kill_trials.py"]),
    # The full region (20 authorities) takes many minutes: `scripts/bench_region.py --kill`.
    (
        "A region on one machine (3 large counties; the full 20 with bench_region.py)",
        ["bench_region.py", "--authorities", "3", "--kill"],
    ),
]


def main() -> int:
    failures = 0
    for title, script in SECTIONS:
        path = ROOT / script[0]
        print(f"\n## {title}\n", flush=True)
        if not path.exists():
            print(f"  ({script[0]} not present)")
            continue
        result = subprocess.run([sys.executable, str(path), *script[1:]], cwd=ROOT.parent)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The 50,000-row placement register import, alone: the same file `bench_county.py` imports
(three copies of the large county's register, each with its own references), into an empty
authority and again over its own rows (a re-import replacing 50,000 stored rows).

    .venv/bin/python scripts/bench_register.py [--runs 3] [--profile] [--dump FOLDER]

Prints CPU time (this process; PostgreSQL's own work is not in it) and wall time of each phase:
reading, checking (the preview), writing (one transaction). `--profile` prints the cProfile
listing of one whole import; `--dump FOLDER` writes the stored placements and children, ordered
by key, as CSV (to compare the rows stored before and after a change with `diff`).

Needs PostgreSQL (DATABASE_URL; default the local one). It creates and drops its own database,
`<name>_register_bench`."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_register_bench"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def database(action: str) -> None:
    from bench_database import own_database  # scripts/ is on the path when a script runs

    own_database(BENCH_URL, action)


def register_file(folder: Path) -> tuple[Path, Path, str]:
    """(budget file, register file, financial year) of 50,000 register rows, as bench_county.py
    makes them."""
    from dataclasses import replace

    import pandas as pd
    from bench_county import county_files  # scripts/ is on the path when a script runs

    from forecasting.engine.synthetic import large_county_inputs

    one = large_county_inputs(seed=2).placements
    copies = []
    for k in range(3):
        more = one.copy()
        more["placement_ref"] = more["placement_ref"] + f"-{k}"
        more["child_ref"] = more["child_ref"] + f"-{k}"
        copies.append(more)
    big = pd.concat(copies, ignore_index=True).iloc[:50_000]
    inputs = replace(large_county_inputs(seed=2), placements=big)
    files = county_files(inputs, folder)
    return files["budget"], files["placements"], inputs.year.label


def server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL process, when the server runs on
    this machine (0 otherwise): the COPY, the indexes and the foreign-key checks are spent there."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """CPU time of this process, CPU time of its PostgreSQL process, wall time."""

    def __init__(self) -> None:
        self.then = self.now()

    @staticmethod
    def now() -> tuple[float, float, float]:
        return time.process_time(), server_cpu(), time.perf_counter()

    def lap(self) -> tuple[float, float, float]:
        now = self.now()
        result = (now[0] - self.then[0], now[1] - self.then[1], now[2] - self.then[2])
        self.then = now
        return result


def timed_import(authority, name: str, data: bytes) -> dict[str, tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    """The phases of import_run (core.services), timed apart."""
    from core.importing import SourceFile, importer_for
    from core.services import import_plan_apply
    from core.tabular import read_table

    importer = importer_for("placements")
    clock = Clock()
    table = read_table(name, data)
    read = clock.lap()
    plan = importer.plan_table(authority=authority, table=table, options={})
    check = clock.lap()
    if not plan.ok:
        raise SystemExit("the register import failed: " + "; ".join(str(p) for p in plan.errors[:5]))
    import_plan_apply(authority=authority, plan=plan, names=[SourceFile(name, data).name], user=None)
    write = clock.lap()
    whole = (read[0] + check[0] + write[0], read[1] + check[1] + write[1], read[2] + check[2] + write[2])
    return {"read": read, "check": check, "write": write, "whole": whole}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    database("create")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.services import authority_create
        from core.services import import_run
        from placements.models import Placement

        with tempfile.TemporaryDirectory() as folder:
            budget, register, year = register_file(Path(folder))
            budget_data, data = budget.read_bytes(), register.read_bytes()
        rows = data.count(b"\n") - 1
        print(
            f"Placement register import, {rows:,} rows ({len(data) / 1e6:.1f} MB CSV); load average {os.getloadavg()}"
        )

        def with_budget(code: str, name: str):  # type: ignore[no-untyped-def]
            """A new authority holding the county's budget lines, which the register's rows name."""
            authority = authority_create(code=code, name=name)
            import_run(
                authority=authority,
                kind="budget",
                source=budget.name,
                data=budget_data,
                options={"year": year},
                user=None,
            )
            return authority

        firsts, agains = [], []
        for run in range(args.runs):
            authority = with_budget(f"R{run}", f"Register Test Council {run}")
            firsts.append(timed_import(authority, register.name, data))
            agains.append(timed_import(authority, register.name, data))
            stored = Placement.objects.filter(authority=authority).count()
            if args.dump and run == 0:
                from register_dump import dump_register  # scripts/ is on the path when a script runs

                dump_register(authority, args.dump)
        for label, results in (("into an empty authority", firsts), ("again, replacing its rows", agains)):
            print(f"  {label} (median of {len(results)}; CPU of this process + of PostgreSQL's / wall):")
            for phase in ("read", "check", "write", "whole"):
                cpu, server, wall = (statistics.median(r[phase][k] for r in results) for k in range(3))
                print(f"    {phase:6} {cpu:5.2f} s + {server:5.2f} s CPU / {wall:5.2f} s wall")
        print(f"  rows stored: {stored:,}; load average now {os.getloadavg()}")
        if args.profile:
            authority = with_budget("RP", "Register Profile Council")
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            import_run(authority=authority, kind="placements", source=register.name, data=data, options={}, user=None)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            import_run(authority=authority, kind="placements", source=register.name, data=data, options={}, user=None)
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    finally:
        database("drop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

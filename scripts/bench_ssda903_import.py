"""`import_data ssda903` of 100,000 synthetic episodes in 15 CSV files (`placements/ssda903_synthetic.py`,
seed 1), as a fresh process each time: into an authority that holds nothing yet, and again over its
own placements (a re-import of the same files). docs/benchmarks.md, From SSDA903 returns to a forecast.

    .venv/bin/python scripts/bench_ssda903_import.py [--runs 3] [--episodes 100000] [--profile]
        [--dump FOLDER] [--code-from CHECKOUT] [--no-bytecode-cache]

Prints the CPU time (user + system) of the import's process, the median of ``--runs`` (PostgreSQL's
own work is not in it) and its wall time. The processes share a bytecode cache of their own, filled
by one untimed import first, as an installed deployment's processes find their modules compiled;
with `--no-bytecode-cache` every process compiles each module it imports (as where
PYTHONDONTWRITEBYTECODE is set and nothing was compiled at install: several seconds of Python's
start). Each authority gets the demo county's budget lines and a
unit cost per type for every year, so that pricing splits placements at the changes of rate.
`--profile` prints the cProfile listing of one whole command of each kind. `--dump FOLDER` writes
what the imports stored and said, to compare before and after a change with `diff -r`: the stored
placements and children ordered by key, the command's output, the upload's summary, the audit
events, and the plan (changes, warnings, issues) of a re-import of the same files and of another
set (seed 2, 20,000 episodes) over them. `--code-from CHECKOUT` runs another checkout's code (the
commit before a change) with this script.

Needs PostgreSQL (DATABASE_URL; default the local one). It creates and drops its own database,
`<name>_ssda903_bench`."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARSER = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
PARSER.add_argument("--runs", type=int, default=3)
PARSER.add_argument("--episodes", type=int, default=100_000)
PARSER.add_argument("--profile", action="store_true")
PARSER.add_argument("--dump", type=Path)
PARSER.add_argument("--code-from", type=Path, help="the checkout whose code is measured (default: this one)")
PARSER.add_argument("--no-bytecode-cache", action="store_true", help="every process compiles what it imports")
ARGS = PARSER.parse_args()

ROOT = (ARGS.code_from or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))
if ARGS.dump is not None:
    ARGS.dump = ARGS.dump.resolve()
# Celery puts the working directory first on the path while it loads its configuration, so the
# previews this process dumps would otherwise run the code of wherever the script was started.
os.chdir(ROOT)
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_ssda903_bench"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
YEAR = "2021/22"


def database(action: str) -> None:
    from bench_database import own_database  # scripts/ is on the path when a script runs

    own_database(BENCH_URL, action)


def new_authority(code: str):  # type: ignore[no-untyped-def]
    """An authority with the demo county's budget lines and a unit cost per type and year."""
    from accounts.services import authority_create
    from forecasting.demo import seed_budget_and_actuals
    from forecasting.engine.calendar import FinancialYear
    from forecasting.models import PlacementType
    from placements.demo import DEMO_TYPES
    from placements.models import UnitCost

    authority = authority_create(code=code, name=f"SSDA903 Test Council {code}")
    seed_budget_and_actuals(authority=authority, year_label=YEAR, as_at_period=1, user=None)
    types = dict(PlacementType.objects.values_list("code", "id"))
    UnitCost.objects.bulk_create(
        UnitCost(
            authority=authority,
            placement_type_id=types[spec.type_code],
            effective_from=FinancialYear(start).start,
            weekly_cost=int(round(spec.weekly / (1.03 ** (2021 - start)) * 100)),
        )
        for spec in DEMO_TYPES
        for start in range(2014, 2022)
    )
    return authority


def command(paths: list[str], code: str, profile: Path | None = None) -> list[str]:
    manage = [str(ROOT / "manage.py"), "import_data", "ssda903", *paths, "--authority", code]
    if profile is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(profile), *manage]
    return [sys.executable, *manage]


def child_environment(cache: Path) -> dict[str, str]:
    environment = dict(os.environ)
    if ARGS.no_bytecode_cache:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment.pop("PYTHONPYCACHEPREFIX", None)
    else:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(cache)
    return environment


ENVIRONMENT: dict[str, str] = {}


def run(paths: list[str], code: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(CPU time, wall time, result) of one import as a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(command(paths, code), capture_output=True, text=True, check=False, cwd=ROOT, env=ENVIRONMENT)
    seconds = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"import_data ssda903 failed: {done.stderr[-1000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), seconds, done


def profiled(paths: list[str], code: str, title: str) -> None:
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile"
        subprocess.run(command(paths, code, out), capture_output=True, check=True, cwd=ROOT, env=ENVIRONMENT)
        print(f"--- {title}")
        pstats.Stats(str(out)).sort_stats("cumulative").print_stats(60)


def dump_stored(authority, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from register_dump import dump_register  # scripts/ is on the path when a script runs

    from accounts.models import AuditEvent
    from core.models import ImportBatch

    dump_register(authority, folder)
    batches = ImportBatch.objects.filter(authority=authority, kind="ssda903").order_by("id")
    (folder / "uploads.json").write_text(json.dumps([b.summary for b in batches], indent=1, default=str))
    events = AuditEvent.objects.filter(authority=authority).exclude(action__startswith="budget")
    events = events.exclude(action__startswith="actuals").exclude(action__startswith="period")
    listed = sorted(
        json.dumps([e.action, e.object_type, e.object_id, e.object_repr, e.before, e.after, e.reason], default=str)
        for e in events
    )
    (folder / "audit.txt").write_text("\n".join(listed) + "\n")


def dump_plan(authority, files: list[tuple[str, bytes]], folder: Path) -> None:  # type: ignore[no-untyped-def]
    """What a preview of ``files`` over what the authority holds shows: changes, warnings, issues."""
    from core.importing import SourceFile, importer_for
    from core.services import import_plan_build

    folder.mkdir(parents=True, exist_ok=True)
    plan = import_plan_build(
        authority=authority, kind="ssda903", files=[SourceFile(n, d) for n, d in files], options={}
    )
    record = importer_for("ssda903").record(plan)
    (folder / "changes.txt").write_text(
        "\n".join(f"{c.action}\t{c.key}\t{c.description}\t{c.before}\t{c.after}" for c in plan.changes) + "\n"
    )
    (folder / "warnings.txt").write_text("\n".join(str(p) for p in plan.warnings) + "\n")
    (folder / "errors.txt").write_text("\n".join(str(p) for p in plan.errors) + "\n")
    (folder / "record.json").write_text(
        json.dumps(
            {"summary": record.summary, "errors": record.errors, "warnings": record.warnings, "issues": record.issues},
            indent=0,
            default=str,
        )
    )


def main() -> int:
    database("create")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from placements.ssda903_synthetic import synthetic_903_files

        files = synthetic_903_files(ARGS.episodes, 1)
        with tempfile.TemporaryDirectory() as tmp:
            returns = Path(tmp) / "returns"
            returns.mkdir()
            for name, data in files:
                (returns / name).write_bytes(data)
            paths = sorted(str(p) for p in returns.glob("*.csv"))
            ENVIRONMENT.update(child_environment(Path(tmp) / "bytecode"))
            if not ARGS.no_bytecode_cache:
                new_authority("SW")
                run(paths, "SW")  # fills the bytecode cache; not timed
            cache = "no bytecode cache" if ARGS.no_bytecode_cache else "bytecode cached"
            print(
                f"import_data ssda903, {ARGS.episodes:,} episodes in {len(paths)} files ({cache}); "
                f"load average {os.getloadavg()}"
            )
            firsts, agains = [], []
            for number in range(ARGS.runs):
                code = f"S{number}"
                authority = new_authority(code)
                first = run(paths, code)
                firsts.append(first)
                again = run(paths, code)
                agains.append(again)
                if ARGS.dump and number == 0:
                    outputs = {"first": first[2], "again": again[2]}
                    for label, done in outputs.items():
                        (ARGS.dump / "command").mkdir(parents=True, exist_ok=True)
                        text = f"exit {done.returncode}\n{done.stdout}{done.stderr}".replace(tmp, "TMP")
                        (ARGS.dump / "command" / f"{label}.txt").write_text(text)
                    dump_stored(authority, ARGS.dump / "stored")
                    dump_plan(authority, files, ARGS.dump / "plan-again")
                    dump_plan(authority, synthetic_903_files(ARGS.episodes // 5, 2), ARGS.dump / "plan-other")
                    dump_plan(new_authority("SE"), files, ARGS.dump / "plan-first")
            for label, results in (("into an empty authority", firsts), ("again, over its own placements", agains)):
                cpu = statistics.median(r[0] for r in results)
                wall = statistics.median(r[1] for r in results)
                each = ", ".join(f"{r[0]:.2f}" for r in results)
                print(f"  {label}: {cpu:.2f} s CPU ({each}), {wall:.2f} s wall, median of {len(results)}")
            if ARGS.profile:
                authority = new_authority("SP")
                profiled(paths, "SP", "into an empty authority")
                profiled(paths, "SP", "again, over its own placements")
            print(f"  load average at the end {os.getloadavg()}")
    finally:
        database("drop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

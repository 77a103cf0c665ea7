"""SSDA903 figures for `make bench` (docs/benchmarks.md, From SSDA903 returns to a forecast):
100,000 synthetic episodes in 15 CSV files (`placements/ssda903_synthetic.py`, seed 1) read and
cleaned in-process; the peer model's job (read, clean once, forecast 24 months with flow or the
statistical model, no back-test) in-process; and `forecast_demand --method flow` on them as a
whole process (``--no-back-test``, as manage.py runs it, without Django, and through Django's
command; rule 8 chosen by the back-test; then fixed with ``--open-episodes keep-open``), with
whether that process imported the statistical library (it must not: the flow method fits no
model); on request
``--method auto`` and ``import_data ssda903`` of the same files (which needs the database of
DATABASE_URL and an authority).

CPU time (process time; for a whole process, the user and system time of the child) and wall
time, the median of ``--runs`` runs (5 unless told). No database is needed.

    .venv/bin/python scripts/bench_ssda903.py [--runs 5] [--whole-runs 5] [--episodes 100000]
        [--auto] [--import-authority CODE]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _median(pairs: list[tuple[float, float]]) -> str:
    cpu = statistics.median(p[0] for p in pairs)
    wall = statistics.median(p[1] for p in pairs)
    return f"{cpu:.2f} s CPU ({wall:.2f} s wall), median of {len(pairs)}"


def in_process(files: list[tuple[str, bytes]], runs: int) -> None:
    from placements.ssda903 import clean_episodes, default_mapping, read_903_files

    read_903_files(files[:3])  # the first call's imports are not the reading's
    reads, cleans = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        read = read_903_files(files)
        reads.append((time.process_time() - cpu, time.perf_counter() - wall))
        wall, cpu = time.perf_counter(), time.process_time()
        clean_episodes(read, mapping=default_mapping(), today=date(2022, 6, 30))
        cleans.append((time.process_time() - cpu, time.perf_counter() - wall))
    episodes = len(read.episodes)
    print(f"  read_903_files, {episodes:,} episodes in {len(files)} files: {_median(reads)}   [target < 0.15 s]")
    print(f"  clean_episodes of them: {_median(cleans)}   [target < 0.4 s]")


def peer_job_in_process(files: list[tuple[str, bytes]], runs: int) -> None:
    """The job the peer model does, in this process: read the returns, clean them once and
    forecast 24 months with a fixed method and no back-test; the statistical library is imported
    beforehand (as in a worker), so the statistical figure is reading, cleaning and fitting."""
    from forecast_runs.demand.command_line import default_types
    from forecast_runs.demand.forecast import forecast_returns
    from forecast_runs.demand.replay import Replayer
    from forecasting.engine.demand import _fit_statistical, load_statistical_library
    from placements.ssda903 import default_mapping, read_903_files

    load_statistical_library()
    types = default_types()
    for method in ("flow", "statistical"):
        figures = []
        for _ in range(runs):
            _fit_statistical.cache_clear()  # every run fits its models afresh, as a new process would
            wall, cpu = time.perf_counter(), time.process_time()
            replayer = Replayer(read_903_files(files), mapping=default_mapping(), types=types)
            forecast_returns(replayer, replayer.data_end, horizon=24, method=method, back_test=False)
            figures.append((time.process_time() - cpu, time.perf_counter() - wall))
        print(f"  read, clean once and forecast by {method}, no back-test, in-process: {_median(figures)}")


def _child_cpu(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(CPU time, wall time, result) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, seconds, done


def _imported_module(line: str) -> str:
    """The top-level package of a ``-X importtime`` line ("pandas.core._numba" is pandas)."""
    return line.rsplit("|", 1)[-1].strip().split(".")[0] if line.startswith("import time:") else ""


def whole_process(folder: Path, runs: int, extra: list[str], label: str) -> None:
    """forecast_demand as an analyst runs it: a fresh process each time. The timed runs are plain;
    one more, with ``-X importtime`` (which slows a process), says whether the library was loaded."""
    paths = sorted(str(p) for p in folder.glob("*.csv"))
    output = folder.parent / "forecast.csv"  # beside the returns: not read as one of them next time
    command = [str(ROOT / "manage.py"), "forecast_demand", "--ssda903", *paths, *extra, "--output", str(output)]
    figures = []
    for _ in range(runs):
        cpu, seconds, done = _child_cpu([sys.executable, *command])
        if done.returncode:
            print(f"  forecast_demand {label} failed: {done.stderr[-500:]}")
            return
        figures.append((cpu, seconds))
    print(f"  forecast_demand {label}, whole process: {_median(figures)}")
    _, _, done = _child_cpu([sys.executable, "-X", "importtime", *command])
    statistical = any(_imported_module(line) in ("statsforecast", "numba") for line in done.stderr.splitlines())
    print(f"  ... imported the statistical library: {'yes' if statistical else 'no'}")


def import_process(folder: Path, runs: int, authority: str) -> None:
    """import_data ssda903 of the same files into the database of DATABASE_URL, as authority
    ``authority`` (which must exist): a fresh process each time, the whole import written."""
    paths = sorted(str(p) for p in folder.glob("*.csv"))
    command = [sys.executable, str(ROOT / "manage.py"), "import_data", "ssda903", *paths, "--authority", authority]
    figures = []
    for _ in range(runs):
        cpu, seconds, done = _child_cpu(command)
        if done.returncode:
            print(f"  import_data ssda903 failed: {done.stderr[-500:]}")
            return
        figures.append((cpu, seconds))
    print(f"  import_data ssda903, whole process (this process only, not the database server's): {_median(figures)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--whole-runs", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--auto", action="store_true", help="also run --method auto (it back-tests every method)")
    parser.add_argument("--import-authority", metavar="CODE", help="also time import_data ssda903 as this authority")
    args = parser.parse_args()
    import django

    django.setup()
    from placements.ssda903_synthetic import synthetic_903_files

    files = synthetic_903_files(args.episodes, 1)
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    in_process(files, args.runs)
    peer_job_in_process(files, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        returns = Path(tmp) / "returns"
        returns.mkdir()
        for name, data in files:
            (returns / name).write_bytes(data)
        if args.whole_runs:
            # The peer's job: the returns read, cleaned once and forecast, no back-test.
            quick = ["--method", "flow", "--no-back-test"]
            whole_process(returns, args.whole_runs, quick, "--method flow --no-back-test")
            # The same through Django's command (--settings is Django's): what starting it costs.
            through_django = [*quick, "--settings", "config.settings"]
            whole_process(returns, args.whole_runs, through_django, "--method flow --no-back-test, Django started")
            whole_process(returns, args.whole_runs, ["--method", "flow"], "--method flow")
            fixed = ["--method", "flow", "--open-episodes", "keep-open"]
            whole_process(returns, args.whole_runs, fixed, "--method flow --open-episodes keep-open")
            # The same in one process: what the sharing of past dates among the cores saves.
            one = [*fixed, "--workers", "1"]
            whole_process(returns, args.whole_runs, one, "--method flow --open-episodes keep-open --workers 1")
            if args.auto:
                whole_process(returns, args.whole_runs, ["--method", "auto"], "--method auto")
            if args.import_authority:
                import_process(returns, args.whole_runs, args.import_authority)
        print(f"  (load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()

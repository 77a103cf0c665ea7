"""The SSDA903 path's outputs written to a folder, so that an optimisation of reading or cleaning
can be checked to the last character: run it before and after, then `diff -r BEFORE AFTER`.

    .venv/bin/python scripts/ssda903_fingerprint.py OUTPUT_FOLDER [--episodes 100000] [--no-forecast]

For the sample returns (tests/placements/fixtures/ssda903-sample) and the synthetic set
(`placements/ssda903_synthetic.py`, seed 1) it writes: the frames read (header, episodes, UASC),
the placements, issues, summary, rule 8's children and the disagreements of ``clean_episodes``,
the month-end numbers by type as the forecast replays them at several dates and under every
rule 8, and the CSV and screen output of `forecast_demand --method flow` (in a fresh process).
No database is needed."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SAMPLE = ROOT / "tests" / "placements" / "fixtures" / "ssda903-sample"


def _frame(path: Path, frame) -> None:  # type: ignore[no-untyped-def]
    """A frame as CSV with its dtypes on the first line: a change of type is a change."""
    dtypes = ",".join(f"{c}:{t}" for c, t in frame.dtypes.astype(str).items())
    path.write_text(dtypes + "\n" + frame.to_csv(index=True, lineterminator="\n"))


def _dates(first: date, last: date) -> list[date]:
    import pandas as pd

    return [d.date() for d in pd.date_range(first, last, freq="6ME")]


def fingerprint(name: str, files: list[Path] | list[tuple[str, bytes]], out: Path, forecast: bool) -> None:

    from forecast_runs.demand.command_line import default_types
    from forecast_runs.demand.replay import RULES, Replayer
    from placements.ssda903 import clean_episodes, default_mapping, read_903_files

    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    read = read_903_files(files)
    for kind in ("header", "episodes", "uasc"):
        _frame(folder / f"read-{kind}.csv", getattr(read, kind))
    (folder / "read-files.json").write_text(json.dumps([repr(f) for f in read.files] + read.warnings, indent=1))
    today = date(2022, 6, 30)
    for rule in RULES:
        cleaned = clean_episodes(read, mapping=default_mapping(), today=today, stale_open=rule)
        for part in ("placements", "issues", "stale_open", "disagreements"):
            _frame(folder / f"clean-{rule}-{part}.csv", getattr(cleaned, part))
        (folder / f"clean-{rule}-summary.json").write_text(json.dumps(cleaned.summary, indent=1, default=str))
    types = default_types()
    replayer = Replayer(read, mapping=default_mapping(), types=types, today=today)
    lines = []
    for as_at in _dates(date(replayer.first_year, 6, 30), replayer.data_end):
        for rule in RULES:
            for series_name, series in replayer.inputs(as_at, rule).items():
                values = ",".join(f"{v:g}" for v in series.values)
                lines.append(f"{as_at} {rule} {series_name} {series.dates[0]}..{series.dates[-1]} {values}")
    (folder / "month-ends.txt").write_text("\n".join(lines) + "\n")
    if not forecast:
        return
    with tempfile.TemporaryDirectory() as tmp:
        paths = [str(p) for p in files] if isinstance(files[0], Path) else _written(files, Path(tmp))
        output = folder / "forecast-flow.csv"
        shown = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "forecast_demand", "--ssda903", *paths]
            + ["--method", "flow", "--as-at", str(replayer.data_end), "--output", str(output)],
            capture_output=True,
            text=True,
            check=False,
        )
        (folder / "forecast-flow.out").write_text(f"exit {shown.returncode}\n{shown.stdout}{shown.stderr}")


def _written(files: list[tuple[str, bytes]], folder: Path) -> list[str]:
    paths = []
    for name, data in files:
        (folder / name).write_bytes(data)
        paths.append(str(folder / name))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--no-forecast", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from placements.ssda903_synthetic import synthetic_903_files

    out = Path(args.output)
    sample = sorted(p for p in SAMPLE.iterdir() if p.suffix == ".csv")
    fingerprint("sample", sample, out, not args.no_forecast)
    fingerprint("synthetic", synthetic_903_files(args.episodes, 1), out, False)
    # The whole forecast replays dozens of dates: on a smaller set, to keep the check quick.
    fingerprint("synthetic-small", synthetic_903_files(args.episodes // 5, 2), out, not args.no_forecast)
    print(f"written to {out}")


if __name__ == "__main__":
    main()

"""The demand forecast checked as an analyst outside the team would check it: SSDA903 returns cut
on disk as they stood on past dates, `forecast_demand` run on each cut as a fresh process, and its
output scored against what the full returns say happened (figures to read; docs/accuracy.md).

    .venv/bin/python scripts/accuracy_command.py --ssda903 FILE... [--method auto]
    .venv/bin/python scripts/accuracy_command.py --synthetic EPISODES SEED [--method auto]

Each file's collection year is the 4-digit year its name begins with (`2019-episodes.csv`, the
sample's naming). On a date D the cut holds, as issue and docs/ssda903.md say a return stood then:
every return of a collection year finished by D; of the year under way, the episodes started by D
with a later DEC, REC and REASON_PLACE_CHANGE blanked, the header rows of the children those
episodes list and their UASC rows with a later DUC blanked; nothing of a later year. The forecast
dates are those of `scripts/accuracy.py` (every 6 months from 30 September 2018 with 12 months of
returns after). `--synthetic` generates returns with `placements.ssda903_synthetic` for two more
years than it keeps, since the generator cuts its last year short.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import django
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from accuracy import origins  # noqa: E402

from forecast_runs.demand.replay import Replayer  # noqa: E402
from forecast_runs.demand.series import TOTAL, types_frame  # noqa: E402
from placements.ssda903 import default_mapping, read_903_files  # noqa: E402
from placements.ssda903_synthetic import synthetic_903_files  # noqa: E402

LATER = ("DEC", "REC", "REASON_PLACE_CHANGE")
SHOWN = (1, 3, 6, 12)


def _day(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")


def _year(name: str) -> int:
    found = re.match(r"(\d{4})", Path(name).name)
    if found is None:
        raise SystemExit(f"{name}: the file name does not begin with its collection year (2019-episodes.csv)")
    return int(found.group(1))


def cut(files: list[tuple[str, bytes]], day: date) -> list[tuple[str, bytes]]:
    """The returns as they stood on ``day`` (see the module's docstring)."""
    moment = pd.Timestamp(day)
    now = day.year - (1 if day.month < 4 else 0)
    finished_now = day >= date(now + 1, 3, 31)
    frames = [(name, pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)) for name, data in files]
    listed: set[str] = set()
    out: list[tuple[str, pd.DataFrame]] = []
    for name, frame in frames:
        year = _year(name)
        if year > now:
            continue
        if year == now and not finished_now and "DECOM" in frame.columns:
            frame = frame[~(_day(frame["DECOM"]) > moment)].copy()
            later = _day(frame["DEC"]) > moment
            for column in LATER:
                if column in frame.columns:
                    frame.loc[later, column] = ""
            listed |= set(frame["CHILD"])
        out.append((name, frame))
    kept = []
    for name, frame in out:
        if _year(name) == now and not finished_now and "DECOM" not in frame.columns:
            frame = frame[frame["CHILD"].isin(listed)].copy()
            if "DUC" in frame.columns:
                frame.loc[_day(frame["DUC"]) > moment, "DUC"] = ""
        kept.append((name, frame.to_csv(index=False).encode()))
    return kept


def forecast(files: list[tuple[str, bytes]], method: str) -> pd.DataFrame:
    """`forecast_demand` on ``files`` in a fresh process, as an analyst runs it."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in files:
            path = Path(folder) / Path(name).name
            path.write_bytes(data)
            paths.append(str(path))
        output = Path(folder) / "forecast.csv"
        command = [sys.executable, "manage.py", "forecast_demand", "--ssda903", *paths, "--method", method]
        done = subprocess.run([*command, "--output", str(output)], cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"forecast_demand failed:\n{done.stdout}\n{done.stderr}")
        return pd.read_csv(output, parse_dates=["date"])


def score(files: list[tuple[str, bytes]], method: str) -> pd.DataFrame:
    replayer = Replayer(read_903_files(files), mapping=default_mapping(), types=types_frame([]))
    truth = replayer.truth(replayer.data_end)
    parts = []
    for day in origins(replayer.data_end):
        out = forecast(cut(files, day), method)
        out["horizon"] = out.groupby("series").cumcount() + 1
        out["origin"] = day
        pairs = zip(out["series"], out["date"], strict=True)
        out["actual"] = [truth[s].get(d.date(), np.nan) if s in truth else np.nan for s, d in pairs]
        parts.append(out)
        print(f"  {day}: forecast and scored", flush=True)
    scored = pd.concat(parts, ignore_index=True)
    return scored[(scored["horizon"] <= 12) & scored["actual"].notna()]


def report(scored: pd.DataFrame) -> None:
    total = scored[scored["series"] == TOTAL]
    error = (total["mid"] - total["actual"]).abs() / total["actual"] * 100
    print("\n| total | " + " | ".join(f"{h} m" for h in SHOWN) + " |")
    print("|---|" + "---|" * len(SHOWN))
    print("| MAPE % | " + " | ".join(f"{error[total['horizon'] == h].mean():.1f}" for h in SHOWN) + " |")
    banded = scored[scored["p10"].notna()]
    inside = (banded["actual"] >= banded["p10"]) & (banded["actual"] <= banded["p90"])
    first = banded["horizon"] == 1
    rows = pd.DataFrame(
        {
            "1-12 months": inside.groupby(banded["series"]).mean() * 100,
            "at 1 month": inside[first].groupby(banded.loc[first, "series"]).mean() * 100,
            "forecasts": inside.groupby(banded["series"]).size(),
        }
    )
    print("\n| coverage of the 10-90% interval, % | 1-12 months | at 1 month | forecasts |")
    print("|---|---|---|---|")
    for series, row in rows.iterrows():
        print(f"| {series} | {row['1-12 months']:.0f} | {row['at 1 month']:.0f} | {row['forecasts']:.0f} |")
    types = banded["series"] != TOTAL
    print(
        f"| all types | {inside[types].mean() * 100:.0f} | {inside[types & first].mean() * 100:.0f} "
        f"| {int(types.sum())} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--ssda903", nargs="+", type=Path)
    given.add_argument("--synthetic", nargs=2, type=int, metavar=("EPISODES", "SEED"))
    parser.add_argument("--method", default="auto")
    args = parser.parse_args()
    if args.ssda903:
        files = [(path.name, path.read_bytes()) for path in args.ssda903]
        print(f"{len(files)} files")
    else:
        episodes, seed = args.synthetic
        made = synthetic_903_files(episodes, seed, first_year=2015, years=10)
        files = [(name, data) for name, data in made if _year(name) <= 2021]
        print(f"synthetic returns (seed {seed}, {episodes:,} episodes generated), 2015/16 to 2021/22 kept")
    report(score(files, args.method))


if __name__ == "__main__":
    main()

"""The medium-term forecast's move towards the published 31 March series, back-tested on
registers with a history, for `make accuracy` (figures to read, never pass/fail; docs/mtfp.md
keeps the latest output).

For each register, at every 31 March of its history with 13 month-ends before it, the number of
children in care is forecast 1 to 3 years on (as far as the register reaches) by the register
alone and moved towards the published series' change by each weight (0 = the register alone,
1 = the published change alone), using only published years out by then, and scored against the
register's own later 31 March numbers (`forecast_runs.demand.mtfp.blend_backtest`). The weight
the product would choose on the register's last date is printed with its reason.

    .venv/bin/python scripts/accuracy_mtfp_blend.py
"""

from __future__ import annotations

import csv
import os
import sys
from datetime import date
from pathlib import Path

import django
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The demo county's register is built by the placements app (pure, but its module loads models):
# Django is set up without touching a database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from forecast_runs.demand.mtfp import (  # noqa: E402
    BLEND_WEIGHTS,
    WEIGHT_WORDS,
    blend_backtest,
    choose_blend,
    in_care_total,
    published_known,
)
from forecast_runs.demand.series import TOTAL, placement_series, types_frame  # noqa: E402
from forecasting.engine.calendar import FinancialYear  # noqa: E402
from forecasting.engine.synthetic import large_county_inputs  # noqa: E402
from placements.demo import HISTORY_YEARS, demo_register  # noqa: E402

PUBLISHED = ROOT / "data" / "dfe-published" / "cla-31-march-by-la-2010-2024.csv"
DEMO_YEAR, DEMO_PERIOD = "2024/25", 12
# The demo county is linked to Nottinghamshire (891) as seed_demo links it. The large synthetic
# county (about 2,000 children in care) has no council of its own: it is paired with Lancashire
# (888), a county of that size, as a check that an unrelated series is not taken up.
DEMO_LA, LARGE_LA = "891", "888"


def published_series(la_number: str) -> dict[int, int]:
    with PUBLISHED.open(newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["old_la_code"] == la_number)
    return {int(y): int(v) for y, v in row.items() if y.isdigit() and v.isdigit()}


def report(name: str, register: pd.DataFrame, types: pd.DataFrame, as_at: date, first: date, la: str) -> None:
    numbers = placement_series(register, types, as_at=as_at, history_from=first, horizon=1)
    total = in_care_total({k: v for k, v in numbers.items() if k != TOTAL})
    assert total is not None
    published = published_series(la)
    scores = blend_backtest(total, published)
    print(f"\n{name}: register {first} to {as_at}, published series of LA {la}")
    if scores.empty:
        print("  no earlier 31 March could be scored")
    else:
        print(f"  31 Marches scored: {', '.join(str(d) for d in sorted(scores['origin'].unique()))}")
        grid = scores.pivot_table(index="weight", columns="horizon", values="ape", aggfunc="mean")
        counts = scores[scores["weight"] == 0.0].groupby("horizon").size()
        print("| MAPE % | " + " | ".join(f"{h} year{'s' if h > 1 else ''} ({counts[h]})" for h in grid.columns) + " |")
        print("|---" * (len(grid.columns) + 1) + "|")
        for w in BLEND_WEIGHTS:
            label = "register alone (0)" if w == 0 else f"{WEIGHT_WORDS[w]} ({w:g})"
            if w == 1.0:
                label = "published change alone (1)"
            print(f"| {label} | " + " | ".join(f"{grid.loc[w, h]:.1f}" for h in grid.columns) + " |")
    choice = choose_blend(scores, published_known(published, as_at))
    print(f"  Chosen on {as_at}: weight {choice.weight:g}, {choice.reason}")


def main() -> None:
    year = FinancialYear.from_label(DEMO_YEAR)
    demo = demo_register(year_label=DEMO_YEAR, period=DEMO_PERIOD)
    # The demo's register is simulated from 1 April HISTORY_YEARS - 1 years before its year:
    # before that it holds only the placements still open then, a climb from a handful.
    demo_first = date(year.start_year - HISTORY_YEARS + 1, 4, 1)
    report(
        f"Demo county ({DEMO_YEAR}, period {DEMO_PERIOD})",
        demo,
        types_frame(sorted({str(t) for t in demo["placement_type"]})),
        year.as_at_date(DEMO_PERIOD),
        demo_first,
        DEMO_LA,
    )
    large = large_county_inputs(seed=1)
    large_as_at = large.year.as_at_date(large.as_at_period)
    # Ten years of placement history; the first five are the climb of a register started empty
    # (715 children in care on 31 March 2010, 1,533 in 2014, then 1,580 to 1,640).
    large_first = date(large_as_at.year - 5, 4, 1)
    report(
        "Large synthetic county (seed 1)", large.placements, large.placement_types, large_as_at, large_first, LARGE_LA
    )


if __name__ == "__main__":
    main()

"""The sentences of the benchmarks page, in the style of the councils' own committee reports:
"In 2024 the rate of children looked after was 22.4% lower than statistical neighbours and 25.0%
lower than England"; "an agency rate of 14.0%, compared with a national rate of 15.4% and a
statistical neighbour rate of 11.3%". Percentages have one decimal place, as everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import wording
from benchmarks.measures import Known


def shown(value: Decimal | None, unit: str) -> str:
    """A published figure in words: £ for money (pounds to pence, then the usual rule), % for
    percentages, whole numbers for counts, one decimal place for rates and caseloads."""
    if value is None:
        return ""
    if unit in ("weekly_pounds", "pounds"):
        return wording.money(int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if unit == "percent":
        return wording.percent(value)
    if unit == "number":
        return wording.count(value)
    return wording.decimal_count(value)


def difference(own: Decimal | None, other: Decimal | None, what: str) -> str:
    """'22.4% lower than statistical neighbours', 'the same as England'; '' when either is missing."""
    if own is None or other is None or other == 0:
        return ""
    change = (own - other) / other * 100
    text = wording.percent(abs(change))
    if text == "0.0%":
        return f"the same as {what}"
    return f"{text} {'higher' if change > 0 else 'lower'} than {what}"


def year_text(label: str) -> str:
    """DfE's year label as people read it: "2023-24 (OT)" (outturn) is the financial year 2023-24."""
    return label.replace(" (OT)", "").strip()


def count_sentence(
    *, council: str, year: str, what: str, own: Decimal | None, neighbours: Decimal | None, unit: str
) -> str:
    """Counts and totals depend on a council's size, so they are set beside the neighbours'
    average, not turned into a percentage of England's: 'In 2024 Kent had 1,960 children looked
    after at 31 March; its statistical neighbours averaged 1,053.'"""
    if own is None:
        return ""
    sentence = f"In {year_text(year)} {council}'s {what} was {shown(own, unit)}"
    if neighbours is not None:
        sentence += f"; its statistical neighbours averaged {shown(neighbours, unit)}"
    return sentence + "."


def comparison_sentence(
    *, subject: str, year: str, own: Decimal | None, neighbours: Decimal | None, england: Decimal | None
) -> str:
    """'In 2024 Kent's rate of children looked after per 10,000 children was 22.4% lower than
    statistical neighbours and 25.0% lower than England.'"""
    parts = [
        p for p in (difference(own, neighbours, "statistical neighbours"), difference(own, england, "England")) if p
    ]
    if not parts:
        return ""
    return f"In {year_text(year)} {subject} was {' and '.join(parts)}."


def rate_sentence(
    *,
    council: str,
    what: str,
    source: str,
    own: Decimal | None,
    england: Decimal | None,
    neighbours: Decimal | None,
    region_name: str = "",
    region: Decimal | None = None,
) -> str:
    """'According to DfE's children's social work workforce statistics (30 September 2024), Kent
    has an agency rate of 14.0%, compared with a national rate of 15.4% and a statistical
    neighbour rate of 11.3%. The South East rate is 13.6%.'"""
    if own is None:
        return ""
    compared = [
        f"a national rate of {wording.percent(england)}" if england is not None else "",
        f"a statistical neighbour rate of {wording.percent(neighbours)}" if neighbours is not None else "",
    ]
    compared = [c for c in compared if c]
    sentence = f"According to {source}, {council} has {what} of {wording.percent(own)}"
    sentence += f", compared with {' and '.join(compared)}." if compared else "."
    if region is not None and region_name:
        sentence += f" The {region_name} rate is {wording.percent(region)}."
    return sentence


def own_beside(
    known: Known, own_now: Decimal | None, latest: Decimal | None, latest_year: str, *, when: str = "Now"
) -> str:
    """The council's own current figure beside the latest published one; ``when`` says what the
    own figure covers ("Now", "From 1 April to 31 August 2019", "Forecast for 2019/20 period 5")."""
    if own_now is None:
        return ""
    now = shown(own_now, known.unit)
    lead = f"Now {now}" if when == "Now" else f"{when}: {now}"
    if latest is None:
        return f"{lead}; DfE has no published figure to compare."
    return f"{lead}, against {shown(latest, known.unit)} published for {year_text(latest_year)}."


def own_when(code: str, *, year_from: date | None, as_at: date, spend_of: str) -> str:
    """What the council's own figure for a measure covers, in words."""
    if code in ("LACnum_Start", "LACceased") and year_from is not None:
        return f"From {wording.date_text(year_from)} to {wording.date_text(as_at)}"
    if code == "TotalLACFinance" and spend_of:
        return f"Forecast outturn for {spend_of}"
    return "Now"


def published_text(day: date | None, month_only: bool = False) -> str:
    """'published 3 November 2025' or, for a workbook dated by month, 'published May 2025'."""
    if day is None:
        return ""
    return f"published {day:%B %Y}" if month_only else f"published {wording.date_text(day)}"

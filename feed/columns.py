"""The columns of every table the feed serves, in one place: the endpoints write their CSV and JSON
from these, and the OpenAPI schema is written from them too, so the two cannot disagree.

The forecast's four tables have exactly the columns of `export_forecast` (DATA_FORMATS.md,
Commands), after the identifying columns that say whose figures they are and from which run.
"""

from __future__ import annotations

from dataclasses import dataclass

from forecasting.engine.result import EXPORT_COLUMNS, MONEY_COLUMNS, NUMBER_COLUMNS
from forecasting.scenarios import FILE_COLUMNS

# What a value is, which fixes how it is written in JSON and described in the schema.
TEXT = "text"
POUNDS = "pounds"  # money: pounds with at most 2 decimal places (pence are whole in the product)
NUMBER = "number"  # a count or FTE, to 2 decimal places
PERCENT = "percent"  # 3.1 means 3.1%
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"  # ISO 8601, 2019-10-01
DATETIME = "datetime"  # ISO 8601 with the offset


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    nullable: bool = False


IDENTITY = (
    Column("authority_code", TEXT, "The authority's short code"),
    Column("financial_year", TEXT, "The financial year, e.g. 2019/20"),
    Column("as_at_period", INTEGER, "The period the forecast is as at (1 is April, 12 is March)"),
    Column("published_version", INTEGER, "The published version; empty for the latest run", nullable=True),
    Column("run_id", INTEGER, "The forecast run the figures come from"),
)

DESCRIPTIONS = {
    "scenario": "The scenario: best, middle (the reported forecast) or worst",
    "line_code": "The budget line's code",
    "line_name": "The budget line's name",
    "service_area": "The service the line belongs to",
    "category": "The line's category: placements, workforce, other or income",
    "annual_budget": "The line's revised budget for the year",
    "actual_ytd": "Spent so far this year",
    "committed_remaining": "Committed spend for the rest of the year",
    "projected_change": "Cost projected beyond what is committed (more or fewer children or staff)",
    "savings_adjustment": "The adjustment for savings forecast not to be delivered",
    "forecast_outturn": "The forecast outturn for the year",
    "variance": "Forecast outturn less budget: positive is an overspend",
    "variance_pct": "Variance as a percentage of the budget",
    "placement_type": "The finance placement type",
    "month": "The month, YYYY-MM; months up to the as-at period are actuals",
    "month_end_number": "Children in placement at the month end",
    "average_number": "Average children in placement over the month",
    "number_p10": "Month-end number: 10th percentile",
    "number_p90": "Month-end number: 90th percentile",
    "gross_cost": "Gross cost in the month",
    "contributions": "Contributions received in the month",
    "net_cost": "Net cost in the month",
    "team": "The team",
    "permanent_fte": "Permanent staff, FTE",
    "agency_fte": "Agency staff, FTE",
    "vacancies": "Vacant posts, FTE",
    "permanent_cost": "Cost of permanent staff in the month",
    "agency_cost": "Cost of agency staff in the month",
    "total_cost": "Total staff cost in the month",
    "ref": "The saving's reference",
    "title": "The saving's title",
    "status": "The saving's delivery status",
    "planned": "The saving planned for the year",
    "forecast_delivery": "The saving forecast to be delivered",
    "shortfall": "Planned less forecast delivery",
    "added_to_outturn": "Whether the shortfall is added to the outturn",
    "demand_method": "How numbers of children are forecast",
    "net_change": "Change in the month-end number by March",
    "new_unit_cost": "Weekly cost of a new placement",
    "fee_uplift_pct": "Fee uplift, percent",
    "fee_uplift_from": "The date the fee uplift applies from",
    "agency_target_fte": "Agency staff by March, FTE",
    "billable_factor": "Share of agency time billed (0.9 is 90%)",
    "delivery_achieved_pct": "Share of achieved savings delivered, percent",
    "delivery_on_track_pct": "Share of on-track savings delivered, percent",
    "delivery_at_risk_pct": "Share of at-risk savings delivered, percent",
    "delivery_undeliverable_pct": "Share of undeliverable savings delivered, percent",
    "assumption": "The assumption in words",
}

SCENARIO_KINDS = {
    "net_change": NUMBER,
    "new_unit_cost": POUNDS,
    "fee_uplift_pct": PERCENT,
    "fee_uplift_from": DATE,
    "agency_target_fte": NUMBER,
    "billable_factor": NUMBER,
    "delivery_achieved_pct": PERCENT,
    "delivery_on_track_pct": PERCENT,
    "delivery_at_risk_pct": PERCENT,
    "delivery_undeliverable_pct": PERCENT,
}


def _export_kind(table: str, name: str) -> str:
    if name in MONEY_COLUMNS.get(table, ()):
        return POUNDS
    if name in NUMBER_COLUMNS.get(table, ()):
        return NUMBER
    if name == "variance_pct":
        return PERCENT
    if name == "added_to_outturn":
        return BOOLEAN
    return TEXT


def _export_columns(table: str) -> tuple[Column, ...]:
    nullable = {"variance_pct", "number_p10", "number_p90", "line_code"}
    return tuple(
        Column(name, _export_kind(table, name), DESCRIPTIONS[name], nullable=name in nullable)
        for name in EXPORT_COLUMNS[table]
    )


def _scenario_columns() -> tuple[Column, ...]:
    own = tuple(
        Column(name, SCENARIO_KINDS.get(name, TEXT), DESCRIPTIONS[name], nullable=name != "scenario")
        for name in FILE_COLUMNS
    )
    return (*own, Column("assumption", TEXT, DESCRIPTIONS["assumption"]))


# The tables of a run, each with its columns after IDENTITY.
TABLES: dict[str, tuple[Column, ...]] = {
    "lines": _export_columns("lines"),
    "placements": _export_columns("placements"),
    "workforce": _export_columns("workforce"),
    "savings": _export_columns("savings"),
    "scenarios": _scenario_columns(),
}
TABLE_WORDS = {
    "lines": "The forecast of every budget line, per scenario",
    "placements": "Children in placement and their cost, per scenario, placement type and month",
    "workforce": "Staff and their cost, per scenario, team and month",
    "savings": "Each saving's forecast delivery, per scenario",
    "scenarios": "The scenario assumptions the run was made with",
}

PERIOD_COLUMNS = (
    Column("published_id", INTEGER, "The published version's id, used in this feed's addresses"),
    Column("authority_code", TEXT, "The authority's short code"),
    Column("financial_year", TEXT, "The financial year, e.g. 2019/20"),
    Column("period", INTEGER, "The period published (1 is April, 12 is March)"),
    Column("version", INTEGER, "The version of the period (a period re-published gets a new version)"),
    Column("is_current", BOOLEAN, "Whether this is the newest version of its period"),
    Column("title", TEXT, "The version in words, e.g. 2019/20 period 5 version 1"),
    Column("run_id", INTEGER, "The forecast run it was published from"),
    Column("signed_off_by", TEXT, "Who signed it off"),
    Column("signed_off_at", DATETIME, "When it was signed off"),
    Column("signed_off_on", TEXT, "The day it was signed off, in words"),
)
RUN_COLUMNS = (
    Column("run_id", INTEGER, "The forecast run"),
    Column("authority_code", TEXT, "The authority's short code"),
    Column("financial_year", TEXT, "The financial year, e.g. 2019/20"),
    Column("as_at_period", INTEGER, "The period the forecast is as at"),
    Column("finished_at", DATETIME, "When the run finished"),
    Column("finished_on", TEXT, "The day the run finished, in words"),
)


def table_columns(table: str) -> tuple[Column, ...]:
    """Every column of a run's table, identifying columns first."""
    return (*IDENTITY, *TABLES[table])

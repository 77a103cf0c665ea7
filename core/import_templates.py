"""A template file for each kind of upload, and the list of its columns, from the importer's own
Column definitions (so that neither can drift from the code that reads the files).

Each template is the kind's header and one realistic example row, as CSV or as XLSX (bold,
frozen header and widths, like every download; the header keeps the column names the importer
reads, so that the template can be filled in and uploaded as it is). The examples and the
meaning of columns whose Column has no help are kept here (DATA_FORMATS.md's words).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from core.importing import Importer

# One example row per kind, by column. Every column of the kind appears (tests check it), blank
# where the example does not need it. The savings tracker also has a column per financial year.
EXAMPLES: dict[str, dict[str, str]] = {
    "budget": {
        "line_code": "CIC-RES-EXT",
        "line_name": "External residential placements",
        "service_area": "Children in Care",
        "category": "placements",
        "placement_type": "residential_external",
        "team": "",
        "annual_budget": "12,450,000.00",
        "method": "",
        "budget_numbers": "38.5",
        "financial_year": "2019/20",
    },
    "actuals": {"line_code": "CIC-RES-EXT", "period": "4", "amount": "1,032,415.27", "financial_year": "2019/20"},
    "placements": {
        "placement_ref": "PL-004512",
        "child_ref": "C104233",
        "child_dob": "2008-06-01",
        "placement_type": "fostering_ifa",
        "provider": "Brightwater Fostering",
        "procurement": "framework",
        "start_date": "2019-04-01",
        "end_date": "",
        "planned_end_date": "2020-03-31",
        "weekly_cost": "925.50",
        "health_contribution": "",
        "education_contribution": "",
        "uasc": "N",
        "line_code": "",
    },
    "workforce": {
        "record": "post",
        "team": "CSW-N",
        "team_name": "Children's social work North",
        "hard_to_retain": "Y",
        "ref": "POST-0101",
        "post_ref": "",
        "role": "social worker",
        "fte": "1",
        "annual_cost": "48,500",
        "worker_type": "",
        "weekly_rate": "",
        "agency_reason": "",
        "absence": "",
        "start_date": "",
        "end_date": "",
        "caseload": "",
        "as_at": "2019-07-31",
        "manageable_caseload": "",
        "line_code": "",
        "asye": "",
    },
    "savings": {
        "ref": "CHS/SAV/34",
        "title": "Step down from residential to foster care",
        "service_area": "Children in Care",
        "line_code": "",
        "saving_type": "spend_reduction",
        "owner": "Head of Children in Care",
        "narrative": "Move six children a year to foster families with support",
        "status": "on_track",
        "rag": "",
        "programme": "",
        "version": "approved",
        "forecast_delivery": "250,000",
        "2019/20": "300,000",
        "progress": "Two children moved in the quarter",
        "period": "4",
        "approved_by": "Cabinet",
        "approved_on": "2019-02-12",
        "start_date": "2019-04-01",
        "full_year_effect": "300,000",
    },
    "scenarios": {
        "scenario": "middle",
        "placement_type": "fostering_ifa",
        "demand_method": "trend",
        "net_change": "",
        "new_unit_cost": "950",
        "fee_uplift_pct": "3.1",
        "fee_uplift_from": "2019-04-01",
        "agency_target_fte": "",
        "team": "",
        "billable_factor": "",
        "delivery_achieved_pct": "",
        "delivery_on_track_pct": "",
        "delivery_at_risk_pct": "",
        "delivery_undeliverable_pct": "",
    },
}

# Columns of a kind beyond its Column definitions that its template shows (a year's savings).
EXTRA_TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {"savings": ("2019/20",)}
EXTRA_COLUMN_HELP: dict[str, dict[str, tuple[bool, str]]] = {
    "savings": {"2019/20": (True, "one column per financial year (e.g. 2019/20): £ saving in that year, positive")},
}

# What a column holds where its Column has no help of its own (DATA_FORMATS.md).
COLUMN_HELP: dict[str, dict[str, str]] = {
    "budget": {
        "line_code": "unique code of the budget line, e.g. CIC-RES-EXT",
        "line_name": "e.g. External residential placements",
        "service_area": "e.g. Children in Care",
        "category": "placements, workforce, other or income",
        "placement_type": "for a placements line: a finance placement type code",
        "team": "for a workforce line: a team code",
        "annual_budget": "£, the year's net budget (income negative)",
        "method": "profile (the default), run_rate or budget, for other and income lines",
        "budget_numbers": "budgeted average number of children (placements lines)",
        "financial_year": "e.g. 2019/20, when not chosen on the upload page",
    },
    "actuals": {
        "line_code": "a known budget line",
        "period": "1 to 12",
        "amount": "£ net spend in that period (income negative)",
        "financial_year": "e.g. 2019/20, when not chosen on the upload page",
    },
    "placements": {
        "placement_ref": "the council's reference",
        "child_ref": "pseudonymous child identifier (never a name)",
        "child_dob": "date of birth (the first of the month is fine)",
        "placement_type": "finance placement type code",
        "provider": "provider name",
        "procurement": "in_house, framework, block or spot",
        "start_date": "first day in placement at this rate",
        "end_date": "first day no longer in it",
        "planned_end_date": "expected end, for the forecast",
        "weekly_cost": "£ per week, gross",
        "health_contribution": "£ per week from health",
        "education_contribution": "£ per week from education",
        "uasc": "unaccompanied asylum-seeking child (Y/N)",
        "line_code": "budget line; by default the placements line of that type",
    },
    "workforce": {
        "team_name": "team name",
        "hard_to_retain": "the team is hard to recruit to (Y/N)",
        "post_ref": "for a worker: the post they fill",
        "role": "e.g. social worker, senior practitioner, team manager",
        "fte": "budgeted FTE (post) or worked FTE (worker)",
        "annual_cost": "£ a year: budgeted for a post, actual full cost for a permanent worker",
        "worker_type": "for a worker: permanent or agency",
        "weekly_rate": "for an agency worker: £ per week",
        "agency_reason": "for an agency worker: vacancy, additional_capacity, asye_cover, "
        "long_term_sickness, maternity or suspension",
        "absence": "maternity, long_term_sickness, suspension, or blank",
        "start_date": "for a worker: first day",
        "end_date": "last day worked (inclusive), actual or expected",
        "caseload": "open cases held",
        "as_at": "the date the list is as at, when not chosen on the upload page",
    },
    "savings": {
        "ref": "e.g. CHS/SAV/34",
        "title": "what the saving is",
        "service_area": "e.g. Children in Care",
        "line_code": "budget line the saving reduces",
        "saving_type": "spend_reduction (the default), income, funding_switch or cost_avoidance",
        "owner": "who is responsible",
        "narrative": "how it will be delivered",
        "status": "achieved, on_track, at_risk, undeliverable or absorbed",
        "rag": "green, amber or red (from the status when blank)",
        "programme": "the programme it belongs to or was absorbed into",
        "version": "consultation, approved (the default) or reprofiled",
        "forecast_delivery": "£ expected to be delivered in the current year",
        "approved_by": "who approved it",
        "approved_on": "date approved",
        "start_date": "date delivery starts",
        "full_year_effect": "£ a full year",
    },
    "scenarios": {
        "scenario": "best, middle, worst or a new name",
        "placement_type": "a finance placement type code; blank for every type",
        "demand_method": "commitments, net_change, trend, statistical or flow",
        "net_change": "for net_change: change in month-end number by the end of March",
        "new_unit_cost": "£ per week for new placements",
        "fee_uplift_pct": "e.g. 3.1",
        "fee_uplift_from": "date the uplift starts",
        "agency_target_fte": "agency FTE at the end of March (blank team: overall)",
        "team": "the team of the agency target",
        "billable_factor": "e.g. 0.88",
        "delivery_achieved_pct": "savings delivery rate of achieved savings, e.g. 100",
        "delivery_on_track_pct": "savings delivery rate of savings on track, e.g. 90",
        "delivery_at_risk_pct": "savings delivery rate of savings at risk, e.g. 50",
        "delivery_undeliverable_pct": "savings delivery rate of undeliverable savings, e.g. 0",
    },
}


@dataclass(frozen=True)
class ColumnGuide:
    """One column as the upload page lists it."""

    name: str
    required: bool
    help: str


def has_template(importer: Importer) -> bool:
    """A kind read as one table has a template; the SSDA903 return is the DfE's own files."""
    return bool(importer.columns) and not importer.multi_file


def column_guide(importer: Importer) -> list[ColumnGuide]:
    """The kind's columns in the order its importer declares them, then any extra ones."""
    helps = COLUMN_HELP.get(importer.kind, {})
    guide = [ColumnGuide(c.name, c.required, c.help or helps.get(c.name, "")) for c in importer.columns]
    extra = EXTRA_COLUMN_HELP.get(importer.kind, {})
    guide += [ColumnGuide(name, required, text) for name, (required, text) in extra.items()]
    return guide


def template_columns(importer: Importer) -> list[str]:
    return [c.name for c in importer.columns] + list(EXTRA_TEMPLATE_COLUMNS.get(importer.kind, ()))


def template_rows(importer: Importer) -> list[list[str]]:
    """The header and the example row."""
    columns = template_columns(importer)
    example = EXAMPLES.get(importer.kind, {})
    return [columns, [example.get(name, "") for name in columns]]


def template_csv(importer: Importer) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(template_rows(importer))
    # A byte-order mark so that Excel opens it as UTF-8 (the importer accepts it either way).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(importer: Importer) -> bytes:
    import pandas as pd

    from core.spreadsheet import Title, xlsx_bytes

    header, example = template_rows(importer)
    frame = pd.DataFrame([example], columns=header, dtype=object)
    return xlsx_bytes(frame, title=Title("", importer.title), file_columns=True)

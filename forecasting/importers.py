"""The `budget` and `actuals` imports (DATA_FORMATS.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.models import Authority, User
from core.importing import Change, Column, Importer, ImportPlan, RowReader, duplicate_rows, register
from core.tabular import Table
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.engine.money import pounds_text
from forecasting.models import (
    Actual,
    Budget,
    BudgetLine,
    FinancialYear,
    Period,
    PlacementType,
    ScenarioAssumption,
    ServiceArea,
)
from forecasting.parsing import (
    MAX_CHILDREN,
    MAX_PERIOD,
    MAX_TEAM_FTE,
    decimal_bounds,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    text_parser,
)
from forecasting.scenario_services import scenarios_replace
from forecasting.services import actuals_save, budget_line_save, budget_set, financial_year_get_or_create

# The financial years a file may name: a year far outside these is a typing slip, and its
# months would run past what a date can hold (9999/00 ends in the year 10000).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _year_label(text: str) -> str:
    try:
        start = parse_year_label(text.strip())
    except CalendarError as error:
        raise ValueError(str(error)) from None
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(f"'{text}' is outside the years {FIRST_YEAR}/{FIRST_YEAR % 100 + 1:02d} to {LAST_YEAR}/01")
    return text.strip()


def _row_year(reader: RowReader, row: int, values: dict[str, str], default: str | None) -> str | None:
    """The row's financial year: its own column, else the one given for the whole import."""
    in_file = reader.cell(row, values, "financial_year", _year_label)
    if in_file and default and in_file != default:
        reader.plan.error(row, "financial_year", in_file, f"differs from the year given for the import ({default})")
        return None
    if in_file is None and default is None and not values.get("financial_year", "").strip():
        reader.plan.error(row, "financial_year", "", "is blank and no --year was given")
    return in_file or default


def _default_year(plan: ImportPlan, table: Table, options: dict[str, Any]) -> str | None:
    if not options.get("year"):
        if "financial_year" not in table.frame.columns:
            plan.error(None, "financial_year", "", "no financial year: give --year 2019/20 or a financial_year column")
        return None
    try:
        return _year_label(str(options["year"]))
    except ValueError as error:
        plan.error(None, "financial_year", options["year"], str(error))
        return None


@dataclass
class BudgetRow:
    row: int
    year: str
    code: str
    name: str
    service_area: str
    category: str
    placement_type: PlacementType | None
    team: str
    method: str
    amount: int
    numbers: Decimal | None


@register
class BudgetImporter(Importer):
    kind = "budget"
    title = "Budget lines and annual budgets"
    needs_year = True
    columns = (
        Column("line_code", True),
        Column("line_name", True),
        Column("service_area", True),
        Column("category", True),
        Column("placement_type"),
        Column("team"),
        Column("annual_budget", True),
        Column("method"),
        Column("budget_numbers"),
        Column("financial_year"),
    )

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        default_year = _default_year(plan, table, options)
        if not plan.ok:
            return
        types = {t.code: t for t in PlacementType.objects.all()}
        reader = RowReader(table, plan)
        rows: list[BudgetRow] = []
        for row, values in reader:
            errors_before = len(plan.errors)
            year = _row_year(reader, row, values, default_year)
            code = reader.cell(row, values, "line_code", text_parser(BudgetLine, "code"), required=True)
            name = reader.cell(row, values, "line_name", text_parser(BudgetLine, "name"), required=True)
            area = reader.cell(row, values, "service_area", text_parser(ServiceArea, "name"), required=True)
            category = reader.cell(
                row, values, "category", lambda t: parse_choice(t, BudgetLine.Category.values), required=True
            )
            amount = reader.cell(row, values, "annual_budget", parse_money, required=True)
            method = reader.cell(row, values, "method", lambda t: parse_choice(t, BudgetLine.Method.values))
            numbers = reader.cell(
                row,
                values,
                "budget_numbers",
                lambda t: parse_decimal(t, low=Decimal(0), high=Decimal(MAX_CHILDREN), what="a number of children"),
            )
            type_code = reader.cell(row, values, "placement_type")
            team = reader.cell(row, values, "team", text_parser(BudgetLine, "team_code")) or ""
            placement_type = None
            if type_code:
                placement_type = types.get(type_code.strip().lower())
                if placement_type is None:
                    plan.error(row, "placement_type", type_code, "is not a finance placement type code")
            if category == BudgetLine.Category.PLACEMENTS and not type_code:
                plan.error(row, "placement_type", "", "is blank; a placements line needs a placement type")
            if category == BudgetLine.Category.WORKFORCE and not team:
                plan.error(row, "team", "", "is blank; a workforce line needs a team code")
            if numbers is not None and category != BudgetLine.Category.PLACEMENTS:
                plan.warn(row, "budget_numbers", numbers, "budgeted numbers are only used on placements lines")
            if len(plan.errors) == errors_before and year:
                rows.append(
                    BudgetRow(
                        row,
                        year,
                        code,
                        name,
                        area,
                        category,
                        placement_type,
                        team,
                        method or BudgetLine.Method.PROFILE,
                        amount,
                        numbers,
                    )
                )
        frame = table.frame.copy()
        frame["_year"] = frame["financial_year"] if "financial_year" in frame.columns else (default_year or "")
        for row, first, key in duplicate_rows(frame, ["_year", "line_code"], table.row_numbers):
            plan.error(row, "line_code", key.split(" / ")[-1], f"appears twice in the file (also row {first})")
        if not plan.ok:
            return
        self._describe(plan, authority, rows)
        plan.payload = rows
        plan.summary.update({"lines": len(rows), "years": sorted({r.year for r in rows})})

    def _describe(self, plan: ImportPlan, authority: Authority, rows: list[BudgetRow]) -> None:
        lines = {
            line.code: line for line in BudgetLine.objects.filter(authority=authority).select_related("service_area")
        }
        budgets = {
            (b.line.code, b.year.label): b
            for b in Budget.objects.filter(line__authority=authority).select_related("line", "year")
        }
        for r in rows:
            line = lines.get(r.code)
            if line is None:
                plan.changes.append(
                    self._change("create", r, f"new line {r.code} {r.name}", "", pounds_text(r.amount, 2))
                )
                continue
            budget = budgets.get((r.code, r.year))
            if budget is None:
                plan.changes.append(
                    self._change("create", r, f"{r.year} budget for {r.code}", "", pounds_text(r.amount, 2))
                )
            elif budget.amount != r.amount or budget.budget_numbers != r.numbers or line.name != r.name:
                plan.changes.append(
                    self._change(
                        "update",
                        r,
                        f"{r.year} budget for {r.code}",
                        pounds_text(budget.amount, 2),
                        pounds_text(r.amount, 2),
                    )
                )
            else:
                plan.changes.append(
                    self._change(
                        "unchanged",
                        r,
                        f"{r.year} budget for {r.code}",
                        pounds_text(budget.amount, 2),
                        pounds_text(r.amount, 2),
                    )
                )

    @staticmethod
    def _change(action: str, r: BudgetRow, text: str, before: str, after: str) -> Change:
        return Change(action=action, key=f"{r.year} {r.code}", description=text, before=before, after=after)

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        years: dict[str, FinancialYear] = {}
        existing = {line.code: line for line in BudgetLine.objects.filter(authority=authority)}
        for r in plan.payload:
            year = years.get(r.year) or financial_year_get_or_create(authority=authority, label=r.year)
            years[r.year] = year
            line = budget_line_save(
                authority=authority,
                user=user,
                code=r.code,
                name=r.name,
                service_area=r.service_area,
                category=r.category,
                placement_type=r.placement_type,
                team_code=r.team,
                method=r.method,
                line=existing.get(r.code),
            )
            existing[r.code] = line
            budget_set(
                authority=authority,
                user=user,
                line=line,
                year=year,
                amount=r.amount,
                reason=f"budget file {plan.source}",
                budget_numbers=r.numbers,
            )
        return {"lines": len(plan.payload)}


@register
class ActualsImporter(Importer):
    kind = "actuals"
    title = "Monthly actuals"
    needs_year = True
    columns = (Column("line_code", True), Column("period", True), Column("amount", True), Column("financial_year"))

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        default_year = _default_year(plan, table, options)
        if not plan.ok:
            return
        years = {y.label: y for y in FinancialYear.objects.filter(authority=authority)}
        periods = {
            (p.year.label, p.number): p for p in Period.objects.filter(year__authority=authority).select_related("year")
        }
        lines = {line.code.lower(): line for line in BudgetLine.objects.filter(authority=authority)}
        reader = RowReader(table, plan)
        wanted: list[tuple[int, Period, BudgetLine, int]] = []
        missing_years: set[str] = set()
        for row, values in reader:
            errors_before = len(plan.errors)
            year = _row_year(reader, row, values, default_year)
            code = reader.cell(row, values, "line_code", required=True)
            number = reader.cell(
                row,
                values,
                "period",
                lambda t: parse_int(t, low=1, high=MAX_PERIOD, what="a period (1–12)"),
                required=True,
            )
            amount = reader.cell(row, values, "amount", parse_money, required=True)
            line = lines.get(code.strip().lower()) if code else None
            if code and line is None:
                plan.error(row, "line_code", code, "is not a budget line of this authority; import the budget first")
            if year and year not in years:
                if year not in missing_years:
                    plan.error(row, "financial_year", year, "does not exist yet; import that year's budget first")
                    missing_years.add(year)
                continue
            if len(plan.errors) > errors_before or year is None or line is None:
                continue
            period = periods[(year, number)]
            if period.is_locked:
                plan.error(row, "period", number, f"{period} is locked; its actuals cannot be changed")
                continue
            wanted.append((row, period, line, amount))
        frame = table.frame.copy()
        frame["_year"] = frame["financial_year"] if "financial_year" in frame.columns else (default_year or "")
        for row, first, key in duplicate_rows(frame, ["_year", "line_code", "period"], table.row_numbers):
            plan.error(row, "line_code", key, f"the same line and period appear twice (also row {first})")
        if not plan.ok:
            return
        current = {
            (a.period_id, a.line_id): a.amount
            for a in Actual.objects.filter(period__in={p for _, p, _, _ in wanted}, line__authority=authority)
        }
        for _row, period, line, amount in wanted:
            before = current.get((period.pk, line.pk))
            action = "create" if before is None else ("unchanged" if before == amount else "update")
            plan.changes.append(
                Change(
                    action,
                    f"{line.code} P{period.number}",
                    f"{line.code} {period}",
                    pounds_text(before, 2),
                    pounds_text(amount, 2),
                )
            )
        plan.payload = wanted
        plan.summary.update({"rows": len(wanted), "periods": sorted({f"{p}" for _, p, _, _ in wanted})})

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        by_period: dict[int, tuple[Period, dict[int, int | None]]] = {}
        for _row, period, line, amount in plan.payload:
            by_period.setdefault(period.pk, (period, {}))[1][line.pk] = amount
        totals: dict[str, int] = defaultdict(int)
        for period, amounts in by_period.values():
            for key, value in actuals_save(
                authority=authority, user=user, period=period, amounts=amounts, action="actuals.import"
            ).items():
                totals[key] += value
        return dict(totals)


def _scenario_decimal(name: str, low: Decimal | None = None, high: Decimal | None = None) -> Any:
    """The parser of a decimal assumption: its own bounds, within what its column holds."""
    largest, places = decimal_bounds(ScenarioAssumption, name)
    low = -largest if low is None else max(low, -largest)
    high = largest if high is None else min(high, largest)
    return lambda text: parse_decimal(text.strip().removesuffix("%"), low=low, high=high, places=places)


def _scenario_values(reader: RowReader, row: int, values: dict[str, str], types: set[str]) -> dict[str, Any]:
    pct = _scenario_decimal("delivery_achieved_pct", Decimal(0), Decimal(1000))

    out: dict[str, Any] = {}
    type_code = (reader.cell(row, values, "placement_type") or "").lower()
    if type_code and type_code not in types:
        reader.plan.error(row, "placement_type", type_code, "is not a finance placement type code")
    out["placement_type"] = type_code
    method = reader.cell(
        row, values, "demand_method", lambda t: parse_choice(t, ScenarioAssumption.DemandMethod.values)
    )
    out["demand_method"] = method or ""
    out["net_change"] = reader.cell(
        row, values, "net_change", _scenario_decimal("net_change", Decimal(-MAX_CHILDREN), Decimal(MAX_CHILDREN))
    )
    if method == "net_change" and out["net_change"] is None:
        reader.plan.error(row, "net_change", "", "is blank; the net_change method needs the change by March")
    cost = reader.cell(row, values, "new_unit_cost", parse_money)
    if cost is not None and cost < 0:
        reader.plan.error(row, "new_unit_cost", values.get("new_unit_cost"), "is negative; a weekly cost is £0 or more")
    out["new_unit_cost"] = cost
    out["fee_uplift_pct"] = reader.cell(
        row, values, "fee_uplift_pct", _scenario_decimal("fee_uplift_pct", Decimal(-50), Decimal(100))
    )
    out["fee_uplift_from"] = reader.cell(row, values, "fee_uplift_from", parse_date)
    out["agency_target_fte"] = reader.cell(
        row, values, "agency_target_fte", _scenario_decimal("agency_target_fte", Decimal(0), MAX_TEAM_FTE)
    )
    out["team"] = reader.cell(row, values, "team", text_parser(ScenarioAssumption, "team")) or ""
    out["billable_factor"] = reader.cell(
        row, values, "billable_factor", _scenario_decimal("billable_factor", Decimal("0.01"), Decimal("1.5"))
    )
    for field in (
        "delivery_achieved_pct",
        "delivery_on_track_pct",
        "delivery_at_risk_pct",
        "delivery_undeliverable_pct",
    ):
        out[field] = reader.cell(row, values, field, pct)
    return out


@register
class ScenariosImporter(Importer):
    kind = "scenarios"
    title = "Scenario assumptions"
    columns = (
        Column("scenario", True),
        Column("placement_type"),
        Column("demand_method"),
        Column("net_change"),
        Column("new_unit_cost"),
        Column("fee_uplift_pct"),
        Column("fee_uplift_from"),
        Column("agency_target_fte"),
        Column("team"),
        Column("billable_factor"),
        Column("delivery_achieved_pct"),
        Column("delivery_on_track_pct"),
        Column("delivery_at_risk_pct"),
        Column("delivery_undeliverable_pct"),
    )

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:

        types = set(PlacementType.objects.values_list("code", flat=True))
        reader = RowReader(table, plan)
        rows: list[tuple[str, dict[str, Any]]] = []
        for row, values in reader:
            before = len(plan.errors)
            name = (reader.cell(row, values, "scenario", required=True) or "").lower()
            if name and not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
                plan.error(row, "scenario", name, "use letters, digits, - and _ only (e.g. best, middle, worst)")
            parsed = _scenario_values(reader, row, values, types)
            if len(plan.errors) == before:
                rows.append((name, parsed))
        if not plan.ok:
            return
        current: dict[str, int] = {}
        for scenario_name in ScenarioAssumption.objects.filter(scenario__authority=authority).values_list(
            "scenario__name", flat=True
        ):
            current[scenario_name] = current.get(scenario_name, 0) + 1
        for name in sorted({n for n, _ in rows}):
            count = sum(1 for n, _ in rows if n == name)
            plan.changes.append(
                Change(
                    "update" if name in current else "create",
                    name,
                    f"scenario {name}: {count} assumption row(s)",
                    f"{current.get(name, 0)} row(s)",
                    f"{count} row(s)",
                )
            )
        plan.payload = rows
        plan.summary.update({"rows": len(rows)})

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        return scenarios_replace(authority=authority, user=user, rows=plan.payload)

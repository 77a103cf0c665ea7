"""run_forecast --year 2019/20 --period 4 [--wait] (DATA_FORMATS.md, Commands)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.management.commands.import_data import authority_from_option
from forecast_runs.dispatch import forecast_run_request
from forecasting.engine.money import pounds_text
from forecasting.engine.scenarios import SCENARIO_ORDER
from forecasting.models import FinancialYear, ForecastLineResult, ForecastRun
from forecasting.period_rules import PeriodNotReadyError


class Command(BaseCommand):
    help = "Request a forecast run through Celery; --wait prints the run id and the headline per scenario."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True)
        parser.add_argument("--period", type=int, required=True)
        parser.add_argument("--authority")
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--timeout", type=int, default=600, help="seconds to wait (with --wait)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_from_option(options["authority"])
        year = FinancialYear.objects.filter(authority=authority, label=options["year"]).first()
        if year is None:
            raise CommandError(f"{authority.code} has no financial year {options['year']}; import its budget first")
        if not 0 <= options["period"] <= 12:
            raise CommandError("--period must be 0 to 12")
        try:
            run = forecast_run_request(
                authority=authority, year=year, period=options["period"], user=None, trigger=ForecastRun.Trigger.COMMAND
            )
        except PeriodNotReadyError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Forecast run {run.pk} requested for {year.label} period {run.period}.")
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"]
        while not run.is_finished:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Run {run.pk} has not finished after {options['timeout']} s; is a Celery worker running?"
                )
            time.sleep(0.5)
            run.refresh_from_db()
        if run.status == ForecastRun.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.error}")
        self.stdout.write(f"Run {run.pk} finished ({run.timings.get('whole_run', 0):.2f} s).")
        self.stdout.write(f"{'scenario':<10}{'budget':>18}{'forecast outturn':>20}{'variance':>16}")
        for scenario in SCENARIO_ORDER:
            rows = ForecastLineResult.objects.filter(run=run, scenario=scenario)
            budget = sum(r.annual_budget for r in rows)
            outturn = sum(r.forecast_outturn for r in rows)
            budget_text, outturn_text = pounds_text(budget, 2), pounds_text(outturn, 2)
            self.stdout.write(
                f"{scenario:<10}{budget_text:>18}{outturn_text:>20}{pounds_text(outturn - budget, 2):>16}"
            )

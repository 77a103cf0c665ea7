"""export_forecast RUN_ID|latest [--format csv|json] [--table ...] [--output FILE]."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.exports import csv_bytes
from core.management.commands.import_data import authority_from_option
from forecast_runs.exports import export_frame, run_likely_range_frame
from forecasting.models import ForecastRun


class Command(BaseCommand):
    help = (
        "Write a forecast run's outputs (lines, placements, workforce or savings, or the likely range "
        "of the outturn) as CSV or JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", help="a run id, or 'latest' for the latest finished run")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--table", choices=["lines", "placements", "workforce", "savings", "likely_range"], default="lines"
        )
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--authority")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = ForecastRun.objects.select_related("year")
        if options["run"] == "latest":
            authority = authority_from_option(options["authority"])
            run = runs.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED).order_by("-finished_at").first()
            if run is None:
                raise CommandError("There is no finished forecast run yet")
        else:
            try:
                run = runs.get(pk=int(options["run"]))
            except (ValueError, ForecastRun.DoesNotExist):
                raise CommandError(f"No forecast run {options['run']}") from None
            if run.status != ForecastRun.Status.SUCCEEDED:
                raise CommandError(
                    f"Run {run.pk} is {run.get_status_display().lower()}; only a finished run has outputs"
                )
        table = options["table"]
        frame = run_likely_range_frame(run) if table == "likely_range" else export_frame(run, table)
        if options["format"] == "csv":
            data = csv_bytes(frame, bom=False)
        else:
            records = [
                {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
                for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
            ]
            data = (json.dumps(records, indent=1, default=str) + "\n").encode("utf-8")
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"Wrote {len(frame)} rows of run {run.pk} to {options['output']}")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()

"""forecast_demand (--ssda903 FILE... | --series FILE) [--as-at DATE] [--horizon N]
[--method auto|naive|trend|growth|flow|statistical|drift] [--authority CODE]
[--open-episodes keep-open|close-at-return-end|close-at-last-known] [--workers N] [--no-back-test]
--output FILE

Numbers of children forecast with the code the product uses for demand (forecast_runs.demand),
for an analyst: nothing is read from or written to the database (DATA_FORMATS.md, Commands).
The command is `forecast_runs.demand.command_line`, which `manage.py` runs without starting
Django; this class runs it for `call_command`, `--help` and another settings module.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.tabular import reading_limits
from forecast_runs.demand.command_line import HELP, DemandCommandError, add_arguments, forecast_demand, screen_closed


class Command(BaseCommand):
    help = HELP
    # The project's system checks (URLs, models, security settings) guard a server and its
    # database; this command uses neither, and they cost more than reading 100,000 episodes.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            forecast_demand(options, limits=reading_limits(), out=self.stdout.write, err=self.stderr.write)
        except DemandCommandError as error:
            raise CommandError(str(error)) from None
        except BrokenPipeError:
            sys.exit(screen_closed())

"""forecast_demand (--ssda903 FILE... | --series FILE) [--as-at DATE] [--horizon N]
[--method auto|naive|trend|growth|flow|statistical|drift] [--authority CODE]
[--open-episodes keep-open|close-at-return-end|close-at-last-known] [--workers N] [--no-back-test]
--output FILE

Numbers of children forecast with the code the product uses for demand (forecast_runs.demand),
for an analyst: nothing is read from or written to the database (DATA_FORMATS.md, Commands).
The command's work is `forecast_runs.demand.command_line`, free of Django. `manage.py` runs this
command without setting Django up (`run_without_setup`): the settings and the apps are never
loaded, and Django's own parser and messages are used all the same.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.tabular import reading_limits
from forecast_runs.demand.command_line import HELP, DemandCommandError, add_arguments, forecast_demand
from tablereader.limits import Limits

# The project's settings, whose reading limits are the environment's (Limits.from_environment).
_OWN_SETTINGS = "config.settings"


class Command(BaseCommand):
    help = HELP
    # The project's system checks (URLs, models, security settings) guard a server and its
    # database; this command uses neither, and they cost more than reading 100,000 episodes.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.forecast(options, reading_limits())

    def forecast(self, options: dict[str, Any], limits: Limits) -> None:
        try:
            forecast_demand(options, limits=limits, out=self.stdout.write, err=self.stderr.write)
        except DemandCommandError as error:
            raise CommandError(str(error)) from None
        except BrokenPipeError:
            sys.exit(screen_closed())


class _WithoutSetup(Command):
    """The command before Django is set up: the reading limits are read from the environment,
    as the project's settings read them, instead of from the settings."""

    def handle(self, *args: Any, **options: Any) -> None:
        self.forecast(options, Limits.from_environment())


def run_without_setup(argv: Sequence[str]) -> None:
    """``manage.py forecast_demand ...`` (``argv`` as the process got it) without setting Django
    up: it exits with the command's code. It returns, for Django to run the command, only where
    other settings than the project's are asked for (``--settings``, ``--pythonpath``, another
    DJANGO_SETTINGS_MODULE), whose reading limits may differ."""
    if os.environ.get("DJANGO_SETTINGS_MODULE", _OWN_SETTINGS) != _OWN_SETTINGS:
        return
    command = _WithoutSetup()
    # As run_from_argv sets it: a bad command line is argparse's usage and exit code 2.
    command._called_from_command_line = True  # type: ignore[attr-defined]
    parser = command.create_parser(argv[0], argv[1])  # --help and --version answer here, as Django's
    options = parser.parse_args(argv[2:])
    if options.settings or options.pythonpath:
        return
    arguments = vars(options)
    # As BaseCommand.run_from_argv does, without its closing of database connections: none was
    # opened, and looking for them would load the settings.
    try:
        command.execute(*arguments.pop("args", ()), **arguments)
    except CommandError as error:
        if options.traceback:
            raise
        command.stderr.write(f"{error.__class__.__name__}: {error}")
        sys.exit(error.returncode)
    sys.exit(0)


def screen_closed() -> int:
    """The exit code when whatever read the screen stopped reading (``| head``): the file was
    written before anything was said, so nothing is lost, and no traceback is shown. Writing is
    pointed at nothing, so that Python's last flush at exit does not fail in its turn."""
    nothing = os.open(os.devnull, os.O_WRONLY)
    os.dup2(nothing, sys.stdout.fileno())
    return 1

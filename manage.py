#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["forecast_demand"]:
        # The analyst's forecast needs no database and no app: it runs without setting Django up.
        from forecast_runs.management.commands.forecast_demand import run_without_setup

        run_without_setup(sys.argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

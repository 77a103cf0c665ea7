"""health [--web]: what /healthz says, for a container's health check; exits 1 when failing."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.health import health_check


class Command(BaseCommand):
    help = "Check the database, the broker and that a worker finished a task recently (--web: the database only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--web", action="store_true", help="check the database only")

    def handle(self, *args: Any, **options: Any) -> None:
        health = health_check(web_only=options["web"])
        self.stdout.write(json.dumps(health.as_json()))
        if not health.ok:
            raise CommandError(
                "Outturn is not healthy: " + ", ".join(k for k, v in health.as_json().items() if v == "failing")
            )

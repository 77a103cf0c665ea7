"""seed_demo: the demo authority, one user per role and a realistic year of data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Authority, Role, User
from accounts.services import authority_create, user_create
from dashboards import benchmark_demo
from dashboards import demo as forecasts_demo
from forecasting.demo import seed_budget_and_actuals
from forecasting.engine.calendar import CalendarError, FinancialYear, year_containing
from placements import demo as placements_demo
from savings import demo as savings_demo
from workforce import demo as workforce_demo

# Each part of the product adds its own demo data, in this order (the forecasts need the rest).
DEMO_PARTS = (
    ("placements", placements_demo.seed_demo_data),
    ("workforce", workforce_demo.seed_demo_data),
    ("savings", savings_demo.seed_demo_data),
    ("forecasts", forecasts_demo.seed_demo_data),
    ("published statistics", benchmark_demo.seed_demo_data),
)
DEMO_CODE = "DEMO"
DEMO_NAME = "Shireford County Council"
DEMO_PASSWORD = "outturn-demo-pass"
DEMO_USERS = (
    ("finance", Role.FINANCE_OFFICER, "Fran", "Okafor"),
    ("director", Role.DIRECTOR, "Dee", "Marsh"),
    ("councillor", Role.COMMITTEE_MEMBER, "Colin", "Hart"),
    ("admin", Role.ADMINISTRATOR, "Ada", "Price"),
)


def last_complete_period(today: date) -> tuple[str, int]:
    """The financial year and last whole month before `today` (at least period 1)."""
    first_of_month = today.replace(day=1)
    label = year_containing(first_of_month)
    period = FinancialYear.from_label(label).period_of(first_of_month) - 1
    if period == 0:  # in April, show last year's March as the latest period
        return FinancialYear(FinancialYear.from_label(label).start_year - 1).label, 12
    return label, period


class Command(BaseCommand):
    help = "Load the demo authority, its users (one per role) and a realistic year of data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", help="financial year to load, e.g. 2019/20 (default: the current one)")
        parser.add_argument("--period", type=int, help="last period with actuals (default: last whole month)")

    def handle(self, *args: Any, **options: Any) -> None:
        if Authority.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write(f"The demo authority ({DEMO_NAME}) is already loaded.")
            self._print_logins()
            return
        label, period = last_complete_period(date.today())
        if options["year"]:
            label, period = options["year"], options["period"] or 12
        elif options["period"]:
            period = options["period"]
        try:
            FinancialYear.from_label(label)
        except CalendarError as error:
            raise CommandError(str(error)) from None
        if not 1 <= period <= 12:
            raise CommandError("--period must be 1 to 12")
        with transaction.atomic():
            authority = authority_create(code=DEMO_CODE, name=DEMO_NAME)
            users: dict[str, User] = {}
            for username, role, first, last in DEMO_USERS:
                users[role] = user_create(
                    username=username,
                    authority=authority,
                    role=role,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                )
            seed_budget_and_actuals(
                authority=authority,
                year_label=label,
                as_at_period=period,
                user=users[Role.FINANCE_OFFICER],
                director=users[Role.DIRECTOR],
            )
            self._more_demo_data(authority=authority, year_label=label, period=period, users=users)
        self.stdout.write(f"Loaded {DEMO_NAME}: {label}, actuals to period {period}.")
        self._print_logins()

    def _more_demo_data(self, *, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
        for name, seed in DEMO_PARTS:
            seed(authority=authority, year_label=year_label, period=period, users=users)
            self.stdout.write(f"  {name}: demo data loaded")

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {Role(role).label}")

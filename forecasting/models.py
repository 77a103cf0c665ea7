"""The financial core: years and periods, service areas, budget lines, budgets and actuals.

Money is integer pence (BigIntegerField) everywhere; spend positive, income negative.
Actuals of a locked period cannot change by any route: the model, its queryset and a database
trigger (see migration 0002) all refuse it. A period's status changes only inside
`period_status_change()`, which the period services (forecasting.services) use around the one
change they make and audit; the model, its queryset and a database trigger refuse any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, connection, models
from django.db.backends.signals import connection_created

from accounts.models import Authority, User
from forecasting.engine.calendar import FinancialYear as FinancialYearCalendar
from forecasting.engine.placement_types import DEFAULT_PLACEMENT_TYPES
from forecasting.engine.scenarios import SCENARIO_ORDER


class PlacementType(models.Model):
    """A finance placement type; shared by every authority, extended by administrators. Budget
    lines and scenarios refer to it, so it lives with them, below the placements app."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    continues_after_18 = models.BooleanField(
        default=False, help_text="Placements of this type do not end on the child's 18th birthday"
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        db_table = "placements_placementtype"  # made by the placements app, which held it before
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


def ensure_default_placement_types() -> None:
    """Create any missing default type (tests that flush the database need them back)."""
    for order, (code, name, after_18) in enumerate(DEFAULT_PLACEMENT_TYPES, start=1):
        PlacementType.objects.get_or_create(
            code=code, defaults={"name": name, "continues_after_18": after_18, "sort_order": order * 10}
        )


class PeriodLockedError(Exception):
    """Raised when something tries to change the actuals of a locked period."""


class PeriodStatusError(Exception):
    """Raised when a period's status is changed other than through the period services."""


PERIOD_STATUS_REFUSED = (
    "A period's status changes only through submitting, locking, unlocking or sending it back, "
    "which record who did it and when"
)
# The transaction-local setting the PostgreSQL trigger reads (forecasting migration 0012), and
# the function the SQLite trigger calls: both say "the service is changing a status now".
PERIOD_CHANGE_SETTING = "outturn.period_change"
PERIOD_CHANGE_FUNCTION = "outturn_period_change"
_status_change: ContextVar[bool] = ContextVar("outturn_period_status_change", default=False)


def _set_database_marker(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [PERIOD_CHANGE_SETTING, value])


@contextmanager
def period_status_change() -> Iterator[None]:
    """Let the block change a period's status. Only the period services call this, inside their
    transaction and around the change they audit; the permission ends with the block (and, in
    the database, at the latest with the transaction)."""
    if not connection.in_atomic_block:
        raise RuntimeError("A period's status is changed inside the service's transaction")
    token = _status_change.set(True)
    _set_database_marker("service")
    try:
        yield
    finally:
        _status_change.reset(token)
        try:
            _set_database_marker("")
        except DatabaseError:
            pass  # the transaction has failed and is being rolled back; its setting goes with it


def _sqlite_period_change(*_: Any) -> int:
    return 1 if _status_change.get() else 0


def _register_sqlite_marker(sender: Any, connection: Any, **_: Any) -> None:
    # SQLite has no session settings: the trigger calls this function instead. A connection
    # that is not the app's (the sqlite3 shell, a script) has no such function, so its status
    # change fails as well.
    if connection.vendor == "sqlite":
        connection.connection.create_function(PERIOD_CHANGE_FUNCTION, 0, _sqlite_period_change)


connection_created.connect(_register_sqlite_marker, dispatch_uid="forecasting.period_change_marker")


class FinancialYear(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="financial_years")
    label = models.CharField(max_length=7, help_text="e.g. 2019/20")
    start_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-start_year"]
        constraints = [models.UniqueConstraint(fields=["authority", "label"], name="one_year_label_per_authority")]

    def __str__(self) -> str:
        return self.label

    @property
    def calendar(self) -> FinancialYearCalendar:
        return FinancialYearCalendar(self.start_year)


class PeriodQuerySet(models.QuerySet["Period"]):
    """Bulk routes cannot change a status either (the trigger is the last line of defence)."""

    def update(self, **kwargs: Any) -> int:
        if "status" in kwargs and not _status_change.get():
            raise PeriodStatusError(PERIOD_STATUS_REFUSED)
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        if "status" in fields and not _status_change.get():
            raise PeriodStatusError(PERIOD_STATUS_REFUSED)
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Period]:
        objs = list(objs)
        if any(obj.status != Period.Status.OPEN for obj in objs) and not _status_change.get():
            raise PeriodStatusError(PERIOD_STATUS_REFUSED)
        return super().bulk_create(objs, *args, **kwargs)


class Period(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted"
        LOCKED = "locked", "Locked"

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = PeriodQuerySet.as_manager()
    # The status as read from the database (None when it was not read): what save() compares.
    _stored_status: str | None = None

    class Meta:
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="one_period_number_per_year"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=12), name="period_number_1_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.year.label} period {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new period starts open; a stored one keeps the status it was read with.
        stored = Period.Status.OPEN if self._state.adding else self._stored_status
        if stored is not None and self.status != stored and not _status_change.get():
            raise PeriodStatusError(PERIOD_STATUS_REFUSED)
        super().save(*args, **kwargs)
        self._stored_status = self.status

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Period:
        row = super().from_db(*args, **kwargs)
        row._stored_status = row.__dict__.get("status")
        return row

    def refresh_from_db(self, using: Any = None, fields: Any = None, from_queryset: Any = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "status" in fields:
            self._stored_status = self.__dict__.get("status")

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED

    @property
    def month_name(self) -> str:
        return f"{self.year.calendar.month_start(self.number):%B %Y}"

    @property
    def month_end(self) -> Any:
        return self.year.calendar.month_end(self.number)


class ServiceArea(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="service_areas")
    name = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="one_service_area_name")]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        PLACEMENTS = "placements", "Placements"
        WORKFORCE = "workforce", "Workforce"
        OTHER = "other", "Other"
        INCOME = "income", "Income"

    class Method(models.TextChoices):
        PROFILE = "profile", "Budget profile"
        RUN_RATE = "run_rate", "Run rate"
        BUDGET = "budget", "Budget"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="budget_lines")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    placement_type = models.ForeignKey(
        PlacementType, on_delete=models.PROTECT, null=True, blank=True, related_name="budget_lines"
    )
    team_code = models.CharField(max_length=40, blank=True, help_text="workforce lines: the team code")
    method = models.CharField(
        max_length=20,
        choices=Method.choices,
        default=Method.PROFILE,
        help_text="how other and income lines are forecast",
    )

    class Meta:
        ordering = ["service_area__sort_order", "service_area__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="one_line_code_per_authority"),
            models.CheckConstraint(
                condition=~models.Q(category="placements") | models.Q(placement_type__isnull=False),
                name="placement_lines_have_a_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Budget(models.Model):
    """A line's budget for one year: the original and the current (revised) amount."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="budgets")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budgets")
    original_amount = models.BigIntegerField(help_text="pence")
    amount = models.BigIntegerField(help_text="pence; the revised budget")
    budget_numbers = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True, help_text="budgeted average number of children"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "year"], name="one_budget_per_line_and_year")]

    def __str__(self) -> str:
        return f"{self.line.code} {self.year.label}"


class BudgetRevision(models.Model):
    """Each change of a budget's amount, with its reason (the revised budget's history)."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="revisions")
    before = models.BigIntegerField(help_text="pence")
    after = models.BigIntegerField(help_text="pence")
    reason = models.TextField()
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.budget}: {self.before} -> {self.after}"


class ActualQuerySet(models.QuerySet["Actual"]):
    """Bulk routes check the lock too (the trigger is the last line of defence)."""

    def _refuse_if_locked(self, period_ids: set[int]) -> None:
        locked = Period.objects.filter(pk__in=period_ids, status=Period.Status.LOCKED)
        if locked.exists():
            raise PeriodLockedError(f"{locked.first()} is locked; its actuals cannot be changed")

    def update(self, **kwargs: Any) -> int:
        ids = set(self.values_list("period_id", flat=True))
        if "period" in kwargs or "period_id" in kwargs:
            target = kwargs.get("period_id") or getattr(kwargs.get("period"), "pk", None)
            if target is not None:
                ids.add(int(target))
        self._refuse_if_locked(ids)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_locked(set(self.values_list("period_id", flat=True)))
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Actual]:
        objs = list(objs)
        self._refuse_if_locked({obj.period_id for obj in objs})
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        self._refuse_if_locked({obj.period_id for obj in objs})
        return super().bulk_update(objs, fields, *args, **kwargs)


class Actual(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="actuals")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="actuals")
    amount = models.BigIntegerField(help_text="pence, net spend in the period (income negative)")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ActualQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "period"], name="one_actual_per_line_and_period")]

    def __str__(self) -> str:
        return f"{self.line.code} {self.period}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)

    def _refuse_if_locked(self) -> None:
        ids = {self.period_id}
        if self.pk is not None:
            ids |= set(Actual.objects.filter(pk=self.pk).values_list("period_id", flat=True))
        if Period.objects.filter(pk__in=ids, status=Period.Status.LOCKED).exists():
            raise PeriodLockedError(f"{self.period} is locked; its actuals cannot be changed")


class Scenario(models.Model):
    """A named, shared set of assumptions (FORECAST.md, Scenarios). best/middle/worst always exist."""

    REQUIRED = SCENARIO_ORDER

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="scenarios")
    name = models.SlugField(max_length=40)
    description = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="one_scenario_name")]

    def __str__(self) -> str:
        return self.name


class ScenarioAssumption(models.Model):
    """One row of the `scenarios` file (DATA_FORMATS.md): any of its values may be blank."""

    class DemandMethod(models.TextChoices):
        COMMITMENTS = "commitments", "Commitments only"
        NET_CHANGE = "net_change", "Net change by March"
        TREND = "trend", "Trend (last 24 months)"
        GROWTH = "growth", "Steady percentage change (last 24 months)"
        STATISTICAL = "statistical", "Statistical model"
        FLOW = "flow", "Entries and exits"
        AUTO = "auto", "Chosen by our own back-test"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="assumptions")
    placement_type = models.CharField(max_length=40, blank=True, help_text="blank = every type")
    demand_method = models.CharField(max_length=20, choices=DemandMethod.choices, blank=True)
    net_change = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    new_unit_cost = models.BigIntegerField(null=True, blank=True, help_text="pence per week")
    fee_uplift_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    fee_uplift_from = models.DateField(null=True, blank=True)
    agency_target_fte = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    team = models.CharField(max_length=40, blank=True, help_text="for the agency target; blank = overall")
    billable_factor = models.DecimalField(max_digits=5, decimal_places=3, null=True, blank=True)
    delivery_achieved_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    delivery_on_track_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    delivery_at_risk_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    delivery_undeliverable_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["scenario__name", "placement_type", "team", "id"]

    def __str__(self) -> str:
        return f"{self.scenario.name} {self.placement_type or 'all types'}"


class ForecastRun(models.Model):
    """One run of the engine for an authority, year and as-at period, kept as a record."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        BUTTON = "button", "Run forecast button"
        SUBMIT = "submit", "Period submitted"
        SCHEDULE = "schedule", "Monthly schedule"
        COMMAND = "command", "run_forecast command"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="forecast_runs")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="forecast_runs")
    period = models.PositiveSmallIntegerField(help_text="as-at period, 0..12")
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.BUTTON)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    stage = models.CharField(max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    inputs_hash = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=30, blank=True)
    assumptions = models.JSONField(default=dict, blank=True)
    input_summary = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period__gte=0, period__lte=12), name="run_period_0_to_12"),
            # Two requests for the same inputs never compute at once (the second joins the first).
            models.UniqueConstraint(
                fields=["authority", "year", "period", "inputs_hash"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_active_run_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Forecast run {self.pk} ({self.year.label} P{self.period})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class ForecastLineResult(models.Model):
    """Per run, scenario and budget line (FORECAST.md, Outputs). Money in pence."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="line_results")
    scenario = models.CharField(max_length=40)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    line_code = models.CharField(max_length=40)
    line_name = models.CharField(max_length=200)
    service_area = models.CharField(max_length=120)
    category = models.CharField(max_length=20)
    annual_budget = models.BigIntegerField()
    actual_ytd = models.BigIntegerField()
    committed_remaining = models.BigIntegerField()
    projected_change = models.BigIntegerField()
    savings_adjustment = models.BigIntegerField()
    forecast_outturn = models.BigIntegerField()
    variance = models.BigIntegerField()
    variance_pct = models.DecimalField(max_digits=9, decimal_places=2, null=True)

    class Meta:
        ordering = ["run", "scenario", "service_area", "line_code"]
        constraints = [models.UniqueConstraint(fields=["run", "scenario", "line"], name="one_result_per_line")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.scenario} {self.line_code}"


class ForecastTable(models.Model):
    """The other outputs of a run (placements, workforce, savings, variance explained, models
    used), each kept as the engine's table: a list of records with money in pence."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=40)
    columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="one_table_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.name}"


class BacktestReport(models.Model):
    """How well each demand method would have forecast the authority's own history, the method
    chosen for each type and the intervals calibrated from its errors (FORECAST.md, Accuracy).
    Forecast runs use the latest report at or before their as-at date."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="backtests")
    as_at = models.DateField(help_text="forecasts are made as at month-ends before this date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    origins = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=list, blank=True)  # per method and horizon: mape, coverage, counts
    # per type and "total": {method, method_name, reason, average}, as chosen by the back-test
    choices = models.JSONField(default=dict, blank=True)
    # per type and "total": {horizon: [low ratio, high ratio]} of the chosen method's interval
    intervals = models.JSONField(default=dict, blank=True)
    # per type and "total": {method: {horizon: [low ratio, high ratio]}} for every method scored,
    # the interval of a scenario that names its method
    method_intervals = models.JSONField(default=dict, blank=True)
    # per horizon: share of actuals inside the chosen methods' intervals, before and after calibration
    # What was replayed: {"source": "returns" or "register", and for returns the rule chosen for
    # open episodes missing from a later return ("rule", "rule_reason"), "files", "imported_at"}
    replay = models.JSONField(default=dict, blank=True)
    interval_coverage = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # Statistical models it fitted of the dates before its as-at date, not finding them kept:
    # how long it took, not what it found (forecast_runs.backtests, the fits made ahead).
    past_fits_made = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Beats while a worker runs it: a report running with a silent heartbeat lost its worker
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_at", "-created_at"]

    def __str__(self) -> str:
        return f"Back-test as at {self.as_at}"

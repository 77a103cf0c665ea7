"""Workforce: teams, their establishment (posts), the people in them, and monthly snapshots
(DATA_FORMATS.md, Workforce; FORECAST.md, Workforce).

Money is integer pence (BigIntegerField). A worker's end date is their LAST day (inclusive), as
HR systems record it; unlike a placement's end date, which is exclusive. FTE is stored to two
decimal places (the DfE workforce return's precision).

The current list (Team, Post, Worker) is what the forecast uses. A WorkforceSnapshot keeps the
rows as they stood on an as-at date, so that a director can see how the picture changed month by
month even after people have moved on.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from accounts.models import Authority, User
from forecasting.models import BudgetLine

MIN_FTE = Decimal("0")  # exclusive: a row of 0 FTE is a mistake, not a person
MAX_FTE = Decimal("1.5")  # inclusive: above this a row is almost certainly hours, not FTE


class WorkerType(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    AGENCY = "agency", "Agency"


class AgencyReason(models.TextChoices):
    # The reasons in Nottinghamshire's agency table (seed 000, Appendix B), in the file's codes.
    VACANCY = "vacancy", "Vacancy"
    ADDITIONAL_CAPACITY = "additional_capacity", "Additional capacity"
    ASYE_COVER = "asye_cover", "ASYE cover"
    LONG_TERM_SICKNESS = "long_term_sickness", "Long-term sickness"
    MATERNITY = "maternity", "Maternity"
    SUSPENSION = "suspension", "Suspension"


class Absence(models.TextChoices):
    MATERNITY = "maternity", "Maternity leave"
    LONG_TERM_SICKNESS = "long_term_sickness", "Long-term sickness"
    SUSPENSION = "suspension", "Suspension"


class Team(models.Model):
    """A social work team. Its cost falls on one workforce budget line.

    Several teams may share a line (e.g. Assessment North and South on the Assessment teams
    line); the forecast engine sees them under the line's team code.
    """

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="the workforce budget line that pays for this team",
    )
    hard_to_retain = models.BooleanField(default=False, help_text="the team is hard to recruit to and retain")
    manageable_caseload = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="cases an experienced worker can safely hold (e.g. 15 assessment, 20 CP)"
    )

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="one_team_code_per_authority")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def budget_team(self) -> str:
        """The team code the forecast engine costs this team under (its line's team code)."""
        return self.budget_line.team_code or self.code


class Post(models.Model):
    """A budgeted post of the establishment: budgeted FTE and annual cost (pence, with on-costs)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="posts")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="posts")
    ref = models.CharField(max_length=60)
    role = models.CharField(max_length=120, blank=True)
    fte = models.DecimalField(max_digits=4, decimal_places=2)
    annual_cost = models.BigIntegerField(help_text="pence a year, budgeted, at the post's FTE")

    class Meta:
        ordering = ["team__code", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "ref"], name="one_post_ref_per_authority"),
            models.CheckConstraint(condition=models.Q(fte__gt=MIN_FTE, fte__lte=MAX_FTE), name="post_fte_in_range"),
            models.CheckConstraint(condition=models.Q(annual_cost__gte=0), name="post_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} ({self.team.code})"

    @property
    def budget_line(self) -> BudgetLine:
        """A post is paid from its team's workforce line (one place to change it: the team)."""
        return self.team.budget_line


class Worker(models.Model):
    """A permanent employee or an agency engagement, with dates, cost and status."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="workers")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="workers")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="workers")
    ref = models.CharField(max_length=60)
    role = models.CharField(max_length=120, blank=True)
    worker_type = models.CharField(max_length=10, choices=WorkerType.choices)
    fte = models.DecimalField(max_digits=4, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="last day worked (inclusive), actual or expected")
    annual_cost = models.BigIntegerField(null=True, blank=True, help_text="permanent: pence a year at their FTE")
    weekly_rate = models.BigIntegerField(null=True, blank=True, help_text="agency: pence a week at their FTE")
    agency_reason = models.CharField(max_length=30, choices=AgencyReason.choices, blank=True)
    absence = models.CharField(max_length=30, choices=Absence.choices, blank=True)
    absence_since = models.DateField(null=True, blank=True)
    caseload = models.PositiveSmallIntegerField(null=True, blank=True, help_text="open cases held")
    asye = models.BooleanField(
        default=False, help_text="newly qualified (ASYE year): cannot hold child protection cases at first"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__code", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "ref"], name="one_worker_ref_per_authority"),
            models.CheckConstraint(condition=models.Q(fte__gt=MIN_FTE, fte__lte=MAX_FTE), name="worker_fte_in_range"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="worker_ends_after_start",
            ),
            # The costing rules need a rate of the right kind (FORECAST.md, Workforce).
            models.CheckConstraint(
                condition=~models.Q(worker_type="agency") | models.Q(weekly_rate__gt=0),
                name="agency_worker_has_weekly_rate",
            ),
            models.CheckConstraint(
                condition=~models.Q(worker_type="permanent") | models.Q(annual_cost__gt=0),
                name="permanent_worker_has_annual_cost",
            ),
        ]
        indexes = [models.Index(fields=["authority", "team"])]

    def __str__(self) -> str:
        return f"{self.ref} ({self.get_worker_type_display().lower()}, {self.team.code})"

    @property
    def is_agency(self) -> bool:
        return self.worker_type == WorkerType.AGENCY

    def engaged_on(self, day: object) -> bool:
        """Start ≤ day ≤ end date (the end date is the last day worked)."""
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)  # type: ignore[operator]


class WorkforceSnapshot(models.Model):
    """The workforce as it stood on an as-at date (one per date; re-importing replaces it)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="workforce_snapshots")
    as_at = models.DateField()
    source = models.CharField(max_length=255, help_text="the file, or how the snapshot was taken")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-as_at"]
        constraints = [models.UniqueConstraint(fields=["authority", "as_at"], name="one_workforce_snapshot_per_date")]

    def __str__(self) -> str:
        return f"Workforce as at {self.as_at.isoformat()}"


class SnapshotRow(models.Model):
    """One post or worker row of a snapshot, with its team's attributes as they were then."""

    class Record(models.TextChoices):
        POST = "post", "Post"
        WORKER = "worker", "Worker"

    snapshot = models.ForeignKey(WorkforceSnapshot, on_delete=models.CASCADE, related_name="rows")
    record = models.CharField(max_length=6, choices=Record.choices)
    team = models.CharField(max_length=40)
    team_name = models.CharField(max_length=200, blank=True)
    budget_team = models.CharField(max_length=40, help_text="the workforce line's team code then")
    hard_to_retain = models.BooleanField(default=False)
    manageable_caseload = models.PositiveSmallIntegerField(null=True, blank=True)
    ref = models.CharField(max_length=60)
    post_ref = models.CharField(max_length=60, blank=True)
    role = models.CharField(max_length=120, blank=True)
    worker_type = models.CharField(max_length=10, blank=True)
    fte = models.DecimalField(max_digits=4, decimal_places=2)
    annual_cost = models.BigIntegerField(null=True, blank=True)
    weekly_rate = models.BigIntegerField(null=True, blank=True)
    agency_reason = models.CharField(max_length=30, blank=True)
    absence = models.CharField(max_length=30, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    caseload = models.PositiveSmallIntegerField(null=True, blank=True)
    asye = models.BooleanField(default=False)

    class Meta:
        ordering = ["team", "record", "ref"]
        indexes = [models.Index(fields=["snapshot", "team"]), models.Index(fields=["ref"])]

    def __str__(self) -> str:
        return f"{self.record} {self.ref} as at {self.snapshot.as_at}"

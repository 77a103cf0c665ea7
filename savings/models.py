"""The savings tracker: the medium-term plan, savings and their versions, reporting cycles,
mitigations, and the transformation programmes that absorb savings (FORECAST.md, Savings).

Money is integer pence (BigIntegerField); a saving is a positive amount. Financial years are
labels such as "2022/23" rather than FinancialYear rows: a medium-term plan and a programme's
benefit profile run years ahead, and creating FinancialYear rows (with their twelve periods)
for 2029/30 would put years with no budget into every year picker of the financial core.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Authority, User
from forecasting.engine.calendar import CalendarError, parse_year_label, year_label
from forecasting.models import BudgetLine, ServiceArea

# The most years a plan or a programme's profile can span; a guard against a typo such as
# 2022/23 to 2222/23 producing hundreds of form fields.
MAX_PLAN_YEARS = 10
MAX_PROGRAMME_YEARS = 12


def validate_year_label(value: str) -> None:
    try:
        parse_year_label(value)
    except CalendarError as error:
        raise ValidationError(str(error)) from None


def years_between(first: str, last: str) -> list[str]:
    """Every financial year label from `first` to `last` inclusive."""
    return [year_label(start) for start in range(parse_year_label(first), parse_year_label(last) + 1)]


class Status(models.TextChoices):
    """The tracker's delivery statuses, in the tracker's order (engine: SAVING_STATUSES)."""

    ACHIEVED = "achieved", "Achieved"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    UNDELIVERABLE = "undeliverable", "Undeliverable"
    ABSORBED = "absorbed", "Absorbed into a programme"


class Rag(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class MediumTermPlan(models.Model):
    """The years of the medium-term financial plan (MTFP) that savings are profiled over."""

    authority = models.OneToOneField(Authority, on_delete=models.PROTECT, related_name="medium_term_plan")
    first_year = models.CharField(max_length=7, validators=[validate_year_label])
    last_year = models.CharField(max_length=7, validators=[validate_year_label])
    approved_by = models.CharField(max_length=200, blank=True, help_text="e.g. Full Council")
    approved_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"MTFP {self.first_year} to {self.last_year}"

    def clean(self) -> None:
        try:
            first, last = parse_year_label(self.first_year), parse_year_label(self.last_year)
        except CalendarError:
            return  # the field validators report the label itself
        if last < first:
            raise ValidationError({"last_year": "The last year is before the first year"})
        if last - first + 1 > MAX_PLAN_YEARS:
            raise ValidationError({"last_year": f"A plan covers at most {MAX_PLAN_YEARS} years"})

    @property
    def years(self) -> list[str]:
        return years_between(self.first_year, self.last_year)


class Programme(models.Model):
    """A transformation programme: benefit profiles (target and stretch), costs, investment.

    A delayed start of `delay_months` re-profiles every benefit profile by FORECAST.md's rule
    (engine `delay_profile`); the stored profiles stay as approved so both can be shown.
    """

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="savings_programmes")
    code = models.CharField(max_length=40, help_text="short name used in files, e.g. CTP")
    name = models.CharField(max_length=200)
    owner = models.CharField(max_length=150, blank=True)
    narrative = models.TextField(blank=True)
    first_year = models.CharField(max_length=7, validators=[validate_year_label], help_text="year 1 of the profile")
    years = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(MAX_PROGRAMME_YEARS)]
    )
    planned_start = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    delay_months = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(12)], help_text="months the start slipped (0 to 12)"
    )
    delay_reason = models.TextField(blank=True)
    hurdle = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=3,
        validators=[MinValueValidator(0)],
        help_text="the return on investment the programme must reach, e.g. 3 for 3:1",
    )
    approved_by = models.CharField(max_length=200, blank=True)
    approved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="one_programme_code_per_authority"),
            models.CheckConstraint(condition=models.Q(delay_months__lte=12), name="programme_delay_at_most_12"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def profile_years(self) -> list[str]:
        return [year_label(parse_year_label(self.first_year) + k) for k in range(self.years)]


class ProgrammeBenefit(models.Model):
    class Profile(models.TextChoices):
        TARGET = "target", "Target"
        STRETCH = "stretch", "Stretch"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    profile = models.CharField(max_length=10, choices=Profile.choices)
    year_label = models.CharField(max_length=7, validators=[validate_year_label])
    amount = models.BigIntegerField(help_text="pence, gross benefit in the year")

    class Meta:
        ordering = ["programme", "profile", "year_label"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "profile", "year_label"], name="one_benefit_per_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="programme_benefit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.profile} {self.year_label}"


class ProgrammeCost(models.Model):
    """Implementation costs by year (the committee's 'add back implementation costs')."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="costs")
    year_label = models.CharField(max_length=7, validators=[validate_year_label])
    amount = models.BigIntegerField(help_text="pence")

    class Meta:
        ordering = ["programme", "year_label"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year_label"], name="one_cost_per_programme_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="programme_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} cost {self.year_label}"


class ProgrammeInvestment(models.Model):
    """One approved investment in a programme and where the money comes from."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="investments")
    description = models.CharField(max_length=250, help_text="e.g. delivery partner for 2 years")
    amount = models.BigIntegerField(help_text="pence")
    funding_source = models.CharField(max_length=250, help_text="e.g. earmarked reserves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="programme_investment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.description}"


class Saving(models.Model):
    """One saving on the tracker. Its status and RAG are those of its latest reporting cycle."""

    class Type(models.TextChoices):
        SPEND_REDUCTION = "spend_reduction", "Spend reduction"
        INCOME = "income", "Income"
        FUNDING_SWITCH = "funding_switch", "Funding switch"
        COST_AVOIDANCE = "cost_avoidance", "Cost avoidance"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="savings")
    ref = models.CharField(max_length=40, help_text="e.g. CHS/SAV/34")
    title = models.CharField(max_length=250)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="savings")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="savings")
    saving_type = models.CharField(max_length=20, choices=Type.choices, default=Type.SPEND_REDUCTION)
    owner = models.CharField(max_length=150, blank=True)
    narrative = models.TextField(blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="savings",
        help_text="the programme it belongs to or was absorbed into",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ON_TRACK)
    rag = models.CharField(max_length=5, choices=Rag.choices, null=True, blank=True)
    start_date = models.DateField(null=True, blank=True, help_text="when the saving starts, if part-way through a year")
    full_year_effect = models.BigIntegerField(
        null=True, blank=True, help_text="pence a year once in place, where the first year is a part year"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "ref"], name="one_saving_ref_per_authority"),
            # FORECAST.md: an absorbed saving is counted in its programme, so it must name one.
            models.CheckConstraint(
                condition=~models.Q(status="absorbed") | models.Q(programme__isnull=False),
                name="absorbed_saving_has_programme",
            ),
            models.CheckConstraint(
                condition=models.Q(full_year_effect__isnull=True) | models.Q(full_year_effect__gte=0),
                name="full_year_effect_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class SavingVersion(models.Model):
    """A profile of the saving by year as at one stage: consultation, approved, re-profiled.

    One of each per saving: a second re-profile replaces the first (the audit log keeps the
    earlier amounts), which matches how the committee papers show only the latest re-profile.
    """

    class Version(models.TextChoices):
        CONSULTATION = "consultation", "Consultation"
        APPROVED = "approved", "Approved"
        REPROFILED = "reprofiled", "Re-profiled"

    saving = models.ForeignKey(Saving, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=15, choices=Version.choices)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(max_length=200, blank=True, help_text="the approving body, e.g. Full Council")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["saving", "version"]
        constraints = [models.UniqueConstraint(fields=["saving", "version"], name="one_version_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.saving.ref} {self.get_version_display()}"


class SavingAmount(models.Model):
    version = models.ForeignKey(SavingVersion, on_delete=models.CASCADE, related_name="amounts")
    year_label = models.CharField(max_length=7, validators=[validate_year_label])
    amount = models.BigIntegerField(help_text="pence, positive = a saving")

    class Meta:
        ordering = ["version", "year_label"]
        constraints = [
            models.UniqueConstraint(fields=["version", "year_label"], name="one_amount_per_version_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="saving_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.year_label}"


class SavingUpdate(models.Model):
    """One reporting cycle's delivery status, RAG, forecast and narrative for a saving."""

    saving = models.ForeignKey(Saving, on_delete=models.CASCADE, related_name="updates")
    as_at = models.DateField(help_text="the date the update reports on")
    year_label = models.CharField(max_length=7, validators=[validate_year_label], help_text="the FY forecast")
    period = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    rag = models.CharField(max_length=5, choices=Rag.choices, null=True, blank=True)
    forecast_delivery = models.BigIntegerField(null=True, blank=True, help_text="pence expected in the FY")
    narrative = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(forecast_delivery__isnull=True) | models.Q(forecast_delivery__gte=0),
                name="forecast_delivery_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.saving.ref} as at {self.as_at}: {self.status}"


class Mitigation(models.Model):
    """How part of a shortfall is covered in a year, and from where."""

    class Source(models.TextChoices):
        ALTERNATIVE_SAVING = "alternative_saving", "Alternative saving"
        UNDERSPEND = "underspend", "Underspend elsewhere"
        RESERVES = "reserves", "Use of reserves"
        GRANT = "grant", "One-off grant or funding"
        OTHER = "other", "Other"

    saving = models.ForeignKey(Saving, on_delete=models.CASCADE, related_name="mitigations")
    year_label = models.CharField(max_length=7, validators=[validate_year_label])
    amount = models.BigIntegerField(help_text="pence")
    source = models.CharField(max_length=20, choices=Source.choices)
    description = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["saving", "year_label", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="mitigation_positive")]

    def __str__(self) -> str:
        return f"{self.saving.ref} {self.year_label} mitigation"

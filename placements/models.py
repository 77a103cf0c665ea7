"""Placements: the SSDA903 code mapping, unit costs, children and the
placement register (DATA_FORMATS.md, Finance placement types, Placement cost register, SSDA903).

Money is integer pence (BigIntegerField). End dates are EXCLUSIVE, as in the SSDA903 return and
FORECAST.md: a row from 1 April with end date 8 April lasts 7 days. No model here holds a child's
name: a child is known only by the council's pseudonymous reference.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Authority
from forecasting.models import PlacementType


class CodeMapping(models.Model):
    """One row of the SSDA903 PLACE × PLACE_PROVIDER → finance placement type mapping.

    Per authority, because an administrator's edit must not change another council's figures.
    Years are collection-year starts (2024 = 2024/25), inclusive; blank = open. A blank provider
    means "any provider" and is used only when no row names the episode's provider.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="placement_code_mappings")
    place = models.CharField(max_length=5, help_text="SSDA903 PLACE code, e.g. U4")
    place_provider = models.CharField(max_length=3, blank=True, help_text="PR0–PR5; blank = any provider")
    valid_from_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="first collection year it applies to, e.g. 2024 for 2024/25"
    )
    valid_to_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="last collection year it applies to, e.g. 2023 for 2023/24"
    )
    placement_type = models.ForeignKey(PlacementType, on_delete=models.PROTECT, related_name="code_mappings")

    class Meta:
        ordering = ["place", "place_provider", "valid_from_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from_year__isnull=True)
                | models.Q(valid_to_year__isnull=True)
                | models.Q(valid_to_year__gte=models.F("valid_from_year")),
                name="code_mapping_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        provider = self.place_provider or "any provider"
        return f"{self.place} / {provider} → {self.placement_type.code}"

    @property
    def years_text(self) -> str:
        def label(year: int) -> str:
            return f"{year}/{(year + 1) % 100:02d}"

        if self.valid_from_year is None and self.valid_to_year is None:
            return "all years"
        if self.valid_from_year is None:
            return f"until {label(self.valid_to_year)}"  # type: ignore[arg-type]
        if self.valid_to_year is None:
            return f"from {label(self.valid_from_year)}"
        return f"{label(self.valid_from_year)} to {label(self.valid_to_year)}"


class UnitCost(models.Model):
    """The weekly cost of a placement of a type from a date: prices SSDA903 placements, which
    carry no costs. The rate in force on a day is the latest one effective on or before it."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="placement_unit_costs")
    placement_type = models.ForeignKey(PlacementType, on_delete=models.PROTECT, related_name="unit_costs")
    effective_from = models.DateField()
    weekly_cost = models.BigIntegerField(help_text="pence per week")

    class Meta:
        ordering = ["placement_type__sort_order", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "placement_type", "effective_from"], name="one_unit_cost_per_type_and_date"
            ),
            models.CheckConstraint(condition=models.Q(weekly_cost__gte=0), name="unit_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.placement_type.code} from {self.effective_from}"


class Child(models.Model):
    """A child in the register: a pseudonymous reference, never a name."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="placement_children")
    child_ref = models.CharField(max_length=40)
    date_of_birth = models.DateField()
    uasc = models.BooleanField(default=False, help_text="unaccompanied asylum-seeking child")

    class Meta:
        ordering = ["child_ref"]
        constraints = [models.UniqueConstraint(fields=["authority", "child_ref"], name="one_child_ref_per_authority")]

    def __str__(self) -> str:
        return self.child_ref


class RegisterSetting(models.Model):
    """An authority's settings for its placement register (administrators set them)."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="register_setting")
    complete_from = models.DateField(
        null=True,
        blank=True,
        help_text="the date from which the register holds every placement: forecasts learn from the "
        "numbers of children after it only (blank: 1 April of the earliest SSDA903 return, or the "
        "date the register was first loaded)",
    )

    def __str__(self) -> str:
        return f"Placement register settings of {self.authority}"


class Placement(models.Model):
    """One row of the register: a placement at one weekly rate. A placement whose rate changes
    is several rows with the same placement_ref and contiguous dates."""

    class Procurement(models.TextChoices):
        IN_HOUSE = "in_house", "In-house"
        FRAMEWORK = "framework", "Framework"
        BLOCK = "block", "Block contract"
        SPOT = "spot", "Spot purchase"

    class Source(models.TextChoices):
        REGISTER = "register", "Placement register file"
        SSDA903 = "ssda903", "SSDA903 return"
        MANUAL = "manual", "Entered on screen"

    # No single-column indexes on authority, type and line: the composite indexes below serve every
    # query, and each extra index slows the bulk insert of a large register.
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="placements", db_index=False)
    placement_ref = models.CharField(max_length=60)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placements")
    placement_type = models.ForeignKey(
        PlacementType, on_delete=models.PROTECT, related_name="placements", db_index=False
    )
    provider = models.CharField(max_length=200, blank=True)
    procurement = models.CharField(max_length=20, choices=Procurement.choices, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="first day no longer in placement (exclusive)")
    planned_end_date = models.DateField(null=True, blank=True, help_text="expected end (exclusive)")
    weekly_cost = models.BigIntegerField(help_text="pence per week, gross")
    health_contribution = models.BigIntegerField(default=0, help_text="pence per week")
    education_contribution = models.BigIntegerField(default=0, help_text="pence per week")
    uasc = models.BooleanField(default=False)
    line = models.ForeignKey(
        "forecasting.BudgetLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
        db_index=False,
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # SSDA903 codes of the placement's first episode, kept so the mapping can be checked.
    place = models.CharField(max_length=5, blank=True)
    place_provider = models.CharField(max_length=3, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["placement_ref", "start_date"]
        # A placement's rows are found by the unique index of (authority, placement_ref,
        # start_date) below, whose first two columns serve every lookup by reference: a
        # separate index of (authority, placement_ref) only slowed each import's insert.
        indexes = [
            models.Index(fields=["authority", "start_date"]),
            models.Index(fields=["authority", "source"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "placement_ref", "start_date"], name="one_row_per_placement_and_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F("start_date")),
                name="placement_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_cost__gte=0, health_contribution__gte=0, education_contribution__gte=0),
                name="placement_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_ref} from {self.start_date:%d/%m/%Y}"

    @property
    def net_weekly_cost(self) -> int:
        return self.weekly_cost - self.health_contribution - self.education_contribution

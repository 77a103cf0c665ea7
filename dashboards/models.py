"""Variance commentary, signed-off (published) periods and their PDF snapshots.

A published period is a frozen document: everything the committee view and the PDF show is
copied into `PublishedPeriod.document` when the director signs off, so that later runs, data
corrections or commentary edits never change what the committee saw. A correction is a new
version of the same period; the older version stays readable. The rows are append-only: the
model refuses updates and deletes, and a database trigger refuses them below the ORM as well.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from accounts.models import Authority, User
from forecasting.models import FinancialYear, ForecastRun


class SnapshotFrozenError(Exception):
    """Raised when something tries to change or delete a published period."""


class ServiceCommentary(models.Model):
    """A finance officer's explanation of one service's variance for one period, written before
    sign-off. It is copied into the snapshot on publication; editing it later changes only the
    next version."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveSmallIntegerField()
    service_area = models.CharField(max_length=120)
    text = models.TextField()
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "period", "service_area"], name="one_commentary_per_service_period"
            ),
            models.CheckConstraint(condition=models.Q(period__gte=0, period__lte=12), name="commentary_period_0_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.year.label} P{self.period} {self.service_area}"


class PublishedPeriodQuerySet(models.QuerySet["PublishedPeriod"]):
    def update(self, **kwargs: Any) -> int:
        raise SnapshotFrozenError("A published period cannot be changed; publish a new version instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise SnapshotFrozenError("A published period cannot be deleted")


class PublishedPeriod(models.Model):
    """One signed-off version of a period's forecast (immutable)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    run = models.ForeignKey(ForecastRun, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_off_name = models.CharField(max_length=200, help_text="as shown on the cover, kept if the user changes")
    signed_off_at = models.DateTimeField()
    comment = models.TextField()
    # Figures, tables, figure specs, commentary and assumptions, exactly as published.
    document = models.JSONField(encoder=DjangoJSONEncoder)
    # What the director acknowledged having looked at before signing off (dashboards.sign_off_checks):
    # {"items": [{"kind", "key", "words"}], "by": name, "at": time}. Written on insert, like the
    # rest of the row; null for versions published before the checks existed.
    acknowledged = models.JSONField(encoder=DjangoJSONEncoder, null=True, blank=True)

    objects = PublishedPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-year__start_year", "-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year", "period", "version"], name="one_version_number"),
            models.CheckConstraint(condition=models.Q(period__gte=0, period__lte=12), name="published_period_0_to_12"),
        ]

    def __str__(self) -> str:
        return f"{self.year.label} period {self.period} version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise SnapshotFrozenError("A published period cannot be changed; publish a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SnapshotFrozenError("A published period cannot be deleted")

    @property
    def title(self) -> str:
        return f"{self.year.label} period {self.period}"


class SnapshotPdf(models.Model):
    """The committee PDF of one published version. Made once by a Celery task; the stored bytes
    are what every later download returns."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    published = models.OneToOneField(PublishedPeriod, on_delete=models.PROTECT, related_name="pdf")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    content = models.BinaryField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"PDF of {self.published}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

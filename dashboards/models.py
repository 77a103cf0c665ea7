"""Variance commentary, signed-off (published) periods and their PDF snapshots.

A published period is a frozen document: everything the committee view and the PDF show is
copied into `PublishedPeriod.document` when the director signs off, so that later runs, data
corrections or commentary edits never change what the committee saw. A correction is a new
version of the same period; the older version stays readable. The rows are append-only: the
model refuses updates and deletes, and a database trigger refuses them below the ORM as well.

Published means unchangeable (dashboards migration 0003): each version is sealed at sign-off with
the SHA-256 of what it shows (`PublishedSeal`, see dashboards.seals), a finished PDF keeps its
bytes and hash for ever, and the rows of a published run are frozen too. The models and their
querysets refuse changes; database triggers refuse UPDATE, DELETE and TRUNCATE below them.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from accounts.models import Authority, User
from dashboards.seals import SEALED_FIELDS, published_digest
from forecasting.models import FinancialYear, ForecastLineResult, ForecastRun, ForecastTable


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

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[PublishedPeriod]:
        # A bulk insert would skip the seal that save() takes.
        raise SnapshotFrozenError("A period is published one version at a time, by signing it off")

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        raise SnapshotFrozenError("A published period cannot be changed; publish a new version instead")


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
        with transaction.atomic():
            super().save(*args, **kwargs)
            # Sealed from the stored row, read back, so the digest is of what later reads will see.
            stored = PublishedPeriod.objects.values(*SEALED_FIELDS).get(pk=self.pk)
            PublishedSeal.objects.create(published=self, sha256=published_digest(stored))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SnapshotFrozenError("A published period cannot be deleted")

    @property
    def title(self) -> str:
        return f"{self.year.label} period {self.period}"


class SealQuerySet(models.QuerySet["PublishedSeal"]):
    def update(self, **kwargs: Any) -> int:
        raise SnapshotFrozenError("The seal of a published period cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise SnapshotFrozenError("The seal of a published period cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        raise SnapshotFrozenError("The seal of a published period cannot be changed")


class PublishedSeal(models.Model):
    """The SHA-256 of a published version as it was signed off (dashboards.seals). Every download
    of its tables and PDF recomputes it first; a difference means the stored version was changed
    below the application, and nothing is served. Append-only, like the version itself."""

    published = models.OneToOneField(PublishedPeriod, on_delete=models.PROTECT, related_name="seal")
    sha256 = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    objects = SealQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Seal of {self.published_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise SnapshotFrozenError("The seal of a published period cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SnapshotFrozenError("The seal of a published period cannot be deleted")


PDF_FROZEN = "A finished PDF of a published period cannot be changed or deleted"
# A PDF is sealed once it is ready with its hash: from then on its bytes and hash never change.
PDF_SEALED = models.Q(status="ready") & ~models.Q(sha256="")


class SnapshotPdfQuerySet(models.QuerySet["SnapshotPdf"]):
    """Bulk routes refuse to touch a finished PDF too (the trigger is the last line of defence)."""

    def _refuse_if_sealed(self) -> None:
        if self.filter(PDF_SEALED).exists():
            raise SnapshotFrozenError(PDF_FROZEN)

    def update(self, **kwargs: Any) -> int:
        self._refuse_if_sealed()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_if_sealed()
        return super().delete()

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        self.filter(pk__in=[obj.pk for obj in objs])._refuse_if_sealed()
        return super().bulk_update(objs, fields, *args, **kwargs)


class SnapshotPdf(models.Model):
    """The committee PDF of one published version. Made once by a Celery task; the stored bytes
    are what every later download returns. Once ready with its hash it is sealed: pending ->
    running -> ready happens once, and nothing changes or deletes it afterwards."""

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

    objects = SnapshotPdfQuerySet.as_manager()

    def __str__(self) -> str:
        return f"PDF of {self.published}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            SnapshotPdf.objects.filter(pk=self.pk)._refuse_if_sealed()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        SnapshotPdf.objects.filter(pk=self.pk)._refuse_if_sealed()
        return super().delete(*args, **kwargs)

    @property
    def is_sealed(self) -> bool:
        return self.status == self.Status.READY and bool(self.sha256)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)


# --------------------------------------------------------------------------------------------
# The rows of a published run (its record, line results and tables) are frozen with it
# --------------------------------------------------------------------------------------------

RUN_FROZEN = "The results of a published forecast run cannot be changed or deleted"


def _refuse_if_published(run_id: int | None) -> None:
    if run_id is not None and PublishedPeriod.objects.filter(run_id=run_id).exists():
        raise SnapshotFrozenError(RUN_FROZEN)


@receiver(pre_save, sender=ForecastRun, dispatch_uid="dashboards.frozen_run_save")
@receiver(pre_delete, sender=ForecastRun, dispatch_uid="dashboards.frozen_run_delete")
def _frozen_run(sender: Any, instance: ForecastRun, **kwargs: Any) -> None:
    # A new run cannot be published yet; only a stored one is looked up.
    if instance.pk is not None and not instance._state.adding:
        _refuse_if_published(instance.pk)


@receiver(pre_save, sender=ForecastLineResult, dispatch_uid="dashboards.frozen_line_save")
@receiver(pre_save, sender=ForecastTable, dispatch_uid="dashboards.frozen_table_save")
def _frozen_result_save(sender: Any, instance: ForecastLineResult | ForecastTable, **kwargs: Any) -> None:
    _refuse_if_published(instance.run_id)
    if instance.pk is not None and not instance._state.adding:
        _refuse_if_published(sender.objects.filter(pk=instance.pk).values_list("run_id", flat=True).first())


@receiver(pre_delete, sender=ForecastLineResult, dispatch_uid="dashboards.frozen_line_delete")
@receiver(pre_delete, sender=ForecastTable, dispatch_uid="dashboards.frozen_table_delete")
def _frozen_result_delete(sender: Any, instance: ForecastLineResult | ForecastTable, **kwargs: Any) -> None:
    # Queryset deletes send this for each row too; updates and bulk inserts meet the trigger.
    _refuse_if_published(instance.run_id)

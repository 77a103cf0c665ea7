"""Uploaded files waiting for confirmation, and what happened to them."""

from __future__ import annotations

from django.db import models

from accounts.models import Authority, User


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        APPLIED = "applied", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="import_batches")
    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=255)
    # The file itself, so that confirming re-checks exactly what was previewed.
    content = models.BinaryField()
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.filename}"

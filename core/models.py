"""Uploads waiting for confirmation, and what happened to them."""

from __future__ import annotations

from django.db import models

from accounts.models import Authority, User
from core.importing import every_importer, files_title


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def with_file_names(self) -> ImportBatchQuerySet:
        """Each batch with its files' names and sizes, not their content (which may be megabytes)."""
        return self.prefetch_related(models.Prefetch("files", queryset=ImportFile.objects.defer("content")))


class ImportBatch(models.Model):
    """One upload of one kind: one file (a budget, a register) or several read together (an
    SSDA903 return's files of every year), with what the preview found."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        PREVIEWED = "previewed", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        APPLIED = "applied", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="import_batches")
    kind = models.CharField(max_length=30)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Records the importer corrected or left out, each with its file and row (core.importing.ISSUE_COLUMNS).
    issues = models.JSONField(default=list, blank=True)
    # `errors` and `warnings` keep only the first problems a page shows (core.import_outcome);
    # these say how many there were, how many of each kind, and hold every one for the download.
    problem_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    problem_kinds = models.JSONField(default=list, blank=True)
    problems_csv = models.BinaryField(default=b"", editable=False, help_text="every problem, as gzipped CSV")
    # The first changes of each kind (added, changed, removed) the preview or the import found.
    changes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.title}"

    @property
    def file_names(self) -> list[str]:
        """The names in the order chosen (query with `with_file_names()` to leave the content)."""
        return [f.name for f in self.files.all()]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.all())

    @property
    def title(self) -> str:
        return files_title(self.file_names)

    @property
    def kind_title(self) -> str:
        """The kind in words ("Monthly actuals")."""
        importer = every_importer().get(self.kind)
        return importer.title if importer is not None else self.kind

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_checking(self) -> bool:
        return self.status == self.Status.CHECKING

    @property
    def is_working(self) -> bool:
        """A worker has it: being checked, or being imported."""
        return self.is_checking or self.is_running


class ImportFile(models.Model):
    """One file of an upload, kept so that confirming re-checks exactly what was previewed."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0, help_text="bytes, kept when the content is cleared")

    class Meta:
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "position"], name="one_file_per_position")]

    def __str__(self) -> str:
        return self.name

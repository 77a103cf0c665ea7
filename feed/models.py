"""Tokens that let a spreadsheet or BI tool read one authority's figures without a browser session,
and a count of their use per day.

Only the SHA-256 of a token is stored: the token itself is shown once, to the administrator who
issues it, and cannot be recovered from the database.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Authority, User


class FeedToken(models.Model):
    """One token, scoped to one authority. Revoked tokens stay as a record of who had access."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120, help_text="what it is for, e.g. Finance team Power BI report")
    token_sha256 = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so that people can tell their tokens apart on the page.
    prefix = models.CharField(max_length=12)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"feed token {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedUse(models.Model):
    """How many requests a token made on one day (one row per token and day, counted in place)."""

    token = models.ForeignKey(FeedToken, on_delete=models.PROTECT, related_name="uses")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    last_path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["token", "day"], name="one_feed_use_row_per_token_and_day")]

    def __str__(self) -> str:
        return f"{self.token_id} {self.day}: {self.requests}"

"""DfE's published local-authority statistics and statistical neighbours (docs/benchmarks-dfe.md).

The figures are public (Open Government Licence) and the same for every council, so one copy
serves the whole deployment: none of these tables belongs to an authority. What is an
authority's own is `AuthorityLink`, its DfE LA number, which an administrator sets; every page
reads the published figures through that link.

Each value keeps the release it came from, so a page can say "published 3 November 2025" beside
it; a newer release replaces the values it covers and leaves older years it does not cover.
"""

from __future__ import annotations

from django.db import models

from accounts.models import Authority


class Release(models.Model):
    """One file of DfE's published statistics or statistical neighbours, as imported."""

    class Kind(models.TextChoices):
        STATISTICS = "statistics", "Published statistics"
        NEIGHBOURS = "neighbours", "Statistical neighbours"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    published_on = models.DateField()
    # A workbook named by month only ("May 2025") is dated the 1st and shown as the month.
    month_only = models.BooleanField(default=False)
    source_name = models.CharField(max_length=255)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-published_on"]
        constraints = [models.UniqueConstraint(fields=["kind", "published_on"], name="release_once_per_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.published_on.isoformat()}"


class Area(models.Model):
    """A council, a region or England, by its DfE number (England 970, regions 980 to 990)."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        REGION = "region", "Region"
        ENGLAND = "england", "England"

    la_number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    region = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="councils")

    class Meta:
        ordering = ["la_number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.la_number})"


class Measure(models.Model):
    """A measure of the release (its DfE short code), titled from DfE's data dictionary."""

    code = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    polarity = models.CharField(max_length=20, blank=True)
    # The SHA-256 of the measure's values and release as last imported: the same file again
    # changes nothing.
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class PublishedValue(models.Model):
    """One published figure: a measure, an area, a year as DfE labels it; null when suppressed."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="values")
    year = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="values")

    class Meta:
        ordering = ["measure", "area", "year"]
        constraints = [models.UniqueConstraint(fields=["measure", "area", "year"], name="one_value_per_year")]
        # Pages read a few areas (the council, its neighbours, region, England) across measures.
        indexes = [models.Index(fields=["area", "measure"], name="value_by_area")]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.area.la_number} {self.year}: {self.value}"


class StatisticalNeighbour(models.Model):
    """One of a council's ten statistical neighbours, in DfE's order (1 is the closest)."""

    la_number = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    neighbour_number = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=40, blank=True)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="neighbours")

    class Meta:
        ordering = ["la_number", "position"]
        constraints = [models.UniqueConstraint(fields=["la_number", "position"], name="one_neighbour_per_place")]

    def __str__(self) -> str:
        return f"{self.la_number} #{self.position}: {self.neighbour_number}"


class AuthorityLink(models.Model):
    """The authority's DfE LA number, set by an administrator."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="dfe_link")
    la_number = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.authority} = LA {self.la_number}"

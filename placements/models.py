"""Placement reference data (DATA_FORMATS.md, Finance placement types)."""

from __future__ import annotations

from django.db import models


class PlacementType(models.Model):
    """A finance placement type; shared by every authority, extended by administrators."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    continues_after_18 = models.BooleanField(
        default=False, help_text="Placements of this type do not end on the child's 18th birthday"
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


DEFAULT_PLACEMENT_TYPES: list[tuple[str, str, bool]] = [
    ("fostering_in_house", "In-house fostering", False),
    ("fostering_ifa", "Independent fostering agency", False),
    ("fostering_kinship", "Family and friends / connected carers", False),
    ("residential_in_house", "In-house children's homes", False),
    ("residential_external", "External residential", False),
    ("supported_accommodation", "Supported accommodation (16–17)", False),
    ("secure", "Secure children's homes (welfare)", False),
    ("parent_and_child", "Parent and child", False),
    ("placed_with_parents", "Placed with parents", False),
    ("adoption", "Placed for adoption", False),
    ("residential_school", "Residential schools", False),
    ("youth_custody", "Remand and youth custody", False),
    ("staying_put", "Staying put", True),
    ("leaving_care", "Leaving care accommodation", True),
    ("other", "Other", False),
]


def ensure_default_placement_types() -> None:
    """Create any missing default type (tests that flush the database need them back)."""
    for order, (code, name, after_18) in enumerate(DEFAULT_PLACEMENT_TYPES, start=1):
        PlacementType.objects.get_or_create(
            code=code, defaults={"name": name, "continues_after_18": after_18, "sort_order": order * 10}
        )

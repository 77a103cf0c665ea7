"""The placement types an authority starts with (each can rename, add or retire its own):
code, name and whether a placement goes on after the child's 18th birthday. Plain Python, so that
forecast_demand, which needs no database, forecasts by the same types the product does."""

from __future__ import annotations

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

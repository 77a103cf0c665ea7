"""Sections that apps above `forecast_runs` add to the back-test page.

Plugins register downwards (docs/adr/0004-one-way-layers.md): the published periods belong to
the dashboards, which `forecast_runs` may not import, so the dashboards register from their
`ready()` a function that gives the section for an authority (how each published period's
forecast compared with the outturn), and the back-test page shows what the registered
functions return, in the order they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Authority


@dataclass(frozen=True)
class Section:
    """A template to include on the back-test page and its context (given as `section`)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionFor = Callable[[Authority], Section | None]

_registered: dict[str, SectionFor] = {}


def register(name: str, section_for: SectionFor) -> None:
    """Add (or replace) the section called `name`; `section_for(authority)` reads only that
    authority's figures, or returns None to show nothing."""
    _registered[name] = section_for


def sections(*, authority: Authority) -> list[Section]:
    """The registered sections of `authority`, in the order they registered."""
    found = (section_for(authority) for section_for in _registered.values())
    return [section for section in found if section is not None]

"""The demo county's published statistics (seed_demo): DfE's release and statistical neighbours
shipped in data/dfe-published/, and Shireford linked to a real council's LA number so that the
benchmarks page shows real published figures beside the demo's own (docs/benchmarks-dfe.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from accounts.models import Authority, Role, User
from benchmarks.services import authority_link_set
from core.services import import_run

DATA = Path("data") / "dfe-published"
NEIGHBOURS = "statistical-neighbours-may-2025.xlsx"
# Nottinghamshire: a county council with about 1,000 children looked after, like Shireford.
DEMO_LA_NUMBER = 891


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    # The release is the setting's (the full file; the test suite's trimmed copy has the same name).
    release = Path(settings.OUTTURN_DEMO_PUBLISHED_RELEASE)
    for kind, path in (
        ("benchmarks", release),
        ("statistical_neighbours", Path(settings.BASE_DIR) / DATA / NEIGHBOURS),
    ):
        name = path.name
        plan, _ = import_run(authority=authority, kind=kind, source=name, data=path.read_bytes(), options={}, user=None)
        if not plan.ok:
            raise RuntimeError(f"The demo's {name} could not be loaded: {plan.errors[0]}")
    authority_link_set(authority=authority, la_number=DEMO_LA_NUMBER, user=users[Role.ADMINISTRATOR])

"""What every savings service shares: the error it raises and the checks it makes first.

Each service checks its input and raises SavingInputError listing every problem (in the words a
finance officer would use) before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Authority
from forecasting.engine.money import pounds_text


class SavingInputError(ValueError):
    """Input a service refuses; `problems` lists each one, str() joins them."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def pounds(pence: int) -> str:
    return pounds_text(pence, 2)


def full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    """The model's own checks, raised as SavingInputError with the field in words."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
            problems += [f"{label}{m}" for m in messages]
        raise SavingInputError(problems) from None


def same_authority(authority: Authority, *objects: Any) -> None:
    """Refuse rows of another authority passed in by mistake (views scope them already)."""
    for obj in objects:
        if obj is not None and getattr(obj, "authority_id", authority.pk) != authority.pk:
            raise SavingInputError([f"{obj} belongs to another authority"])

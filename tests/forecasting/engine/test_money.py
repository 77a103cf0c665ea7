"""The one money formatter: pence in, pounds as councils write them."""

from __future__ import annotations

import pytest

from forecasting.engine.money import pounds_text


@pytest.mark.parametrize(
    ("pence", "places", "text"),
    [
        (0, 0, "£0"),
        (123_456_789, 0, "£1,234,568"),  # £1,234,567.89 rounds half up to £1,234,568
        (123_456_749, 0, "£1,234,567"),
        (50, 0, "£1"),  # 50p is half a pound: half up
        (-50, 0, "(£1)"),  # away from zero, as FORECAST.md rounds; negatives in brackets
        (-123_456_789, 0, "(£1,234,568)"),
        (123_456_789, 2, "£1,234,567.89"),
        (-5, 2, "(£0.05)"),
        (100_000_000_000, 2, "£1,000,000,000.00"),
    ],
)
def test_pounds_text(pence: int, places: int, text: str) -> None:
    assert pounds_text(pence, places) == text

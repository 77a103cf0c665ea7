"""Whole-column parsing (`placements/vparse.py`): the cells read as arrays of character codes
and the cells read one at a time say the same, values and messages, as the one-cell parsers."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.parsing import parse_date
from forecasting.parsing import parse_money as parse_money_cell
from placements import vparse

DATES = [
    "2019-07-31",
    "31/07/2019",
    "2019-7-1",
    "1/7/2019",
    "2019-07-31T00:00",
    "2019-07-31 00:00:00",
    "2020-02-29",
    "2019-02-29",
    "31/02/2019",
    "2019-13-01",
    "00/01/2019",
    "2019/07/31",
    "31-07-2019",
    "abc",
    "2019-07-31x",
    "1677-09-22",
    "2262-04-11",
]
MONEY = [
    "1234.56",
    "0.5",
    "-45",
    "12.",
    ".5",
    "£1,234.56",
    "-£45",
    "£-45",
    "1 234",
    "1e3",
    "+45",
    "(12.00)",
    "1,23",
    "1.234",
    "--5",
    "-",
    "999999999999.99",
    "1000000000.00",
    "1000000000.01",
    "0000000000001",
    "12abc",
]


def _cell_date(text: str) -> tuple[object, str | None]:
    try:
        return pd.Timestamp(parse_date(text)), None
    except ValueError as error:
        return pd.NaT, str(error)


def _cell_money(text: str) -> tuple[object, str | None]:
    try:
        return parse_money_cell(text), None
    except ValueError as error:
        return None, str(error)


@pytest.mark.parametrize("padding", [0, 500])
def test_dates_read_as_a_column_are_read_as_one_cell_parser_reads_them(padding: int) -> None:
    # The same cells alone and among hundreds of plain dates (the array path reads those).
    column = pd.Series(["2019-04-01"] * padding + DATES + ["01/04/2019"] * padding, dtype=object)
    values, messages = vparse.parse_dates(column)
    for k, text in enumerate(DATES):
        expected_value, expected_message = _cell_date(text)
        got_value, got_message = values.iat[padding + k], messages.iat[padding + k]
        assert (pd.isna(got_value) and pd.isna(expected_value)) or got_value == expected_value, text
        assert (None if pd.isna(got_message) else got_message) == expected_message, text
    if padding:
        assert values.iat[0] == values.iat[-1] == pd.Timestamp(2019, 4, 1)


@pytest.mark.parametrize("padding", [0, 500])
def test_money_read_as_a_column_is_read_as_the_one_cell_parser_reads_it(padding: int) -> None:
    column = pd.Series(["950.00"] * padding + MONEY + ["12"] * padding, dtype=object)
    values, messages = vparse.parse_money(column)
    for k, text in enumerate(MONEY):
        expected_value, expected_message = _cell_money(text)
        got_value, got_message = values.iat[padding + k], messages.iat[padding + k]
        assert (None if pd.isna(got_value) else int(got_value)) == expected_value, text
        assert (None if pd.isna(got_message) else got_message) == expected_message, text
    if padding:
        assert values.iat[0] == 95_000 and values.iat[-1] == 1_200  # £950.00 and £12, in pence


def test_digits_other_than_0_to_9_are_read_as_the_one_cell_parser_reads_them() -> None:
    # Arabic-Indic ٢٠١٩ is 2019 and ١٢ is 12 to int(), so to parse_date and parse_money: before,
    # the column parser stopped with an exception on them.
    dates, date_messages = vparse.parse_dates(pd.Series(["٢٠١٩-07-31", "２０１９-01-02"], dtype=object))
    assert list(dates) == [pd.Timestamp(2019, 7, 31), pd.Timestamp(2019, 1, 2)]
    assert date_messages.isna().all()
    money, money_messages = vparse.parse_money(pd.Series(["١٢", "12.٥"], dtype=object))
    assert list(money) == [1_200, 1_250]  # £12 and £12.50 in pence
    assert money_messages.isna().all()


def test_a_year_before_1000_is_not_a_real_date() -> None:
    # Before, 0201-09-12 was taken for 2010-09-12 (the digits run together as 2010912).
    values, messages = vparse.parse_dates(pd.Series(["0201-09-12", "12/09/0201"], dtype=object))
    assert values.isna().all()
    assert list(messages) == ["'0201-09-12' is not a real date", "'12/09/0201' is not a real date"]


def test_dates_are_written_back_as_users_write_them() -> None:
    dates = pd.Series(pd.to_datetime(["2019-07-31", None, "1677-09-22"]), index=[5, 6, 7])
    assert vparse.uk(dates).to_dict() == {5: "31/07/2019", 6: "", 7: "22/09/1677"}

"""The register's arithmetic that makes a run fast, each against figures worked out by
hand: sums by group, numbers active on dates, 18th birthdays as day numbers, reading the
register once per run."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from forecasting.engine.placements import RegisterMemo, month_end_history
from forecasting.engine.placements.days import OPEN_END, day_number, eighteenth_birthday_days
from forecasting.engine.placements.register import count_active_by_group, read_register, sum_by_group


def test_sum_by_group_adds_each_groups_rows_whatever_their_order() -> None:
    groups = np.array([2, 0, 2, 2, 0], dtype=np.int64)
    matrix = np.array([[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]], dtype=np.int64)
    # group 0: rows 1 and 4 → (2+5, 20+50); group 1: none; group 2: rows 0, 2, 3 → (1+3+4, 10+30+40)
    assert sum_by_group(groups, 3, matrix).tolist() == [[7, 70], [0, 0], [8, 80]]
    assert sum_by_group(np.zeros(0, dtype=np.int64), 2, np.zeros((0, 2), dtype=np.int64)).tolist() == [[0, 0], [0, 0]]


def test_count_active_by_group_counts_start_inclusive_end_exclusive() -> None:
    d = day_number
    starts = np.array([d(date(2019, 4, 1)), d(date(2019, 4, 10)), d(date(2019, 5, 1)), d(date(2019, 4, 5))], np.int32)
    ends = np.array([d(date(2019, 4, 10)), OPEN_END, d(date(2019, 5, 1)), d(date(2019, 4, 30))], np.int32)
    groups = np.array([0, 0, 0, 1], dtype=np.int64)  # row 2 lasts no day at all
    on = np.array([d(date(2019, 4, 9)), d(date(2019, 4, 10)), d(date(2019, 4, 30)), d(date(2019, 5, 1))], np.int32)
    # Type 0 on 9 April: row 0 only; 10 April: row 1 (row 0 ended that day); 30 April and 1 May: row 1.
    # Type 1: row 3 from 5 April to 29 April.
    assert count_active_by_group(groups, 2, starts, ends, on).tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]


def test_eighteenth_birthdays_as_day_numbers_including_leaplings_and_missing_dates() -> None:
    dob = pd.Series(pd.to_datetime(["2002-02-28", "2000-02-29", "2004-02-29", "2001-12-31", None]))
    expected = [
        day_number(date(2020, 2, 28)),
        day_number(date(2018, 3, 1)),  # 2018 is not a leap year: 1 March
        day_number(date(2022, 3, 1)),
        day_number(date(2019, 12, 31)),
        int(OPEN_END),
    ]
    assert eighteenth_birthday_days(dob).tolist() == expected
    # Dates held as text or date objects read the same.
    as_objects = pd.Series([date(2000, 2, 29), date(2001, 12, 31)], dtype=object)
    assert eighteenth_birthday_days(as_objects).tolist() == [
        day_number(date(2018, 3, 1)),
        day_number(date(2019, 12, 31)),
    ]


def test_the_memo_reads_the_register_once_and_gives_what_reading_it_again_gives() -> None:
    register = pd.DataFrame(
        {
            "placement_ref": ["P1", "P2"],
            "child_ref": ["C1", "C2"],
            "child_dob": pd.to_datetime(["2010-01-01", "2008-06-15"]),
            "placement_type": ["fostering_ifa", "residential_external"],
            "start_date": pd.to_datetime(["2019-01-01", "2019-03-15"]),
            "end_date": pd.to_datetime([None, "2019-05-01"]),
            "planned_end_date": pd.to_datetime([None, None]),
            "weekly_cost": [70000, 350000],
            "health_contribution": [0, 0],
            "education_contribution": [0, 0],
            "uasc": [False, False],
            "line_code": ["L1", "L2"],
        }
    )
    types = pd.DataFrame({"code": ["fostering_ifa", "residential_external"], "continues_after_18": [False, False]})
    memo = RegisterMemo(register, types)
    assert memo.rows(["fostering_ifa"]) is memo.rows([])  # a known type changes nothing
    assert memo.rows(["secure"]).type_codes == ["fostering_ifa", "residential_external", "secure"]
    history = memo.history(up_to=date(2019, 4, 30))
    assert history is memo.history(up_to=date(2019, 4, 30))
    pd.testing.assert_frame_equal(history, month_end_history(register, types, up_to=date(2019, 4, 30)))
    # One IFA placement at every month end from January; the residential one in March and April.
    assert history["month_end_number"].tolist() == [1, 1, 1, 1, 0, 0, 1, 1]
    assert read_register(register, types).start.tolist() == memo.rows().start.tolist()

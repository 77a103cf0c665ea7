"""SSDA903 reader and cleaner: every expected placement below is worked out by hand."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from placements.ssda903 import (
    CleanResult,
    MappingError,
    Ssda903FileError,
    clean_episodes,
    default_mapping,
    read_903_files,
)
from placements.ssda903_synthetic import synthetic_903, synthetic_903_files

TODAY = date(2024, 6, 1)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
SAMPLE = FIXTURES / "ssda903-sample"

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
UASC = "CHILD,SEX,DOB,DUC\n"


def header_file(name: str, *children: tuple[str, str]) -> tuple[str, bytes]:
    return name, (HEADER + "".join(f"{c},1,{dob},WBRI,,,\n" for c, dob in children)).encode()


def episodes_file(name: str, *rows: str) -> tuple[str, bytes]:
    """Each row: 'CHILD,DECOM,RNE,LS,PLACE,PLACE_PROVIDER,DEC' (CIN and the rest are filled in)."""
    lines = []
    for row in rows:
        child, decom, rne, ls, place, provider, dec = row.split(",")
        lines.append(f"{child},{decom},{rne},{ls},N1,{place},{provider},{dec},,,,,\n")
    return name, (EPISODES + "".join(lines)).encode()


def clean(*files: tuple[str, bytes], mapping: pd.DataFrame | None = None, **kwargs) -> CleanResult:
    mapping = default_mapping() if mapping is None else mapping
    return clean_episodes(read_903_files(files), mapping=mapping, today=TODAY, **kwargs)


def plain(value: object) -> object:
    """NaT -> None, Timestamp -> date, so expected rows can be written with date(...)."""
    if value is pd.NaT:
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def rows(result: CleanResult | pd.DataFrame, *columns: str) -> list[tuple]:
    frame = result.placements if isinstance(result, CleanResult) else result
    columns = columns or ("placement_ref", "placement_type", "start_date", "end_date")
    return [tuple(plain(v) for v in record) for record in frame[list(columns)].itertuples(index=False)]


def fates(result: CleanResult) -> set[tuple]:
    episode = result.issues[result.issues["record"] == "episode"]
    return set(episode[["file", "row", "action", "rule"]].itertuples(index=False, name=None))


def accounted(result: CleanResult) -> int:
    """Episodes read minus those used, counted as duplicates, or reported dropped/ignored/merged."""
    episode = result.issues[result.issues["record"] == "episode"]
    terminal = int(episode["action"].isin(["dropped", "ignored", "merged"]).sum())
    s = result.summary
    return s["episodes_read"] - (s["used"] + s["duplicates_removed"] + terminal)


D = date
KID = ("1", "01/01/2010")


# --------------------------------------------------------------------------------------------
# Cleaning, rule by rule
# --------------------------------------------------------------------------------------------


def test_two_episodes_with_a_change_of_placement_become_two_placements_with_exclusive_end_dates():
    result = clean(
        header_file("2019-header.csv", KID),
        episodes_file("2019-episodes.csv", "1,01/04/2019,S,C2,U4,PR1,01/06/2019", "1,01/06/2019,P,C2,K2,PR4,"),
    )
    assert rows(result) == [
        ("903-1-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 6, 1)),
        ("903-1-20190601", "residential_external", D(2019, 6, 1), None),
    ]
    assert rows(result, "child_ref", "child_dob", "uasc", "place", "place_provider", "source") == [
        ("1", D(2010, 1, 1), False, "U4", "PR1", "2019-episodes.csv row 2"),
        ("1", D(2010, 1, 1), False, "K2", "PR4", "2019-episodes.csv row 3"),
    ]
    assert result.issues.empty
    assert result.summary["episodes_read"] == 2 and result.summary["used"] == 2


def test_episodes_without_a_child_or_a_usable_date_are_dropped_and_reported_at_their_spreadsheet_row():
    result = clean(
        header_file("h.csv", KID),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/06/2019",  # row 2: fine
            ",01/05/2019,S,C2,U4,PR1,",  # row 3: no CHILD
            "1,,P,C2,U4,PR1,",  # row 4: no DECOM
            "1,31/02/2019,P,C2,U4,PR1,",  # row 5: DECOM not a date
            "1,01/07/2019,P,C2,U4,PR1,soon",  # row 6: DEC not a date
            "1,01/01/2099,P,C2,U4,PR1,",
        ),  # row 7: DECOM in the future
    )
    assert rows(result) == [("903-1-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 6, 1))]
    issues = result.issues.set_index("row")
    assert issues.loc[3, ["column", "action", "rule"]].tolist() == ["CHILD", "dropped", "missing_child"]
    assert issues.loc[4, ["column", "action", "rule"]].tolist() == ["DECOM", "dropped", "missing_decom"]
    assert issues.loc[5, ["column", "value", "action", "rule"]].tolist() == [
        "DECOM",
        "31/02/2019",
        "dropped",
        "bad_date",
    ]
    assert issues.loc[6, ["column", "value", "action", "rule"]].tolist() == [
        "DEC",
        "soon",
        "dropped",
        "bad_date",
    ]
    assert issues.loc[7, ["column", "rule"]].tolist() == ["DECOM", "decom_in_future"]
    assert set(result.issues["file"]) == {"e.csv"}
    assert accounted(result) == 0


def test_an_episode_ending_before_it_starts_is_dropped_and_one_ending_the_day_it_starts_is_ignored():
    result = clean(
        header_file("h.csv", KID, ("2", "01/01/2010")),
        episodes_file("e.csv", "1,01/07/2019,S,C2,U4,PR1,03/06/2019", "2,01/07/2019,S,C2,U4,PR1,01/07/2019"),
    )
    assert result.placements.empty
    assert fates(result) == {
        ("e.csv", 2, "dropped", "dec_before_decom"),
        ("e.csv", 3, "ignored", "zero_length"),
    }


def test_the_same_episode_in_two_returns_is_used_once_from_the_latest_return_and_only_counted():
    older = episodes_file("2018-episodes.csv", "1,01/05/2018,S,C2,U5,PR4,")
    newer = episodes_file("2019-episodes.csv", "1,01/05/2018,S,C2,U5,PR4,10/10/2019", "1,10/10/2019,P,C2,U4,PR1,")
    expected = [
        ("903-1-20180501", "fostering_ifa", D(2018, 5, 1), D(2019, 10, 10)),
        ("903-1-20191010", "fostering_in_house", D(2019, 10, 10), None),
    ]
    for files in ([older, newer], [newer, older]):  # the order the files are given does not matter
        result = clean(header_file("2019-header.csv", KID), *files)
        assert rows(result) == expected
        assert result.placements["source"].tolist() == ["2019-episodes.csv row 2", "2019-episodes.csv row 3"]
        assert result.summary["duplicates_removed"] == 1
        assert result.issues.empty  # counted, not listed
        assert accounted(result) == 0


def test_without_a_year_in_the_file_names_the_latest_return_is_found_from_its_dates():
    newer = ("returnA.csv", episodes_file("x", "1,01/05/2018,S,C2,U5,PR4,10/10/2019")[1])
    older = ("returnB.csv", episodes_file("x", "1,01/05/2018,S,C2,U5,PR4,")[1])
    result = clean(header_file("h.csv", KID), newer, older)
    assert rows(result) == [("903-1-20180501", "fostering_ifa", D(2018, 5, 1), D(2019, 10, 10))]
    assert result.placements["source"].tolist() == ["returnA.csv row 2"]


def test_identical_rows_in_one_return_are_counted_once_and_conflicting_same_day_rows_are_reported():
    result = clean(
        header_file("h.csv", KID),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/06/2019",
            "1,01/04/2019,S,C2,U4,PR1,01/06/2019",  # identical: counted
            "1,01/06/2019,P,C2,K2,PR4,",  # same child and day as row 5, differs
            "1,01/06/2019,P,C2,U5,PR4,",
        ),  # the later row is used
    )
    assert rows(result, "placement_ref", "placement_type", "source") == [
        ("903-1-20190401", "fostering_in_house", "e.csv row 3"),
        ("903-1-20190601", "fostering_ifa", "e.csv row 5"),
    ]
    assert result.summary["duplicates_removed"] == 1
    assert fates(result) == {("e.csv", 4, "dropped", "conflicting_duplicate")}
    assert "row 5" in result.issues["reason"].iloc[0]


def test_overlapping_episodes_end_the_earlier_one_when_the_later_one_starts():
    result = clean(
        header_file("h.csv", KID, ("2", "01/01/2010")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/09/2019",
            "1,01/08/2019,P,C2,K2,PR4,01/12/2019",
            "2,01/04/2019,S,C2,U5,PR4,",  # open, yet the child moved on
            "2,01/01/2020,P,C2,U4,PR1,",
        ),
    )
    assert rows(result) == [
        ("903-1-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 8, 1)),
        ("903-1-20190801", "residential_external", D(2019, 8, 1), D(2019, 12, 1)),
        ("903-2-20190401", "fostering_ifa", D(2019, 4, 1), D(2020, 1, 1)),
        ("903-2-20200101", "fostering_in_house", D(2020, 1, 1), None),
    ]
    corrected = result.issues[result.issues["rule"] == "overlap"]
    assert corrected[["row", "column", "value", "action"]].values.tolist() == [
        [2, "DEC", "01/09/2019", "corrected"],
        [4, "DEC", "", "corrected"],
    ]
    assert accounted(result) == 0


def test_short_breaks_are_ignored_and_do_not_join_the_placements_either_side():
    result = clean(
        header_file("h.csv", KID, ("2", "01/01/2012")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/07/2019",
            "1,01/07/2019,L,V4,U4,PR1,01/08/2019",  # short break: ignored
            "1,01/08/2019,L,C2,U4,PR1,",  # after a gap: a new placement
            "2,01/04/2019,S,V3,U4,PR1,01/05/2019",
        ),
    )
    assert rows(result) == [
        ("903-1-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 7, 1)),
        ("903-1-20190801", "fostering_in_house", D(2019, 8, 1), None),
    ]
    assert fates(result) == {("e.csv", 3, "ignored", "short_break"), ("e.csv", 5, "ignored", "short_break")}


def test_legal_status_only_changes_continue_the_placement_but_placement_changes_start_a_new_one():
    result = clean(
        header_file("h.csv", KID, ("2", "01/01/2010")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/05/2019",  # row 2  placement 1 starts
            "1,01/05/2019,L,C1,U4,PR1,01/06/2019",  # row 3  L: continues
            "1,01/06/2019,T,C1,U4,PR1,01/07/2019",  # row 4  T: continues
            "1,01/07/2019,U,C1,U4,PR1,01/08/2019",  # row 5  U: continues
            "1,01/08/2019,P,C1,U4,PR1,01/09/2019",  # row 6  P: new, though same codes
            "1,01/09/2019,B,C1,U4,PR1,01/10/2019",  # row 7  B: new
            "1,01/10/2019,L,C1,K2,PR4,01/11/2019",  # row 8  L but PLACE changed: new
            "1,01/11/2019,L,C1,K2,PR1,",  # row 9  L but provider changed: new
            "2,01/04/2019,S,C2,U4,PR1,01/05/2019",  # row 10
            "2,10/05/2019,L,C2,U4,PR1,",
        ),  # row 11 L after a gap: new
    )
    assert rows(result) == [
        ("903-1-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 8, 1)),
        ("903-1-20190801", "fostering_in_house", D(2019, 8, 1), D(2019, 9, 1)),
        ("903-1-20190901", "fostering_in_house", D(2019, 9, 1), D(2019, 10, 1)),
        ("903-1-20191001", "residential_external", D(2019, 10, 1), D(2019, 11, 1)),
        ("903-1-20191101", "residential_in_house", D(2019, 11, 1), None),
        ("903-2-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 5, 1)),
        ("903-2-20190510", "fostering_in_house", D(2019, 5, 10), None),
    ]
    assert fates(result) == {("e.csv", r, "merged", "continuing_episode") for r in (3, 4, 5)}
    assert result.issues["reason"].str.contains("merged into 903-1-20190401").all()
    assert result.summary["merged"] == 3 and result.summary["used"] == 7 and accounted(result) == 0


def test_a_temporary_move_keeps_the_placement_held_before_it():
    result = clean(
        header_file("h.csv", KID, ("2", "01/01/2010")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U5,PR4,01/06/2019",
            "1,01/06/2019,P,C2,T1,,15/06/2019",  # in hospital for a fortnight
            "1,15/06/2019,T,C2,U5,PR4,",  # back with the same IFA carer
            "2,01/04/2019,S,C2,K2,PR4,01/06/2019",
            "2,01/06/2019,P,C2,T2,,10/06/2019",  # holiday, then a real move
            "2,10/06/2019,P,C2,U4,PR1,",
        ),
    )
    assert rows(result, "placement_ref", "placement_type", "place", "place_provider", "start_date", "end_date") == [
        ("903-1-20190401", "fostering_ifa", "U5", "PR4", D(2019, 4, 1), None),
        ("903-2-20190401", "residential_external", "K2", "PR4", D(2019, 4, 1), D(2019, 6, 10)),
        ("903-2-20190610", "fostering_in_house", "U4", "PR1", D(2019, 6, 10), None),
    ]
    assert fates(result) == {
        ("e.csv", 3, "merged", "temporary_move"),
        ("e.csv", 4, "merged", "continuing_episode"),
        ("e.csv", 6, "merged", "temporary_move"),
    }


def test_a_temporary_placement_with_no_placement_just_before_it_is_dropped():
    result = clean(
        header_file("h.csv", KID),
        episodes_file("e.csv", "1,01/04/2019,S,C2,T1,,05/04/2019", "1,05/04/2019,P,C2,U4,PR1,"),
    )
    assert rows(result) == [("903-1-20190405", "fostering_in_house", D(2019, 4, 5), None)]
    assert fates(result) == {("e.csv", 2, "dropped", "temporary_without_placement")}


def test_the_mapping_used_is_the_one_valid_in_the_collection_year_in_which_the_placement_started():
    kids = [(str(i), "01/01/2008") for i in range(1, 8)]
    result = clean(
        header_file("h.csv", *kids),
        episodes_file(
            "e.csv",
            "1,31/03/2024,S,C2,H5,PR4,",  # 2023/24: H5 still valid
            "2,01/04/2024,S,C2,H5,PR4,",  # 2024/25: H5 retired, no mapping
            "3,01/04/2024,S,C2,K3,PR4,",  # 2024/25: K3 valid
            "4,31/03/2024,S,C2,K3,PR4,",  # 2023/24: K3 not yet valid
            "5,01/06/2023,S,C2,Z1,PR1,",
            "6,01/06/2024,S,C2,Z12,PR1,",
            "7,01/06/2023,S,C2,H5,PR4,01/05/2024",  # started 2023/24 ...
            "7,01/05/2024,L,C1,H5,PR4,",
        ),  # ... continues into 2024/25: same type
    )
    assert rows(result, "child_ref", "placement_type", "start_date", "end_date") == [
        ("1", "supported_accommodation", D(2024, 3, 31), None),
        ("3", "supported_accommodation", D(2024, 4, 1), None),
        ("5", "other", D(2023, 6, 1), None),
        ("6", "other", D(2024, 6, 1), None),
        ("7", "supported_accommodation", D(2023, 6, 1), None),
    ]
    assert fates(result) == {
        ("e.csv", 3, "dropped", "no_mapping"),
        ("e.csv", 5, "dropped", "no_mapping"),
        ("e.csv", 9, "merged", "continuing_episode"),
    }
    assert "2024/25" in result.issues.set_index("row").loc[3, "reason"]


def test_unknown_place_codes_and_codes_without_a_mapping_are_dropped_with_their_reason():
    result = clean(
        header_file("h.csv", KID),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U9,PR1,01/05/2019",  # not a 903 code
            "1,01/05/2019,P,C2,R2,PR3,01/06/2019",  # NHS: a 903 code with no finance type
            "1,01/06/2019,L,C2,R2,PR3,01/07/2019",  # continues the NHS placement
            "1,01/07/2019,P,C2,,PR1,",
        ),  # no PLACE at all
    )
    assert result.placements.empty
    assert fates(result) == {
        ("e.csv", 2, "dropped", "unknown_place"),
        ("e.csv", 3, "dropped", "no_mapping"),
        ("e.csv", 4, "dropped", "no_mapping"),
        ("e.csv", 5, "dropped", "missing_place"),
    }
    assert accounted(result) == 0


def test_a_missing_or_pr0_provider_counts_as_in_house_and_an_unknown_one_is_treated_as_missing():
    kids = [(str(i), "01/01/2010") for i in range(1, 5)]
    result = clean(
        header_file("h.csv", *kids),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,,",
            "2,01/04/2019,S,C2,U5,PR0,",
            "3,01/04/2019,S,C2,K2,,",
            "4,01/04/2019,S,C2,U4,PR9,",
        ),
    )
    assert result.placements["placement_type"].tolist() == [
        "fostering_in_house",
        "fostering_in_house",
        "residential_in_house",
        "fostering_in_house",
    ]
    assert fates(result) == {("e.csv", 5, "corrected", "unknown_provider")}


def test_children_with_no_header_row_or_no_date_of_birth_are_dropped():
    result = clean(
        header_file("h.csv", KID, ("2", ""), ("3", "not a date")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,",
            "2,01/04/2019,S,C2,U4,PR1,",
            "3,01/04/2019,S,C2,U4,PR1,",
            "9,01/04/2019,S,C2,U4,PR1,",
        ),
    )
    assert result.placements["child_ref"].tolist() == ["1"]
    assert fates(result) == {
        ("e.csv", 3, "dropped", "no_dob"),
        ("e.csv", 4, "dropped", "no_dob"),
        ("e.csv", 5, "dropped", "no_header"),
    }
    header = result.issues[result.issues["record"] == "header"]
    assert header[["file", "row", "column", "value", "action"]].values.tolist() == [
        ["h.csv", 4, "DOB", "not a date", "ignored"]
    ]
    assert accounted(result) == 0


def test_a_date_of_birth_after_the_start_or_in_the_future_is_dropped():
    result = clean(
        header_file("h.csv", ("1", "01/05/2019"), ("2", "01/01/2030")),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/06/2019",  # born a month after DECOM
            "1,01/06/2019,P,C2,U4,PR4,",  # fine
            "2,01/04/2019,S,C2,U4,PR1,",
        ),
    )
    assert rows(result) == [("903-1-20190601", "fostering_ifa", D(2019, 6, 1), None)]
    assert fates(result) == {
        ("e.csv", 2, "dropped", "dob_after_decom"),
        ("e.csv", 4, "dropped", "dob_in_future"),
    }


def test_a_date_of_birth_that_differs_between_returns_is_reported_and_the_latest_return_wins():
    result = clean(
        header_file("2018-header.csv", ("1", "01/01/2010")),
        header_file("2019-header.csv", ("1", "02/01/2010")),
        episodes_file("2019-episodes.csv", "1,01/04/2019,S,C2,U4,PR1,"),
    )
    assert result.placements["child_dob"].tolist() == [pd.Timestamp("2010-01-02")]
    issue = result.issues.iloc[0]
    assert (
        issue["file"],
        issue["row"],
        issue["column"],
        issue["value"],
        issue["action"],
        issue["record"],
    ) == ("2019-header.csv", 2, "DOB", "02/01/2010", "corrected", "header")
    assert "01/01/2010 (2018-header.csv row 2)" in issue["reason"]


def test_the_uasc_flag_comes_from_the_uasc_file_until_the_child_ceased_to_be_uasc():
    result = clean(
        header_file("h.csv", ("1", "01/01/2002"), ("2", "01/01/2003")),
        ("u.csv", (UASC + "1,1,01/01/2002,28/12/2019\n").encode()),
        episodes_file(
            "e.csv",
            "1,01/04/2019,S,C2,U4,PR1,01/02/2020",
            "1,01/02/2020,P,C2,H5,PR4,",  # starts after DUC
            "2,01/04/2019,S,C2,U4,PR1,",
        ),
    )
    assert result.placements["uasc"].tolist() == [True, False, False]


def test_an_open_episode_missing_from_the_next_return_is_closed_at_the_end_of_its_last_return():
    result = clean(
        header_file("2019-header.csv", KID, ("2", "01/01/2010")),
        episodes_file(
            "2019-episodes.csv",
            "1,01/05/2019,S,C2,U4,PR1,",  # open at 31/03/2020, absent from 2020/21
            "2,01/05/2019,S,C2,U5,PR4,",
        ),
        episodes_file("2020-episodes.csv", "2,01/05/2019,S,C2,U5,PR4,01/07/2020"),
    )
    assert rows(result) == [
        ("903-1-20190501", "fostering_in_house", D(2019, 5, 1), D(2020, 4, 1)),
        ("903-2-20190501", "fostering_ifa", D(2019, 5, 1), D(2020, 7, 1)),
    ]
    assert fates(result) == {("2019-episodes.csv", 2, "corrected", "stale_open")}


def test_placement_refs_are_deterministic_and_unique():
    files = [
        header_file("h.csv", KID),
        episodes_file("e.csv", "1,01/04/2019,S,C2,U4,PR1,01/05/2019", "1,01/05/2019,P,C2,U5,PR4,"),
    ]
    first, second = clean(*files), clean(*files)
    assert (
        first.placements["placement_ref"].tolist()
        == second.placements["placement_ref"].tolist()
        == ["903-1-20190401", "903-1-20190501"]
    )


def test_every_episode_of_the_messy_fixture_is_used_counted_or_reported():
    names = [
        "messy-2019-header.csv",
        "messy-2019-episodes.csv",
        "messy-2020-header.csv",
        "messy-2020-episodes.csv",
        "messy-2020-uasc.csv",
    ]
    result = clean_episodes(read_903_files([FIXTURES / n for n in names]), mapping=default_mapping(), today=TODAY)
    assert rows(result, "placement_ref", "child_dob", "uasc", "placement_type", "start_date", "end_date", "source") == [
        (
            "903-A1-20190501",
            D(2008, 6, 16),
            False,
            "fostering_in_house",
            D(2019, 5, 1),
            D(2020, 10, 1),
            "messy-2019-episodes.csv row 2",
        ),
        (
            "903-A3-20190401",
            D(2010, 10, 10),
            False,
            "residential_external",
            D(2019, 4, 1),
            D(2019, 11, 1),
            "messy-2019-episodes.csv row 8",
        ),
        (
            "903-A3-20191101",
            D(2010, 10, 10),
            False,
            "fostering_ifa",
            D(2019, 11, 1),
            D(2020, 4, 1),
            "messy-2019-episodes.csv row 9",
        ),
        (
            "903-A7-20210201",
            D(2012, 1, 1),
            True,
            "supported_accommodation",
            D(2021, 2, 1),
            None,
            "messy-2020-episodes.csv row 7",
        ),
    ]
    e19, e20 = "messy-2019-episodes.csv", "messy-2020-episodes.csv"
    assert fates(result) == {
        (e19, 4, "dropped", "missing_child"),
        (e19, 5, "dropped", "missing_decom"),
        (e19, 6, "dropped", "dec_before_decom"),
        (e19, 7, "ignored", "short_break"),
        (e19, 8, "corrected", "overlap"),
        (e19, 9, "corrected", "stale_open"),
        (e19, 10, "dropped", "no_dob"),
        (e19, 11, "dropped", "dob_in_future"),
        (e19, 12, "dropped", "no_header"),
        (e20, 2, "merged", "continuing_episode"),
        (e20, 3, "merged", "temporary_move"),
        (e20, 4, "merged", "continuing_episode"),
        (e20, 5, "dropped", "no_mapping"),
        (e20, 6, "dropped", "unknown_place"),
        (e20, 8, "dropped", "bad_date"),
    }
    header = result.issues[result.issues["record"] == "header"]
    assert header[["file", "row", "rule", "action"]].values.tolist() == [
        ["messy-2020-header.csv", 2, "dob_conflict", "corrected"]
    ]
    s = result.summary
    assert (
        s["episodes_read"],
        s["duplicates_removed"],
        s["used"],
        s["merged"],
        s["dropped"],
        s["ignored"],
    ) == (19, 2, 4, 3, 9, 1)
    assert s["dropped_by_reason"] == {
        "missing_child": 1,
        "missing_decom": 1,
        "dec_before_decom": 1,
        "no_dob": 1,
        "dob_in_future": 1,
        "no_header": 1,
        "no_mapping": 1,
        "unknown_place": 1,
        "bad_date": 1,
    }
    assert s["placements_produced"] == 4 and s["unaccounted"] == 0 and accounted(result) == 0


# --------------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------------


def lookup(mapping: pd.DataFrame, place: str, provider: str | None, year: int) -> set[str]:
    m = mapping[
        (mapping["place"] == place)
        & (mapping["valid_from_year"].isna() | (mapping["valid_from_year"].fillna(0) <= year))
        & (mapping["valid_to_year"].isna() | (mapping["valid_to_year"].fillna(9999) >= year))
    ]
    exact = m[m["place_provider"] == provider]
    return set((exact if len(exact) else m[m["place_provider"].isna()])["finance_type"])


def test_the_default_mapping_has_the_rules_of_the_data_formats_document():
    m = default_mapping()
    assert list(m.columns) == ["place", "place_provider", "valid_from_year", "valid_to_year", "finance_type"]
    assert lookup(m, "U2", "PR4", 2019) == {"fostering_kinship"}
    assert lookup(m, "U5", "PR2", 2019) == {"fostering_in_house"}
    assert lookup(m, "U6", "PR5", 2019) == {"fostering_ifa"}
    assert lookup(m, "U4", None, 2019) == {"fostering_in_house"}
    assert lookup(m, "R1", "PR3", 2019) == {"residential_in_house"}
    assert lookup(m, "K2", "PR4", 2019) == {"residential_external"}
    assert lookup(m, "K1", "PR4", 2019) == {"secure"}
    assert lookup(m, "P2", "PR4", 2023) == {"supported_accommodation"} and lookup(m, "P2", "PR4", 2024) == set()
    assert lookup(m, "K3", "PR4", 2024) == {"supported_accommodation"} and lookup(m, "K3", "PR4", 2023) == set()
    assert lookup(m, "P1", "PR0", 2019) == {"placed_with_parents"}
    assert lookup(m, "A5", "PR1", 2019) == {"adoption"}
    assert lookup(m, "R3", "PR1", 2019) == {"parent_and_child"}
    assert lookup(m, "S1", "PR4", 2019) == {"residential_school"}
    assert lookup(m, "R5", "PR3", 2019) == {"youth_custody"}
    assert lookup(m, "Z1", None, 2023) == {"other"} and lookup(m, "Z1", None, 2024) == set()
    assert lookup(m, "Z14", None, 2024) == {"other"} and lookup(m, "Z11", None, 2023) == set()


def test_an_administrator_can_map_another_code_and_an_ambiguous_mapping_is_an_error():
    files = [header_file("h.csv", KID), episodes_file("e.csv", "1,01/04/2019,S,C2,R2,PR3,")]
    mapping = default_mapping()
    mapping.loc[len(mapping)] = [" r2", None, pd.NA, pd.NA, "other"]  # codes are trimmed and upper-cased
    assert clean(*files, mapping=mapping).placements["placement_type"].tolist() == ["other"]
    mapping.loc[len(mapping)] = ["R2", None, 2010, pd.NA, "secure"]
    with pytest.raises(MappingError, match="ambiguous for PLACE R2 with provider PR3 in 2019/20: other, secure"):
        clean(*files, mapping=mapping)
    with pytest.raises(MappingError, match="finance_type"):
        clean(*files, mapping=default_mapping().drop(columns=["finance_type"]))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def test_columns_are_matched_case_insensitively_after_trimming_and_extra_columns_give_a_warning():
    text = (
        " child ,Decom,rne,LS,cin,Place,place_provider, DEC ,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,"
        "Notes\n1,01/04/2019,S,C2,N1,U4,PR1,,X1,,,,,hello\n"
    )
    files = read_903_files([("eps.csv", text.encode()), header_file("h.csv", KID)])
    assert [(f.name, f.kind, f.shape) for f in files.files] == [
        ("eps.csv", "episodes", "dfe"),
        ("h.csv", "header", "dfe"),
    ]
    assert files.episodes.loc[0, ["CHILD", "DECOM", "PLACE"]].tolist() == ["1", "01/04/2019", "U4"]
    assert files.warnings == ["eps.csv: column(s) NOTES are not SSDA903 episodes columns and were ignored"]


def test_a_csv_with_a_byte_order_mark_is_read_and_every_value_stays_a_string():
    data = "\ufeff".encode() + (HEADER + "007,1,01/01/2010,WBRI,,1.0,\n").encode()
    files = read_903_files([("h.csv", data)])
    assert files.files[0].kind == "header"
    assert files.header.loc[0, ["CHILD", "MOTHER"]].tolist() == ["007", "1.0"]


def test_an_xlsx_workbook_is_read_from_its_first_sheet():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC"])
    sheet.append([123, datetime(2019, 4, 1), "S", "C2", "N1", "U4", "PR1", datetime(2019, 6, 1)])
    sheet.append([123, "01/06/2019", "P", "C2", "N1", "K2", "PR4", None])
    book.create_sheet("Notes").append(["anything", "at", "all"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = clean(("episodes.xlsx", buffer.getvalue()), header_file("h.csv", ("123", "01/01/2010")))
    assert rows(result) == [
        ("903-123-20190401", "fostering_in_house", D(2019, 4, 1), D(2019, 6, 1)),
        ("903-123-20190601", "residential_external", D(2019, 6, 1), None),
    ]
    assert result.placements["source"].tolist() == ["episodes.xlsx row 2", "episodes.xlsx row 3"]


def test_a_regional_file_with_la_and_year_columns_and_iso_dates_is_cleaned_for_one_authority():
    files = read_903_files([FIXTURES / "regional-episodes.csv", FIXTURES / "regional-header.csv"])
    assert {(f.kind, f.shape) for f in files.files} == {("episodes", "regional"), ("header", "regional")}
    barnet = clean_episodes(files, mapping=default_mapping(), la="barnet", today=TODAY)
    assert rows(barnet, "placement_ref", "child_dob", "placement_type", "start_date", "end_date", "source") == [
        (
            "903-B1-20190501",
            D(2010, 3, 1),
            "fostering_ifa",
            D(2019, 5, 1),
            D(2020, 6, 1),
            "regional-episodes.csv row 3",
        ),
        (
            "903-B1-20200601",
            D(2010, 3, 1),
            "residential_in_house",
            D(2020, 6, 1),
            None,
            "regional-episodes.csv row 4",
        ),
    ]
    assert barnet.summary["episodes_read"] == 3 and barnet.summary["duplicates_removed"] == 1
    assert barnet.summary["episodes_other_authorities"] == 2 and barnet.issues.empty
    enfield = clean_episodes(files, mapping=default_mapping(), la="Enfield", today=TODAY)
    # B1 in Enfield is a different child; open in 2019 and absent from Enfield's 2020 return.
    assert rows(enfield, "placement_ref", "child_dob", "placement_type", "start_date", "end_date") == [
        ("903-B1-20190701", D(2011, 1, 1), "fostering_in_house", D(2019, 7, 1), D(2020, 4, 1)),
        ("903-E2-20200402", D(2012, 2, 2), "placed_with_parents", D(2020, 4, 2), None),
    ]
    assert fates(enfield) == {("regional-episodes.csv", 5, "corrected", "stale_open")}
    with pytest.raises(ValueError, match="several authorities .*BARNET, ENFIELD"):
        clean_episodes(files, mapping=default_mapping(), today=TODAY)
    with pytest.raises(ValueError, match="no episodes for authority 'Camden'"):
        clean_episodes(files, mapping=default_mapping(), la="Camden", today=TODAY)


def test_a_file_mixing_header_and_episode_columns_is_an_error_naming_the_file():
    data = b"CHILD,SEX,DOB,ETHNIC,DECOM,PLACE\n1,1,01/01/2010,WBRI,01/04/2019,U4\n"
    with pytest.raises(Ssda903FileError, match=r"combined\.csv: mixes the columns of episodes and header files"):
        read_903_files([("combined.csv", data)])


def test_a_file_with_an_la_column_but_no_year_mixes_the_two_shapes_and_is_an_error():
    data = ("LA," + EPISODES.strip() + "\nBarnet,1,2019-04-01,S,C2,N1,U4,PR1,,,,,,\n").encode()
    with pytest.raises(
        Ssda903FileError,
        match=r"half\.csv: mixes the DfE and regional shapes: it has a LA column "
        r"but no YEAR",
    ):
        read_903_files([("half.csv", data)])


def test_a_file_whose_columns_match_nothing_is_an_error_naming_it():
    with pytest.raises(Ssda903FileError, match=r"budget\.csv: columns \(LINE_CODE, AMOUNT\) match no SSDA903 file"):
        read_903_files([("budget.csv", b"line_code,amount\nCIC,12\n")])


def test_a_file_that_is_neither_csv_nor_xlsx_is_an_error_naming_it():
    with pytest.raises(
        Ssda903FileError, match=r"scan\.pdf: this is not a CSV or XLSX file \(it contains binary data\)"
    ):
        read_903_files([("scan.pdf", b"%PDF-1.4\n\xff\xfe\x00\x01binary")])
    with pytest.raises(Ssda903FileError, match=r"old\.xls: old Excel \(\.xls\) files are not read"):
        read_903_files([("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20)])
    with pytest.raises(Ssda903FileError, match=r"broken\.xlsx: this XLSX file cannot be opened"):
        read_903_files([("broken.xlsx", b"PK\x03\x04 not really a zip")])


def test_an_episodes_file_missing_a_required_column_is_an_error_naming_the_column():
    with pytest.raises(
        Ssda903FileError, match=r"e\.csv: looks like an SSDA903 episodes file but has no PLACE_PROVIDER"
    ):
        read_903_files([("e.csv", b"CHILD,DECOM,RNE,LS,PLACE,DEC\n1,01/04/2019,S,C2,U4,\n")])


def test_every_unreadable_file_is_reported_together_and_nothing_is_returned():
    with pytest.raises(Ssda903FileError) as caught:
        read_903_files([("a.csv", b"x,y\n1,2\n"), header_file("fine.csv", KID), ("b.csv", b"")])
    assert [e.split(":")[0] for e in caught.value.errors] == ["a.csv", "b.csv"]


def test_two_files_pasted_into_one_are_an_error():
    data = (HEADER + "1,1,01/01/2010,WBRI,,,\n" + HEADER + "2,1,01/01/2011,WBRI,,,\n").encode()
    with pytest.raises(Ssda903FileError, match=r"pasted\.csv: row 3 repeats the column names"):
        read_903_files([("pasted.csv", data)])


def test_blank_lines_are_skipped_without_shifting_row_numbers():
    data = EPISODES + "\n1,01/04/2019,S,C2,N1,U4,PR1,,,,,,\n,,,,,,,,,,,,\n1,01/01/2099,P,C2,N1,U4,PR1,,,,,,\n"
    result = clean(("e.csv", data.encode()), header_file("h.csv", KID))
    assert result.placements["source"].tolist() == ["e.csv row 3"]
    assert result.issues["row"].tolist() == [5] and result.summary["episodes_read"] == 2


def test_the_reader_and_cleaner_do_not_import_django():
    code = (
        "import sys, placements.ssda903, placements.ssda903_synthetic; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# The five sample years, and synthetic returns
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> CleanResult:
    paths = sorted(SAMPLE.glob("20*-*.csv"))
    assert len(paths) == 15
    return clean_episodes(read_903_files(paths), mapping=default_mapping(), today=TODAY)


def test_the_five_sample_years_together_account_for_every_episode(sample):
    s = sample.summary
    assert s["episodes_read"] == 1460 + 974 + 648 + 402 + 253
    assert s["duplicates_removed"] == 910  # open episodes repeated, later closed, in the next return(s)
    episode = sample.issues[sample.issues["record"] == "episode"]
    terminal = episode["action"].isin(["dropped", "ignored", "merged"]).sum()
    assert s["episodes_read"] == s["used"] + s["duplicates_removed"] + terminal
    assert s["unaccounted"] == 0 and s["used"] == s["placements_produced"] == len(sample.placements)
    # Each episode has at most one final fate.
    final = episode[episode["action"] != "corrected"]
    assert not final.duplicated(["file", "row"]).any()


def test_the_sample_placements_are_consistent(sample):
    p = sample.placements.sort_values(["child_ref", "start_date"])
    assert p["placement_ref"].is_unique
    assert (p["end_date"].isna() | (p["end_date"] > p["start_date"])).all()
    next_start = p.groupby("child_ref")["start_date"].shift(-1)
    assert not ((p["end_date"] > next_start) | (p["end_date"].isna() & next_start.notna())).any()
    assert set(p["placement_type"]) <= set(default_mapping()["finance_type"])
    assert p["uasc"].dtype == bool and p["uasc"].any()


def test_the_sample_faults_are_found(sample):
    s = sample.summary
    assert s["dropped_by_reason"] == {"no_mapping": 23}  # R2 (NHS) and P3 (residential employment)
    assert set(sample.issues.loc[sample.issues["rule"] == "no_mapping", "value"]) == {"R2", "P3"}
    assert s["ignored_by_reason"] == {"short_break": 431}
    assert s["corrected_by_reason"] == {"overlap": 28, "stale_open": 20}


def test_a_sample_child_worked_by_hand(sample):
    # 525420: S U5/PR1 17/12/2017; T (same) 02/04/2019; P U5/PR4 14/10/2020; L (same) 23/08/2021;
    # P K2/PR4 29/11/2021, open in the 2021 return. The 2017 and 2020 rows are earlier versions.
    p = sample.placements[sample.placements["child_ref"] == "525420"]
    assert rows(p) == [
        ("903-525420-20171217", "fostering_in_house", D(2017, 12, 17), D(2020, 10, 14)),
        ("903-525420-20201014", "fostering_ifa", D(2020, 10, 14), D(2021, 11, 29)),
        ("903-525420-20211129", "residential_external", D(2021, 11, 29), None),
    ]


def test_synthetic_returns_are_reproducible_and_every_episode_is_accounted_for():
    first = synthetic_903_files(3000, seed=7)
    assert first == synthetic_903_files(3000, seed=7)
    files = synthetic_903(3000, seed=7)
    assert len(files.episodes) == 3000
    result = clean_episodes(files, mapping=default_mapping(), today=TODAY)
    assert result.summary["unaccounted"] == 0 and accounted(result) == 0
    assert result.summary["placements_produced"] > 1000

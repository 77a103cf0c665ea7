"""Returns that disagree about an episode's end (docs/ssda903.md, rule 3), and empty input.

Each case is a few hand-made rows in returns named by collection year (2017-episodes.csv is
2017/18), cleaned as at 01/06/2024. The listing expected is worked out by hand in each test: one
row per pair of returns that follow each other and disagree, at the earlier return's row; the
latest return's version is the one used.
"""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest

from placements.ssda903 import (
    DISAGREEMENT_COLUMNS,
    ISSUE_COLUMNS,
    PLACEMENT_COLUMNS,
    CleanResult,
    clean_episodes,
    default_mapping,
    read_903_files,
)
from placements.ssda903.history_steps import STALE_OPEN_COLUMNS
from tests.placements.test_ssda903 import (
    EPISODES,
    HEADER,
    SAMPLE,
    TODAY,
    UASC,
    accounted,
    clean,
    episodes_file,
    header_file,
    rows,
)

D = date
KIDS = header_file("2019-header.csv", ("1", "01/01/2010"), ("2", "01/01/2010"))
ONE_ROW = ("child", "decom", "file", "row", "value", "later_file", "later_row", "later_value")


def listing(result: CleanResult, *columns: str) -> list[tuple]:
    columns = columns or (*ONE_ROW, "used_file", "used_row", "used_value", "kind")
    frame = result.disagreements[list(columns)]
    return [tuple(v.date() if isinstance(v, pd.Timestamp) else v for v in r) for r in frame.itertuples(index=False)]


def disagreement_issues(result: CleanResult) -> list[tuple]:
    issues = result.issues[result.issues["rule"] == "returns_disagree"]
    return list(issues[["file", "row", "column", "value", "action"]].itertuples(index=False, name=None))


def test_an_episode_ended_in_one_return_and_open_in_the_next_is_listed_and_the_later_return_used():
    result = clean(
        KIDS,
        episodes_file("2018-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/02/2019", "2,01/06/2018,S,C2,U5,PR4,"),
        episodes_file("2019-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,", "2,01/06/2018,S,C2,U5,PR4,01/07/2019"),
    )
    # Child 2 is the usual case (open, then closed): not a disagreement.
    assert listing(result) == [
        (
            "1",
            D(2018, 5, 1),
            "2018-episodes.csv",
            2,
            "01/02/2019",
            "2019-episodes.csv",
            2,
            "",
            "2019-episodes.csv",
            2,
            "",
            "ended_then_open",
        )
    ]
    assert disagreement_issues(result) == [("2018-episodes.csv", 2, "DEC", "01/02/2019", "corrected")]
    reason = result.issues.loc[result.issues["rule"] == "returns_disagree", "reason"].iloc[0]
    assert reason == (
        "returns disagree on child 1's episode from 01/05/2018: DEC 01/02/2019 here, open (DEC blank) in the "
        "later return 2019-episodes.csv row 2; the latest return is taken as the correction and its version "
        "is used (2019-episodes.csv row 2: open)"
    )
    # What the cleaning did: the latest return's version, so child 1 is still in placement.
    assert rows(result) == [
        ("903-1-20180501", "fostering_in_house", D(2018, 5, 1), None),
        ("903-2-20180601", "fostering_ifa", D(2018, 6, 1), D(2019, 7, 1)),
    ]
    assert result.summary["returns_disagree"] == 1
    assert result.summary["corrected_by_reason"] == {"returns_disagree": 1}
    assert result.summary["duplicates_removed"] == 2 and accounted(result) == 0


def test_three_returns_with_three_different_ends_give_two_listed_pairs_and_the_latest_end():
    files = [
        episodes_file("2017-episodes.csv", "1,01/05/2017,S,C2,U4,PR1,01/03/2018"),
        episodes_file("2018-episodes.csv", "1,01/05/2017,S,C2,U4,PR1,01/06/2018"),
        episodes_file("2019-episodes.csv", "1,01/05/2017,S,C2,U4,PR1,01/07/2018"),
    ]
    expected = [
        ("1", D(2017, 5, 1), "2017-episodes.csv", 2, "01/03/2018", "2018-episodes.csv", 2, "01/06/2018"),
        ("1", D(2017, 5, 1), "2018-episodes.csv", 2, "01/06/2018", "2019-episodes.csv", 2, "01/07/2018"),
    ]
    for order in (files, files[::-1]):  # the order the files are given does not matter
        result = clean(KIDS, *order)
        assert listing(result, *ONE_ROW) == expected
        assert set(listing(result, "used_file", "used_row", "used_value", "kind")) == {
            ("2019-episodes.csv", 2, "01/07/2018", "different_end")
        }
        assert rows(result) == [("903-1-20170501", "fostering_in_house", D(2017, 5, 1), D(2018, 7, 1))]
        assert [i[:2] for i in disagreement_issues(result)] == [("2017-episodes.csv", 2), ("2018-episodes.csv", 2)]
        assert accounted(result) == 0


def test_a_dec_before_decom_in_one_return_only_is_listed_and_the_latest_return_decides():
    result = clean(
        KIDS,
        episodes_file(
            "2018-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/04/2018", "2,01/05/2018,S,C2,U4,PR1,01/09/2018"
        ),
        episodes_file(
            "2019-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/09/2019", "2,01/05/2018,S,C2,U4,PR1,01/04/2018"
        ),
    )
    assert listing(result, *ONE_ROW, "kind") == [
        (
            "1",
            D(2018, 5, 1),
            "2018-episodes.csv",
            2,
            "01/04/2018",
            "2019-episodes.csv",
            2,
            "01/09/2019",
            "different_end",
        ),
        (
            "2",
            D(2018, 5, 1),
            "2018-episodes.csv",
            3,
            "01/09/2018",
            "2019-episodes.csv",
            3,
            "01/04/2018",
            "different_end",
        ),
    ]
    # Child 1: the bad DEC was the earlier return's, and the later one's is used. Child 2: the
    # latest return's DEC is before DECOM, so rule 4 drops the episode (documented: the newest
    # version is the one checked; the earlier return's end is not used instead).
    assert rows(result) == [("903-1-20180501", "fostering_in_house", D(2018, 5, 1), D(2019, 9, 1))]
    dropped = result.issues[result.issues["action"] == "dropped"]
    assert dropped[["file", "row", "rule"]].values.tolist() == [["2019-episodes.csv", 3, "dec_before_decom"]]
    assert accounted(result) == 0


def test_a_missing_decom_in_one_return_is_dropped_and_the_other_returns_are_still_compared():
    result = clean(
        KIDS,
        episodes_file("2017-episodes.csv", "1,01/05/2017,S,C2,U4,PR1,01/03/2018"),
        episodes_file("2018-episodes.csv", "1,,S,C2,U4,PR1,"),
        episodes_file("2019-episodes.csv", "1,01/05/2017,S,C2,U4,PR1,"),
    )
    assert listing(result, *ONE_ROW, "kind") == [
        ("1", D(2017, 5, 1), "2017-episodes.csv", 2, "01/03/2018", "2019-episodes.csv", 2, "", "ended_then_open")
    ]
    missing = result.issues[result.issues["rule"] == "missing_decom"]
    assert missing[["file", "row", "action"]].values.tolist() == [["2018-episodes.csv", 2, "dropped"]]
    assert rows(result) == [("903-1-20170501", "fostering_in_house", D(2017, 5, 1), None)]
    assert accounted(result) == 0


def test_the_same_date_written_two_ways_is_not_a_disagreement_but_a_dec_that_is_not_a_date_is():
    result = clean(
        KIDS,
        episodes_file(
            "2018-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/02/2019", "2,01/05/2018,S,C2,U4,PR1,31/02/2019"
        ),
        episodes_file(
            "2019-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,2019-02-01", "2,01/05/2018,S,C2,U4,PR1,01/03/2019"
        ),
    )
    assert listing(result, "child", "file", "row", "value", "later_value", "kind") == [
        ("2", "2018-episodes.csv", 3, "31/02/2019", "01/03/2019", "different_end")
    ]
    assert not (result.issues["rule"] == "bad_date").any()  # the later version's DEC is the one checked
    assert [r[3] for r in rows(result)] == [D(2019, 2, 1), D(2019, 3, 1)]


def test_two_rows_of_one_return_that_conflict_are_compared_with_the_next_return_through_the_row_used():
    result = clean(
        KIDS,
        episodes_file(
            "2018-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/01/2019", "1,01/05/2018,S,C2,U4,PR1,01/02/2019"
        ),
        episodes_file("2019-episodes.csv", "1,01/05/2018,S,C2,U4,PR1,01/03/2019"),
    )
    # Within 2018/19 the later row (3) is that return's version, and it disagrees with 2019/20.
    # Rule 3 reports a conflict between rows of one return only in the return whose version is
    # used; here both 2018/19 rows are superseded and counted as duplicates.
    assert listing(result, "file", "row", "value", "later_file", "later_row", "later_value") == [
        ("2018-episodes.csv", 3, "01/02/2019", "2019-episodes.csv", 2, "01/03/2019")
    ]
    assert not (result.issues["rule"] == "conflicting_duplicate").any()
    assert result.summary["duplicates_removed"] == 2
    assert rows(result) == [("903-1-20180501", "fostering_in_house", D(2018, 5, 1), D(2019, 3, 1))]
    assert accounted(result) == 0


def test_no_disagreement_gives_an_empty_listing_with_its_columns():
    result = clean(KIDS, episodes_file("2019-episodes.csv", "1,01/05/2019,S,C2,U4,PR1,"))
    assert list(result.disagreements.columns) == DISAGREEMENT_COLUMNS and result.disagreements.empty
    assert result.summary["returns_disagree"] == 0


# --------------------------------------------------------------------------------------------
# The sample
# --------------------------------------------------------------------------------------------


def sample_files(edits: dict[tuple[str, int], str] | None = None) -> list[tuple[str, bytes]]:
    """The 15 sample files, with the DEC of some rows (file, spreadsheet row) changed in memory."""
    out = []
    for path in sorted(SAMPLE.glob("20*-*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for (name, row), dec in (edits or {}).items():
            if name == path.name:
                fields = lines[row - 1].split(",")
                fields[7] = dec  # DEC
                lines[row - 1] = ",".join(fields)
        out.append((path.name, "".join(lines).encode()))
    return out


def test_the_sample_returns_never_disagree_about_an_episode_s_end():
    # Read with pandas: 910 episodes are in two returns, every one open in the earlier and
    # closed in the later; none in three.
    result = clean_episodes(read_903_files(sample_files()), mapping=default_mapping(), today=TODAY)
    assert result.disagreements.empty and result.summary["returns_disagree"] == 0


def test_two_sample_children_made_to_disagree_are_the_ones_listed():
    # 103114 from 12/01/2018: open in 2017 (row 453), 13/07/2018 in 2018 (row 328); made to end
    # 01/03/2018 in 2017. 101362 from 06/01/2020: open in 2019 (row 482), 18/06/2020 in 2020
    # (row 310); made to end 01/03/2020 in 2019 and be open in 2020.
    edits = {
        ("2017-episodes.csv", 453): "01/03/2018",
        ("2019-episodes.csv", 482): "01/03/2020",
        ("2020-episodes.csv", 310): "",
    }
    result = clean_episodes(read_903_files(sample_files(edits)), mapping=default_mapping(), today=TODAY)
    assert listing(result, *ONE_ROW, "kind") == [
        (
            "101362",
            D(2020, 1, 6),
            "2019-episodes.csv",
            482,
            "01/03/2020",
            "2020-episodes.csv",
            310,
            "",
            "ended_then_open",
        ),
        (
            "103114",
            D(2018, 1, 12),
            "2017-episodes.csv",
            453,
            "01/03/2018",
            "2018-episodes.csv",
            328,
            "13/07/2018",
            "different_end",
        ),
    ]
    assert result.summary["unaccounted"] == 0


# --------------------------------------------------------------------------------------------
# Empty input: no episode rows, no header rows, no UASC rows, in every combination
# --------------------------------------------------------------------------------------------

EPISODE_ROW = "1,01/05/2019,S,C2,N1,U4,PR1,,,,,,\n"
CASES = {
    "header": (HEADER, HEADER + "1,1,01/01/2010,WBRI,,,\n"),
    "episodes": (EPISODES, EPISODES + EPISODE_ROW),
    "uasc": (UASC, UASC + "1,1,01/01/2010,\n"),
}
NOTES = {
    "episodes": "there are no episode rows (of this authority): there are no placements",
    "header": "there are no header rows: no child has a date of birth, so no episode can be used",
    "uasc": "there are no UASC rows: no placement is marked UASC",
}


@pytest.mark.parametrize("shape", list(itertools.product(["none", "no rows", "rows"], repeat=3)))
def test_empty_input_gives_no_placements_and_says_why_instead_of_failing(shape: tuple[str, str, str]) -> None:
    files = [
        (f"2019-{kind}.csv", CASES[kind][how == "rows"].encode())
        for kind, how in zip(CASES, shape, strict=True)
        if how != "none"
    ]
    result = clean_episodes(read_903_files(files), mapping=default_mapping(), today=D(2020, 1, 1))
    has = {kind: how == "rows" for kind, how in zip(CASES, shape, strict=True)}
    assert list(result.placements.columns) == PLACEMENT_COLUMNS
    assert list(result.issues.columns) == ISSUE_COLUMNS
    assert list(result.stale_open.columns) == STALE_OPEN_COLUMNS
    assert list(result.disagreements.columns) == DISAGREEMENT_COLUMNS
    assert result.summary["notes"] == [NOTES[kind] for kind in NOTES if not has[kind]]
    assert result.summary["unaccounted"] == 0
    if has["episodes"] and has["header"]:
        assert rows(result) == [("903-1-20190501", "fostering_in_house", D(2019, 5, 1), None)]
        assert result.placements["uasc"].tolist() == [has["uasc"]]
    else:
        assert result.placements.empty
        assert result.placements["start_date"].dtype == "datetime64[ns]"
        assert result.placements["uasc"].dtype == bool
    if has["episodes"] and not has["header"]:
        assert result.issues[["file", "row", "rule"]].values.tolist() == [["2019-episodes.csv", 2, "no_header"]]

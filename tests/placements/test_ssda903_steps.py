"""Each SSDA903 cleaning step on its own (placements/ssda903, docs/ssda903.md): a small
hand-made episodes frame for which the step alone does its job, the step called directly."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from placements.ssda903 import EPISODE_COLUMNS, STEPS, CleaningState, default_mapping, parse_dates, read_903_files
from placements.ssda903.episode_steps import (
    check_child_header,
    check_codes,
    drop_bad_end_dates,
    drop_bad_start_dates,
    drop_missing_child,
    ignore_short_breaks,
    keep_authority,
    keep_latest_return,
    read_codes_and_dates,
    sort_by_child_and_start,
)
from placements.ssda903.history_steps import (
    build_placements,
    close_stale_open_episodes,
    end_overlaps,
    keep_placement_during_temporary_moves,
    map_finance_types,
    merge_continuing_episodes,
    report_merged_episodes,
)
from placements.ssda903.mapping import normalise_mapping

TODAY = pd.Timestamp(2024, 6, 1)
REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def episode(child: str, decom: str, dec: str = "", **codes: str) -> dict[str, str]:
    """One episode as read (strings); codes default to a P change into U4 in-house fostering."""
    row = dict.fromkeys(EPISODE_COLUMNS, "")
    row.update(CHILD=child, DECOM=decom, DEC=dec, RNE="P", LS="C2", PLACE="U4", PLACE_PROVIDER="PR1")
    row.update({k.upper(): v for k, v in codes.items()})
    return row


def episodes(*rows: dict[str, Any], parsed: bool = True) -> pd.DataFrame:
    """Episodes as read_903_files gives them (one DfE file, rows 2, 3 ...), with DECOM and DEC
    parsed and the working columns of earlier steps when ``parsed``."""
    frame = pd.DataFrame([{"LA": "", "YEAR": "", **row} for row in rows])
    frame["_file"] = frame.get("_file", "e.csv")
    frame["_row"] = np.arange(2, len(frame) + 2, dtype="int64")
    frame["_src"] = frame.get("_src", 0)
    frame["_year_hint"] = frame.get("_year_hint", np.nan)
    if parsed:
        frame["_decom"] = parse_dates(frame["DECOM"])
        frame["_dec"] = parse_dates(frame["DEC"])
        frame["_ret"] = frame.get("_ret", 0)
        frame["_rank"] = frame.get("_rank", 0)
        frame["_provider"] = frame["PLACE_PROVIDER"]
        frame["_place"] = frame["PLACE"]
    return frame


def header(*children: tuple[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(children, columns=["CHILD", "DOB"]).assign(LA="", YEAR="", _file="h.csv", _src=1)
    frame["_row"] = np.arange(2, len(frame) + 2, dtype="int64")
    frame["_year_hint"] = np.nan
    return frame


def state(ep: pd.DataFrame, *, head: pd.DataFrame | None = None, **context: Any) -> CleaningState:
    return CleaningState(
        episodes=ep,
        header=head if head is not None else header(("1", "01/01/2010")),
        uasc=pd.DataFrame({"CHILD": pd.Series(dtype=object), "DUC": pd.Series(dtype=object), "LA": ""}),
        mapping=normalise_mapping(default_mapping()),
        today=TODAY,
        **context,
    )


def issues(s: CleaningState) -> list[tuple[int, str, str, str]]:
    """(row, rule, action, reason) of each issue, in order."""
    frame = s.issues.frame()
    return list(zip(frame["row"], frame["rule"], frame["action"], frame["reason"], strict=True))


def kept_rows(s: CleaningState) -> list[int]:
    return s.episodes["_row"].tolist()


def d(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --------------------------------------------------------------------------------------------
# 0 to 7: each episode on its own
# --------------------------------------------------------------------------------------------


def test_keep_authority_keeps_the_chosen_council_and_dfe_rows():
    ep = episodes(
        {**episode("1", "01/04/2019"), "LA": "Barnet"},
        {**episode("2", "01/04/2019"), "LA": "Enfield"},
        episode("3", "01/04/2019"),
        parsed=False,
    )
    head = header(("1", "01/01/2010"), ("2", "01/01/2010")).assign(LA=["BARNET", "Enfield"])
    after = keep_authority(state(ep, head=head, la=" barnet"))
    assert kept_rows(after) == [2, 4] and after.episodes.index.tolist() == [0, 1]
    assert (after.episodes_read, after.episodes_other_authorities) == (2, 1)
    assert after.header["CHILD"].tolist() == ["1"] and issues(after) == []
    with pytest.raises(ValueError, match="several authorities"):
        keep_authority(state(ep, head=head))


def test_read_codes_and_dates_upper_cases_codes_and_parses_uk_and_iso_dates():
    ep = episodes(
        episode("1", "01/04/2019", "2019-07-31", rne="p", ls="c2", place="u4", place_provider="pr1"),
        episode("1", "31/02/2019"),
        parsed=False,
    )
    after = read_codes_and_dates(state(ep))
    first = after.episodes.iloc[0]
    assert (first["RNE"], first["LS"], first["PLACE"], first["PLACE_PROVIDER"]) == ("P", "C2", "U4", "PR1")
    assert (first["_decom"], first["_dec"]) == (d("2019-04-01"), d("2019-07-31"))
    assert after.episodes["_decom"].isna().tolist() == [False, True]  # 31 February is no date
    assert after.episodes["_ret"].tolist() == [0, 0]  # one file, one return
    assert "_decom" not in ep.columns and ep.loc[0, "PLACE"] == "u4"  # the frame given is unchanged


def test_drop_missing_child():
    after = drop_missing_child(state(episodes(episode("", "01/04/2019"), episode("1", "01/04/2019"))))
    assert kept_rows(after) == [3]
    assert issues(after) == [(2, "missing_child", "dropped", "no child reference (CHILD is blank)")]


def test_drop_bad_start_dates():
    ep = episodes(
        episode("1", ""),
        episode("1", "31/02/2019"),
        episode("1", "01/01/2099"),
        episode("1", "01/04/2019"),
    )
    after = drop_bad_start_dates(state(ep))
    assert kept_rows(after) == [5]
    assert issues(after) == [
        (2, "missing_decom", "dropped", "no start date (DECOM is blank)"),
        (3, "bad_date", "dropped", "DECOM is not a date (use 31/07/2019 or 2019-07-31)"),
        (4, "decom_in_future", "dropped", "DECOM is in the future"),
    ]


def test_keep_latest_return_keeps_the_newest_version_of_an_episode():
    older = {"_file": "2019-episodes.csv", "_src": 0, "_year_hint": 2019.0, "_ret": 0}
    newer = {"_file": "2020-episodes.csv", "_src": 1, "_year_hint": 2020.0, "_ret": 1}
    ep = episodes(
        {**episode("1", "01/04/2019"), **older},  # open in 2019/20 ...
        {**episode("1", "01/04/2019", "01/06/2020"), **newer},  # ... closed in 2020/21: this one
        {**episode("2", "01/05/2020", place="U5"), **newer},  # two rows, same child and day, one return:
        {**episode("2", "01/05/2020", place="U6"), **newer},  # the later row is used
    )
    after = keep_latest_return(state(ep))
    assert kept_rows(after) == [3, 5] and after.duplicates_removed == 1
    assert after.episodes["DEC"].tolist() == ["01/06/2020", ""]
    assert after.returns["rank"].tolist() == [0, 1]
    assert issues(after) == [
        (
            4,
            "conflicting_duplicate",
            "dropped",
            "another episode of this child starting the same day follows in the same return (row 5, which is used)",
        )
    ]


def test_drop_bad_end_dates():
    ep = episodes(
        episode("1", "01/04/2019", "soon"),
        episode("1", "01/04/2019", "01/03/2019"),
        episode("1", "01/04/2019", "01/04/2019"),
        episode("1", "01/04/2019", "01/05/2019"),
        episode("1", "01/04/2019"),
    )
    after = drop_bad_end_dates(state(ep))
    assert kept_rows(after) == [5, 6]
    assert issues(after) == [
        (2, "bad_date", "dropped", "DEC is not a date (use 31/07/2019 or 2019-07-31)"),
        (3, "dec_before_decom", "dropped", "DEC (01/03/2019) is before DECOM (01/04/2019)"),
        (4, "zero_length", "ignored", "episode ends the day it starts: no night in placement"),
    ]


def test_check_child_header():
    head = header(("1", "01/01/2010"), ("2", "not a date"), ("3", "01/01/2099"), ("4", "01/05/2019"))
    ep = episodes(*(episode(child, "01/04/2019") for child in ("1", "2", "3", "4", "5")))
    after = check_child_header(state(ep, head=head))
    assert kept_rows(after) == [2] and after.episodes["_dob"].tolist() == [d("2010-01-01")]
    assert issues(after) == [
        (3, "bad_date", "ignored", "date of birth is not a date (use 31/07/2019 or 2019-07-31)"),  # header row
        (6, "no_header", "dropped", "child 5 has no header row in any return"),
        (3, "no_dob", "dropped", "child 2 has no valid date of birth in any header row"),
        (4, "dob_in_future", "dropped", "date of birth is in the future (h.csv row 4)"),
        (5, "dob_after_decom", "dropped", "date of birth (h.csv row 5) is after DECOM 01/04/2019"),
    ]
    assert after.issues.frame()["record"].tolist() == ["header"] + ["episode"] * 4


def test_ignore_short_breaks():
    after = ignore_short_breaks(state(episodes(episode("1", "01/04/2019", ls="V3"), episode("1", "01/05/2019"))))
    assert kept_rows(after) == [3]
    assert issues(after) == [(2, "short_break", "ignored", "short-break episode (legal status V3) is not a placement")]


def test_check_codes():
    ep = episodes(
        episode("1", "01/04/2019", place=""),
        episode("1", "01/05/2019", place="Q9"),
        episode("1", "01/06/2019", place_provider="PR9"),
        episode("1", "01/07/2019", rne="X"),
    )
    after = check_codes(state(ep))
    assert kept_rows(after) == [4, 5]
    assert after.episodes["_provider"].tolist() == ["", "PR1"]  # an unknown provider is no provider
    assert issues(after) == [
        (2, "missing_place", "dropped", "no placement type (PLACE is blank)"),
        (3, "unknown_place", "dropped", "PLACE Q9 is not an SSDA903 placement code"),
        (4, "unknown_provider", "corrected", "not a PLACE_PROVIDER code (PR0-PR5): treated as no provider"),
        (5, "unknown_rne", "corrected", "not an RNE code (S, P, L, T, U, B): treated as a change of placement"),
    ]


def test_sort_by_child_and_start():
    ep = episodes(episode("2", "01/04/2019"), episode("1", "01/06/2019"), episode("1", "01/04/2019"))
    after = sort_by_child_and_start(state(ep))
    assert kept_rows(after) == [4, 3, 2] and after.episodes.index.tolist() == [0, 1, 2]


# --------------------------------------------------------------------------------------------
# 8 to 13: a child's episodes together
# --------------------------------------------------------------------------------------------


def test_close_stale_open_episodes_ends_an_open_episode_missing_from_the_later_return():
    ep = episodes(
        {**episode("1", "01/04/2019"), "_ret": 0, "_rank": 0},  # open in 2019/20, not in 2020/21
        {**episode("2", "01/05/2020"), "_ret": 1, "_rank": 1},  # open in the latest return
    )
    returns = pd.DataFrame({"fy": [2019, 2020], "rank": [0, 1]})
    after = close_stale_open_episodes(state(ep, returns=returns))
    assert after.episodes["_dec"].tolist()[0] == d("2020-04-01") and pd.isna(after.episodes["_dec"].iloc[1])
    assert pd.isna(ep["_dec"].iloc[0])  # the frame given is unchanged
    assert issues(after) == [
        (
            2,
            "stale_open",
            "corrected",
            "open episode is missing from the later return(s): closed at the end of its last return, DEC 01/04/2020",
        )
    ]


def test_end_overlaps_ends_an_episode_when_the_next_one_starts():
    ep = episodes(
        episode("1", "01/04/2019", "01/09/2019"),
        episode("1", "01/06/2019"),
        episode("1", "01/08/2019"),
        episode("2", "01/04/2019"),  # another child: no overlap
    )
    after = end_overlaps(state(ep))
    assert after.episodes["_dec"].tolist()[:2] == [d("2019-06-01"), d("2019-08-01")]
    assert after.episodes["_dec"].iloc[2:].isna().all()
    assert issues(after) == [
        (2, "overlap", "corrected", "overlaps the child's next episode: DEC 01/09/2019 set to its start 01/06/2019"),
        (3, "overlap", "corrected", "overlaps the child's next episode: DEC open set to its start 01/08/2019"),
    ]


def test_keep_placement_during_temporary_moves():
    ep = episodes(
        episode("1", "01/04/2019", "01/06/2019", place="U4", place_provider="PR4"),
        episode("1", "01/06/2019", "01/07/2019", place="T1", place_provider="", rne="T"),
        episode("2", "01/04/2019", place="T2"),  # nothing before it to keep
    )
    after = keep_placement_during_temporary_moves(state(ep))
    assert kept_rows(after) == [2, 3]
    assert after.episodes["_place"].tolist() == ["U4", "U4"]
    assert after.episodes["_provider"].tolist() == ["PR4", "PR4"]
    assert issues(after) == [
        (
            4,
            "temporary_without_placement",
            "dropped",
            "temporary placement T2 with no placement just before it to keep",
        )
    ]


def test_merge_continuing_episodes_numbers_placements():
    ep = episodes(
        episode("1", "01/04/2019", "01/05/2019", rne="S"),
        episode("1", "01/05/2019", "01/06/2019", rne="L"),  # legal status only: continues
        episode("1", "01/06/2019", "01/07/2019", rne="P"),  # a change of placement, same codes: new
        episode("1", "01/07/2019", "01/08/2019", rne="L", place="K2"),  # L, but the codes changed: new
        episode("1", "01/09/2019", rne="L", place="K2"),  # after a gap nothing merges
    )
    after = merge_continuing_episodes(state(ep))
    assert after.episodes["_continues"].tolist() == [False, True, False, False, False]
    assert after.episodes["_pid"].tolist() == [0, 0, 1, 2, 3]
    assert after.episodes["_ref"].tolist()[:3] == ["903-1-20190401", "903-1-20190401", "903-1-20190601"]
    assert issues(after) == []  # reported by report_merged_episodes


def _merged(*rows: dict[str, str]) -> pd.DataFrame:
    return merge_continuing_episodes(state(episodes(*rows))).episodes


def test_map_finance_types_drops_every_episode_of_a_placement_without_one():
    ep = _merged(
        episode("1", "01/04/2019", place_provider="PR4"),
        episode("2", "01/04/2019", "01/05/2019", place="R2"),
        episode("2", "01/05/2019", place="R2", rne="L"),
    )
    after = map_finance_types(state(ep))
    assert kept_rows(after) == [2] and after.episodes["_type"].tolist() == ["fostering_ifa"]
    reason = "no finance placement type for PLACE R2 with provider PR1 in 2019/20"
    assert issues(after) == [
        (3, "no_mapping", "dropped", reason),
        (4, "no_mapping", "dropped", reason + " (the placement this episode continues)"),
    ]


def test_report_merged_episodes():
    ep = _merged(
        episode("1", "01/04/2019", "01/05/2019"),
        episode("1", "01/05/2019", "01/06/2019", place="T1", rne="T"),
        episode("1", "01/06/2019", rne="U"),
    )
    ep["_place"] = "U4"  # as keep_placement_during_temporary_moves leaves it
    ep = merge_continuing_episodes(state(ep)).episodes
    after = report_merged_episodes(state(ep))
    assert kept_rows(after) == [2, 3, 4]  # merged episodes are reported, not removed
    assert issues(after) == [
        (
            3,
            "temporary_move",
            "merged",
            "temporary placement T1: the child's placement before it continues (merged into 903-1-20190401)",
        ),
        (
            4,
            "continuing_episode",
            "merged",
            "RNE U is not a change of placement and PLACE and provider are unchanged: the same placement "
            "continues (merged into 903-1-20190401)",
        ),
    ]


def test_build_placements_gives_one_row_per_placement():
    ep = _merged(
        episode("1", "01/04/2019", "01/05/2019", place_provider="PR4"),
        episode("1", "01/05/2019", rne="L", place_provider="PR4"),
        episode("2", "01/04/2019", "01/04/2020"),
    )
    ep["_dob"] = pd.Timestamp("2010-01-01")
    ep["_type"] = ["fostering_ifa", "fostering_ifa", "fostering_in_house"]
    uasc = pd.DataFrame({"CHILD": ["1", "2"], "DUC": ["", "01/01/2019"]})  # 2 ceased to be UASC before
    after = build_placements(replace(state(ep), uasc=uasc))
    p = after.placements
    assert p["placement_ref"].tolist() == ["903-1-20190401", "903-2-20190401"]
    assert p["placement_type"].tolist() == ["fostering_ifa", "fostering_in_house"]
    assert pd.isna(p["end_date"].iloc[0]) and p["end_date"].iloc[1] == d("2020-04-01")  # the last episode's DEC
    assert p["uasc"].tolist() == [True, False] and p["source"].tolist() == ["e.csv row 2", "e.csv row 4"]
    assert issues(after) == []


# --------------------------------------------------------------------------------------------
# The steps together
# --------------------------------------------------------------------------------------------


def test_the_steps_are_named_in_docs_ssda903_md_in_the_order_they_run():
    text = (REPO / "docs" / "ssda903.md").read_text()
    positions = [m.start() for step in STEPS for m in [re.search(rf"`{step.__name__}`", text)] if m]
    assert len(positions) == len(STEPS), "every step is named in docs/ssda903.md"
    assert positions == sorted(positions)


def test_no_step_changes_the_frames_it_is_given():
    files = read_903_files(sorted(FIXTURES.glob("messy-*.csv")))
    s = CleaningState(
        episodes=files.episodes,
        header=files.header,
        uasc=files.uasc,
        mapping=normalise_mapping(default_mapping()),
        today=pd.Timestamp(date(2024, 6, 1)),
    )
    for step in STEPS:
        before = s.episodes.copy(), s.header.copy(), s.uasc.copy()
        after = step(s)
        for given, was in zip((s.episodes, s.header, s.uasc), before, strict=True):
            pd.testing.assert_frame_equal(given, was, obj=step.__name__)
        s = after
    assert len(s.placements) > 0

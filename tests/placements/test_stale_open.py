"""Rule 8's options (docs/ssda903.md): an open episode whose child is missing from a later return.

The case, by hand: child 1 is open in fostering from 01/05/2019 in the 2019/20 return and absent
from the 2020/21 return; child 2 is open in both and leaves on 01/07/2020. Cleaned as at
30/09/2020. Child 1 is the one rule 8 is about, last in the 2019/20 return (file row 2).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from placements.ssda903 import CleanResult, clean_episodes, default_mapping, read_903_files

TODAY = date(2020, 9, 30)
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,,,\n2,1,01/01/2010,WBRI,,,\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
FILES = [
    ("2019-header.csv", HEADER.encode()),
    (
        "2019-episodes.csv",
        (EPISODES + "1,01/05/2019,S,C2,N1,U4,PR1,,,,,,\n2,01/05/2019,S,C2,N1,U5,PR4,,,,,,\n").encode(),
    ),
    ("2020-episodes.csv", (EPISODES + "2,01/05/2019,S,C2,N1,U5,PR4,01/07/2020,E11,,,,\n").encode()),
]


def clean(**kwargs: object) -> CleanResult:
    return clean_episodes(read_903_files(FILES), mapping=default_mapping(), today=TODAY, **kwargs)  # type: ignore[arg-type]


def ends(result: CleanResult) -> dict[str, object]:
    frame = result.placements.set_index("child_ref")["end_date"]
    return {child: (None if pd.isna(end) else end.date()) for child, end in frame.items()}


def stale_issue(result: CleanResult) -> tuple[object, ...]:
    issue = result.issues[result.issues["rule"] == "stale_open"]
    assert len(issue) == 1
    return tuple(issue.iloc[0][["file", "row", "value", "action", "reason"]])


def test_by_default_the_episode_is_closed_at_the_end_of_its_last_return_as_before() -> None:
    result = clean()
    assert ends(result) == {"1": date(2020, 4, 1), "2": date(2020, 7, 1)}
    assert stale_issue(result) == (
        "2019-episodes.csv",
        2,
        "",
        "corrected",
        "open episode is missing from the later return(s): closed at the end of its last return, DEC 01/04/2020",
    )
    assert clean(stale_open="close_at_return_end").placements.equals(result.placements)


def test_keep_open_leaves_it_open_and_still_lists_it_for_the_officer() -> None:
    result = clean(stale_open="keep_open")
    assert ends(result) == {"1": None, "2": date(2020, 7, 1)}
    file, row, value, action, reason = stale_issue(result)
    assert (file, row, value, action) == ("2019-episodes.csv", 2, "", "kept")
    assert "kept open" in reason and "2019/20 return" in reason
    assert result.summary["unaccounted"] == 0  # a listed episode is still used


def test_close_at_last_known_counts_the_child_up_to_the_as_at_date() -> None:
    result = clean(stale_open="close_at_last_known")
    # DEC is exclusive: open on 30/09/2020 (the as-at date), gone from 01/10/2020
    assert ends(result) == {"1": date(2020, 10, 1), "2": date(2020, 7, 1)}
    assert stale_issue(result)[3] == "corrected"


@pytest.mark.parametrize("rule", ["close_at_return_end", "keep_open", "close_at_last_known"])
def test_every_rule_lists_the_child_and_the_return_they_were_last_in(rule: str) -> None:
    listed = clean(stale_open=rule).stale_open
    assert listed[["child", "file", "row", "last_return"]].values.tolist() == [["1", "2019-episodes.csv", 2, "2019/20"]]
    assert listed["decom"].tolist() == [pd.Timestamp("2019-05-01")]


def test_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="stale_open must be one of"):
        clean(stale_open="close_whenever")

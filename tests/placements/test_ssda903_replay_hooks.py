"""What the replay gives the cleaner to spare it work (forecast_runs/demand/replay.py), checked
against the cleaning as the import runs it: dates already parsed, a cleaning for placements only,
the finance types of a mapping remembered, and the order of the returns found with numpy.

The hand-made returns hold one of each problem the cleaner reports on a date: a blank, a wrong and
an impossible DOB, DOBs that differ between returns, a blank, wrong and future DECOM, a wrong DEC,
a DEC before DECOM, an episode of no night, ISO dates, a short break, an unknown PLACE and
provider, a temporary move with and without a placement before it, a child with no header row,
two returns that disagree about an end, an episode open in an older return only, and a blank and
wrong DUC."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from placements.ssda903 import (
    MappingError,
    clean_episodes,
    default_mapping,
    episode_steps,
    finish_cleaning,
    finish_placements,
    parse_dates,
    prepare_cleaning,
    read_903_files,
)
from placements.ssda903 import children as children_module
from placements.ssda903.dates import financial_year_start
from placements.ssda903.history_steps import STALE_OPEN_RULES
from placements.ssda903.returns import _ranked_by_pandas, return_order

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903-sample"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
UASC = "CHILD,SEX,DOB,DUC\n"
TODAY = date(2021, 6, 30)


def _returns() -> list[tuple[str, bytes]]:
    header_2019 = ["A,1,01/01/2010", "B,1,", "C,1,31/02/2010", "D,1,2011-03-04", "E,1,01/05/2012", "F,1,01/01/2009"]
    header_2019 += ["G,1,01/01/2030", "H,1,01/01/2008", "J,1,01/01/2007", ",1,01/01/2010"]
    episodes_2019 = [
        "A,01/06/2019,S,C2,N1,U4,PR1,01/09/2019,E11,",  # ends in one return, open in the next
        "A,,S,C2,N1,U4,PR1,,,",
        "A,abc,S,C2,N1,U4,PR1,,,",
        "B,01/06/2019,S,C2,N1,U4,PR1,,,",  # no DOB
        "C,01/06/2019,S,C2,N1,U4,PR1,,,",  # an impossible DOB
        "D,2019-07-01,S,C2,N1,U4,PR9,2019-08-01,E11,",  # ISO dates, an unknown provider
        "D,01/08/2019,S,C2,N1,T1,PR1,01/09/2019,E11,",  # a temporary move
        "D,01/09/2019,P,C2,N1,U4,PR1,,,",
        "E,01/06/2019,S,C2,N1,U4,PR1,31/13/2019,E11,",  # a wrong DEC
        "E,01/07/2019,S,C2,N1,U4,PR1,01/06/2019,E11,",  # DEC before DECOM
        "E,01/08/2019,S,C2,N1,U4,PR1,01/08/2019,E11,",  # no night
        "F,01/06/2019,S,V3,N1,U4,PR1,01/07/2019,E11,",  # a short break
        "F,01/08/2019,S,C2,N1,ZZ,PR1,,,",  # an unknown PLACE
        "G,01/06/2019,S,C2,N1,U4,PR1,,,",  # a DOB in the future
        "H,01/06/2019,S,C2,N1,T2,PR1,,,",  # a temporary move with no placement before it
        "J,01/06/2019,S,C2,N1,U4,PR1,,,",  # open, then missing from the next return
        "K,01/06/2019,S,C2,N1,U4,PR1,,,",  # no header row
        "A,01/01/2030,S,C2,N1,U4,PR1,,,",  # a DECOM in the future
    ]
    episodes_2020 = [
        "A,01/06/2019,S,C2,N1,U4,PR1,,,",
        "D,01/09/2019,P,C2,N1,U4,PR1,01/10/2020,E11,",
        "E,01/09/2020,S,C2,N1,U4,PR1,,,",
    ]
    return [
        ("2019-header.csv", (HEADER + "".join(r + ",WBRI,,,\n" for r in header_2019)).encode()),
        ("2019-episodes.csv", (EPISODES + "".join(r + ",,,\n" for r in episodes_2019)).encode()),
        ("2019-uasc.csv", (UASC + "A,1,01/01/2010,01/01/2020\nD,1,2011-03-04,\nE,1,01/05/2012,not a date\n").encode()),
        (
            "2020-header.csv",
            (HEADER + "A,1,02/01/2010,WBRI,,,\nD,1,04/03/2011,WBRI,,,\nE,1,01/05/2012,WBRI,,,\n").encode(),
        ),
        ("2020-episodes.csv", (EPISODES + "".join(r + ",,,\n" for r in episodes_2020)).encode()),
    ]


def _with_parsed_dates(files):  # type: ignore[no-untyped-def]
    """The files with their dates parsed beside the text, as the replay gives them."""
    episodes = files.episodes.assign(
        _decom=parse_dates(files.episodes["DECOM"]), _dec=parse_dates(files.episodes["DEC"])
    )
    header = files.header.assign(_dob=parse_dates(files.header["DOB"]))
    uasc = files.uasc.assign(_duc=parse_dates(files.uasc["DUC"]))
    return type(files)(**{**files.__dict__, "episodes": episodes, "header": header, "uasc": uasc})


def _same_cleaning(a, b) -> None:  # type: ignore[no-untyped-def]
    for part in ("placements", "issues", "stale_open", "disagreements"):
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True, obj=part)
    assert a.summary == b.summary


@pytest.mark.parametrize("rule", STALE_OPEN_RULES)
def test_dates_given_parsed_clean_as_the_text_does_and_are_not_parsed_again(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = read_903_files(_returns())
    from_text = clean_episodes(files, mapping=default_mapping(), today=TODAY, stale_open=rule)
    # the returns hold every problem listed above
    assert {"bad_date", "missing_decom", "dec_before_decom", "zero_length", "no_dob", "dob_conflict"} <= set(
        from_text.issues["rule"]
    )
    assert {"returns_disagree", "stale_open", "short_break", "unknown_place", "no_header"} <= set(
        from_text.issues["rule"]
    )
    assert from_text.placements["uasc"].any() and len(from_text.disagreements) == 1
    given = _with_parsed_dates(files)

    def no_parsing(values: pd.Series) -> pd.Series:
        raise AssertionError(f"parsed again: {values.name}")

    monkeypatch.setattr(episode_steps, "parse_dates", no_parsing)
    monkeypatch.setattr(children_module, "parse_dates", no_parsing)
    _same_cleaning(clean_episodes(given, mapping=default_mapping(), today=TODAY, stale_open=rule), from_text)


@pytest.mark.parametrize("rule", STALE_OPEN_RULES)
def test_a_cleaning_for_placements_only_gives_the_same_placements(rule: str) -> None:
    for files in (read_903_files(_returns()), read_903_files(sorted(SAMPLE.glob("*.csv")))):
        whole = clean_episodes(files, mapping=default_mapping(), today=TODAY, stale_open=rule)
        prepared = prepare_cleaning(files, mapping=default_mapping(), today=TODAY, placements_only=True)
        assert prepared.issues.parts == []  # nothing worded
        placements = finish_placements(prepared, rule)
        pd.testing.assert_frame_equal(placements, whole.placements, check_exact=True)
        with pytest.raises(ValueError, match="placements only"):
            finish_cleaning(prepared, rule)
        # a state prepared in full is left as it was by finish_placements
        full = prepare_cleaning(files, mapping=default_mapping(), today=TODAY)
        before = list(full.issues.parts)
        pd.testing.assert_frame_equal(finish_placements(full, rule), whole.placements, check_exact=True)
        assert full.issues.parts == before
        _same_cleaning(finish_cleaning(full, rule), whole)


def test_finance_types_remembered_for_a_mapping_are_those_looked_up_and_an_ambiguous_one_still_raises() -> None:
    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    mapping = default_mapping()
    in_house = (mapping["place"] == "U4") & (mapping["place_provider"] == "PR1")
    mapping.loc[in_house, "valid_to_year"] = 2018
    mapping = _with_row(mapping, ["U4", "PR1", 2019, None, "agency fostering from 2019"])
    first = clean_episodes(files, mapping=mapping, today=TODAY).placements
    again = clean_episodes(files, mapping=mapping.copy(), today=TODAY).placements  # the same text: remembered
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    types = first.set_index("placement_ref")
    assert "agency fostering from 2019" in set(types["placement_type"])
    later = types[(types["place"] == "U4") & (types["place_provider"] == "PR1")]
    year = financial_year_start(later["start_date"])
    assert (later.loc[year >= 2019, "placement_type"] == "agency fostering from 2019").all()
    assert (later.loc[year < 2019, "placement_type"] != "agency fostering from 2019").all()
    # A row that makes one combination ambiguous, after the others were remembered for the
    # mapping without it: the error names it whatever was remembered before.
    mapping = _with_row(mapping, ["U4", "PR1", 2020, None, "other"])
    with pytest.raises(
        MappingError, match="ambiguous for PLACE U4 with provider PR1 in 2021/22: agency fostering from 2019, other"
    ):
        clean_episodes(files, mapping=mapping, today=TODAY)


def _with_row(mapping: pd.DataFrame, row: list[object]) -> pd.DataFrame:
    added = pd.DataFrame([row], columns=mapping.columns).astype(mapping.dtypes.to_dict())
    return pd.concat([mapping, added], ignore_index=True)


def _return_order_by_pandas(ep: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """The order of the returns as pandas' groupby found it before it was written with numpy:
    each return's latest date, first year hint and source by groupby, ranked as pandas sorts
    (the ranking ``return_order`` keeps for sources that are not numbers)."""
    last_day = pd.concat([ep["_decom"], ep["_dec"] - pd.Timedelta(days=1)], axis=1).max(axis=1)
    last_day = last_day.where(last_day <= today)
    work = pd.DataFrame({"_ret": ep["_ret"], "last": last_day, "hint": ep["_year_hint"], "src": ep["_src"]})
    ret = work.groupby("_ret").agg(last=("last", "max"), hint=("hint", "first"), src=("src", "first"))
    latest = ret["last"].to_numpy(dtype="datetime64[ns]").view("int64")
    return _ranked_by_pandas(latest, ret["hint"].to_numpy(), ret["src"].to_numpy(), ret.index.to_numpy())


def test_the_order_of_the_returns_is_the_one_pandas_finds() -> None:
    rng = np.random.default_rng(5)
    today = pd.Timestamp(2021, 6, 30)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        returns = int(rng.integers(1, 9))
        days = rng.integers(-2500, 800, n).astype("timedelta64[D]") + np.datetime64("2019-01-01")
        decom = pd.Series(days.astype("datetime64[ns]")).where(rng.random(n) > 0.1)
        dec = (decom + pd.to_timedelta(rng.integers(0, 400, n), unit="D")).where(rng.random(n) > 0.5)
        hints = rng.integers(2012, 2022, returns).astype(float)
        if trial % 2:  # some returns without a year in their name
            hints[rng.random(returns) < 0.4] = np.nan
        ret = rng.integers(0, returns, n)
        ep = pd.DataFrame(
            {
                "_ret": ret * 3,
                "_decom": decom,
                "_dec": dec,
                "_year_hint": hints[ret],
                "_src": rng.integers(0, 4, returns)[ret].astype("int64"),
            }
        )
        pd.testing.assert_frame_equal(return_order(ep, today), _return_order_by_pandas(ep, today), check_exact=True)

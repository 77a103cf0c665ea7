"""The honest replay (forecast_runs.demand.replay): the returns as they stood on a past date.

The tiny returns, by hand (file-name year = start of the collection year, as in the sample):
- 2018/19: A in in-house fostering 01/06/2018 to 01/02/2019; B in in-house fostering from
  01/09/2018, open at 31/03/2019.
- 2019/20: B again, leaving on 01/08/2019 (reason E11); C in kinship care from 01/05/2019; E from
  01/07/2019.
- 2020/21: F from 01/04/2020, and G back-dated to 01/03/2019, only ever in this return.
As at 30/06/2019 the 2018/19 return is complete, 2019/20 is under way and 2020/21 does not exist.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.replay import Replayer
from forecast_runs.demand.return_years import settled_until
from forecast_runs.demand.series import TOTAL, types_frame
from forecasting.engine.placements import eighteenth_birthday, numbers_on_dates
from placements.ssda903 import default_mapping, read_903_files

SAMPLE = Path(__file__).resolve().parents[1] / "placements" / "fixtures" / "ssda903-sample"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
D = date(2019, 6, 30)


def returns() -> list[tuple[str, bytes]]:
    def header(*children: str) -> bytes:
        return (HEADER + "".join(f"{c},1,01/01/2010,WBRI,,,\n" for c in children)).encode()

    def episodes(*rows: str) -> bytes:
        return (EPISODES + "".join(r + ",,,\n" for r in rows)).encode()

    return [
        ("2018-header.csv", header("A", "B")),
        (
            "2018-episodes.csv",
            episodes("A,01/06/2018,S,C2,N1,U4,PR1,01/02/2019,E11,", "B,01/09/2018,S,C2,N1,U4,PR1,,,"),
        ),
        ("2019-header.csv", header("B", "C", "E")),
        (
            "2019-episodes.csv",
            episodes(
                "B,01/09/2018,S,C2,N1,U4,PR1,01/08/2019,E11,CLOSE",
                "C,01/05/2019,S,C2,N1,U1,PR0,,,",
                "E,01/07/2019,S,C2,N1,U4,PR1,,,",
            ),
        ),
        ("2020-header.csv", header("F", "G")),
        ("2020-episodes.csv", episodes("F,01/04/2020,S,C2,N1,U4,PR1,,,", "G,01/03/2019,S,C2,N1,U4,PR1,,,")),
    ]


@pytest.fixture
def replayer() -> Replayer:
    return Replayer(read_903_files(returns()), mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))


def test_the_returns_are_cut_back_to_what_was_known_on_the_date(replayer: Replayer) -> None:
    cut = replayer.cut(D).episodes
    assert cut[["_file", "CHILD", "DECOM", "DEC", "REC", "REASON_PLACE_CHANGE"]].values.tolist() == [
        ["2018-episodes.csv", "A", "01/06/2018", "01/02/2019", "E11", ""],
        ["2018-episodes.csv", "B", "01/09/2018", "", "", ""],
        # B leaves after the date: end, reason for leaving and reason for the change unknown yet
        ["2019-episodes.csv", "B", "01/09/2018", "", "", ""],
        ["2019-episodes.csv", "C", "01/05/2019", "", "", ""],
        # E starts after the date; the 2020/21 return (F, and G back-dated) does not exist yet
    ]
    assert sorted(replayer.cut(D).header["CHILD"]) == ["A", "B", "B", "C", "E"]


def test_the_cut_is_cleaned_again_on_the_date_and_counted_from_the_first_april(replayer: Replayer) -> None:
    series = replayer.inputs(D, "close_at_return_end", horizon=3)
    assert replayer.history_from(D) == date(2018, 4, 1)
    total = series[TOTAL]
    assert total.dates[0] == date(2018, 4, 30) and total.dates[-1] == D and len(total.dates) == 15
    # month-ends Apr 2018 .. Jun 2019: A from 01/06/2018 to 01/02/2019 (exclusive), B from
    # 01/09/2018 and open on the date, C (kinship) from 01/05/2019
    assert series["fostering_in_house"].values.tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1]
    assert series["fostering_kinship"].values.tolist() == [0] * 13 + [1, 1]
    assert total.values.tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2]
    # still placed at the next three month-ends: B and C, whose ends are not known yet
    assert total.committed.tolist() == [2, 2, 2]


def test_what_happened_comes_from_every_return(replayer: Replayer) -> None:
    # the latest return is a year under way: the data end at its latest date, 01/04/2020
    assert replayer.data_end == date(2020, 4, 1)
    truth = replayer.truth(replayer.data_end)[TOTAL]
    # on 31/07/2019: B (leaves 01/08), C, E and G (back-dated, known from the 2020/21 return)
    assert truth[date(2019, 7, 31)] == 4
    assert settled_until(date(2019, 6, 30)) == date(2019, 3, 31)
    # on 31 March the year just ended is complete, but no later return can check it yet
    assert settled_until(date(2019, 3, 31)) == date(2018, 3, 31)
    assert settled_until(date(2019, 4, 30)) == date(2019, 3, 31)


def test_on_the_sample_the_number_on_the_as_at_date_is_the_registers_own_count() -> None:
    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))
    as_at = date(2019, 9, 30)
    for rule in ("close_at_return_end", "keep_open"):
        placements = replayer.clean(as_at, rule).placements
        day = pd.Timestamp(as_at)
        end = pd.concat([placements["end_date"], eighteenth_birthday(placements["child_dob"])], axis=1).min(axis=1)
        counted = int(((placements["start_date"] <= day) & (end.isna() | (end > day))).sum())
        series = replayer.inputs(as_at, rule)
        assert series[TOTAL].values[-1] == counted
        types = types_frame(sorted(set(placements["placement_type"])))
        register = numbers_on_dates(_register(placements), types, [as_at])
        assert int(register[as_at].sum()) == counted
    # the history starts on 1 April of the first return's year at the level of that day
    assert replayer.history_from(as_at) == date(2017, 4, 1)
    first = replayer.inputs(as_at, "keep_open")[TOTAL]
    assert first.dates[0] == date(2017, 4, 30) and first.values[0] > 400


def _register(placements: pd.DataFrame) -> pd.DataFrame:
    from forecast_runs.demand.series import register_from_placements

    return register_from_placements(placements)


def test_a_date_before_any_return_has_no_history(replayer: Replayer) -> None:
    series = replayer.inputs(date(2018, 3, 31), "close_at_return_end", horizon=2)
    assert np.asarray(series[TOTAL].values).tolist() == [0.0]


# Cleaning a date again only where the returns differ (``Replayer.placements``) must give the
# placements of cleaning it from the start, to the last value.


def _from_scratch(files_replayer: Replayer, as_at: date, rule: str) -> pd.DataFrame:
    scratch = Replayer(
        files_replayer.files,
        mapping=default_mapping(),
        types=types_frame([]),
        today=files_replayer.today,
        incremental=False,
    )
    return scratch.placements(as_at, rule)


def _cleaned_children(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The children of each cleaning the replay runs, in turn."""
    from forecast_runs.demand import replay
    from placements.ssda903 import prepare_cleaning as prepare

    seen: list[list[str]] = []

    def spy(files, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sorted(set(files.episodes["CHILD"])))
        return prepare(files, **kwargs)

    monkeypatch.setattr(replay, "prepare_cleaning", spy)
    return seen


def test_a_child_whose_rows_change_is_cleaned_again_and_the_others_keep_their_placements(
    replayer: Replayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _cleaned_children(monkeypatch)
    rule = "close_at_return_end"
    before = replayer.placements(D, rule)  # 30/06/2019: the first date, cleaned whole
    after = replayer.placements(date(2019, 8, 31), rule)
    # by 31/08/2019 B's end (01/08/2019) is known and E has started: only they are cleaned
    # again; A (whose return was complete) and C (whose episode is still open) are not
    assert seen == [["A", "B", "C"], ["B", "E"]]
    assert before[["child_ref", "end_date"]].values.tolist() == [
        ["A", pd.Timestamp("2019-02-01")],
        ["B", pd.NaT],
        ["C", pd.NaT],
    ]
    assert after[["child_ref", "end_date"]].values.tolist() == [
        ["A", pd.Timestamp("2019-02-01")],
        ["B", pd.Timestamp("2019-08-01")],
        ["C", pd.NaT],
        ["E", pd.NaT],
    ]
    pd.testing.assert_frame_equal(after, _from_scratch(replayer, date(2019, 8, 31), rule), check_exact=True)


def test_a_child_whose_rows_do_not_change_is_cleaned_again_when_a_new_return_makes_its_episode_stale(
    replayer: Replayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _cleaned_children(monkeypatch)
    rule = "close_at_return_end"
    on_31_march = replayer.placements(date(2020, 3, 31), rule)
    with_2020 = replayer.placements(date(2020, 5, 31), rule)
    # C's and E's rows are the same on both dates, but the 2020/21 return, which first exists on
    # 31/05/2020, does not list them: rule 8 now closes their open episodes at the end of the
    # 2019/20 return. F and G are new; A and B (both ended) keep their placements.
    assert seen == [["A", "B", "C", "E"], ["C", "E", "F", "G"]]
    ends = dict(zip(with_2020["child_ref"], with_2020["end_date"], strict=True))
    assert pd.isna(on_31_march.set_index("child_ref").loc["C", "end_date"])
    assert ends["C"] == ends["E"] == pd.Timestamp("2020-04-01")
    pd.testing.assert_frame_equal(with_2020, _from_scratch(replayer, date(2020, 5, 31), rule), check_exact=True)


def test_counted_up_to_the_date_every_child_with_a_stale_open_episode_is_cleaned_again(
    replayer: Replayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _cleaned_children(monkeypatch)
    rule = "close_at_last_known"
    replayer.placements(date(2020, 5, 31), rule)
    later = replayer.placements(date(2020, 7, 31), rule)
    # nothing new in the returns, but C's and E's stale episodes now close the day after
    # 31/07/2020. B's 2018/19 row is open, but the 2019/20 return's version, which has an end,
    # replaces it; F's and G's open episodes are in the latest return, so not stale: all three
    # are the same on both dates and keep their placements, as A (ended) does.
    assert seen[1] == ["C", "E"]
    assert later.set_index("child_ref").loc["C", "end_date"] == pd.Timestamp("2020-08-01")
    pd.testing.assert_frame_equal(later, _from_scratch(replayer, date(2020, 7, 31), rule), check_exact=True)


def test_the_same_date_under_another_rule_cleans_again_only_the_children_rule_8_is_about(
    replayer: Replayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _cleaned_children(monkeypatch)
    replayer.placements(date(2020, 3, 31), "close_at_return_end")  # cleaned whole
    replayer.placements(date(2020, 5, 31), "close_at_return_end")  # from 31/03/2020
    placed = {rule: replayer.placements(date(2020, 5, 31), rule) for rule in ("keep_open", "close_at_last_known")}
    # On 31/05/2020 only C's and E's open episodes are stale (the 2020/21 return does not list
    # them): under each other rule only they are cleaned again. B's open 2018/19 row is replaced
    # by its 2019/20 version, which has an end; F and G are in the latest return.
    assert seen[2:] == [["C", "E"], ["C", "E"]]
    for rule, frame in placed.items():
        pd.testing.assert_frame_equal(frame, _from_scratch(replayer, date(2020, 5, 31), rule), check_exact=True)
    ends = replayer.placements(date(2020, 5, 31), "keep_open").set_index("child_ref")["end_date"]
    assert pd.isna(ends["C"]) and pd.isna(ends["E"])
    ends = replayer.placements(date(2020, 5, 31), "close_at_last_known").set_index("child_ref")["end_date"]
    assert ends["C"] == ends["E"] == pd.Timestamp("2020-06-01")


def test_on_the_sample_each_rule_cleaned_from_another_on_the_same_date_gives_the_placements_of_cleaning_it_whole() -> (
    None
):
    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    today = date(2024, 6, 1)
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=today)
    whole = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=today, incremental=False)
    rules = ["close_at_last_known", "close_at_return_end", "keep_open"]
    # As the back-test asks: every rule of a date in turn (the first from a near date, the
    # others from it), each date starting with another rule.
    dates = [d.date() for d in pd.date_range(date(replayer.first_year, 5, 1), replayer.data_end, freq="2ME")]
    for turn, as_at in enumerate([replayer.data_end, *dates]):
        for rule in rules[turn % 3 :] + rules[: turn % 3]:
            pd.testing.assert_frame_equal(
                replayer.placements(as_at, rule),
                whole.placements(as_at, rule),
                check_exact=True,
                obj=f"{as_at} {rule}",
            )


def test_the_returns_are_ordered_as_the_cleaner_orders_them_on_each_cut() -> None:
    from placements.ssda903 import prepare_cleaning
    from placements.ssda903.episode_steps import return_numbers

    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))
    for as_at in (date(2017, 5, 31), date(2018, 3, 31), date(2019, 4, 30), replayer.data_end):
        known = replayer._known_on(as_at)
        cut = replayer.cut(as_at)
        assert known.ret.tolist() == return_numbers(cut.episodes).tolist()
        state = prepare_cleaning(cut, mapping=default_mapping(), today=as_at)
        pd.testing.assert_frame_equal(known.returns, state.returns, check_exact=True)


@pytest.mark.parametrize("rule", ["close_at_return_end", "keep_open", "close_at_last_known"])
def test_on_the_sample_every_date_cleaned_again_gives_the_placements_of_cleaning_it_whole(rule: str) -> None:
    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    today = date(2024, 6, 1)
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=today)
    whole = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=today, incremental=False)
    # as the forecast asks: the as-at date first, then past dates oldest first (each from the
    # nearest date already cleaned, across the ends of collection years: 30 September, 31 March)
    dates = [d.date() for d in pd.date_range(date(replayer.first_year, 9, 1), replayer.data_end, freq="6ME")]
    for as_at in [replayer.data_end, *dates]:
        pd.testing.assert_frame_equal(
            replayer.placements(as_at, rule), whole.placements(as_at, rule), check_exact=True, obj=str(as_at)
        )


def _cleaned_rows(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, str, str, str]]]:
    """The episode rows (file, CHILD, DECOM, DEC) of each cleaning the replay runs, in turn."""
    from forecast_runs.demand import replay
    from placements.ssda903 import prepare_cleaning as prepare

    seen: list[list[tuple[str, str, str, str]]] = []

    def spy(files, **kwargs):  # type: ignore[no-untyped-def]
        ep = files.episodes
        seen.append(list(zip(ep["_file"], ep["CHILD"], ep["DECOM"], ep["DEC"], strict=True)))
        return prepare(files, **kwargs)

    monkeypatch.setattr(replay, "prepare_cleaning", spy)
    return seen


def test_a_child_cleaned_again_is_cleaned_without_the_versions_a_later_return_replaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # H's episode from 01/06/2018 is open in the 2018/19 return and in the 2019/20 return twice
    # (two rows of one return that disagree: the later row wins, so both are kept), ending
    # 01/09/2019; J's only episode is in the 2019/20 return.
    files = returns()
    files[0] = ("2018-header.csv", files[0][1] + b"H,1,01/01/2010,WBRI,,,\n")
    files[1] = ("2018-episodes.csv", files[1][1] + b"H,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n")
    files[2] = ("2019-header.csv", files[2][1] + b"H,1,01/01/2010,WBRI,,,\nJ,1,01/01/2010,WBRI,,,\n")
    files[3] = (
        "2019-episodes.csv",
        files[3][1]
        + b"H,01/06/2018,S,C2,N1,U6,PR1,,,,,,\n"
        + b"H,01/06/2018,S,C2,N1,U4,PR1,01/09/2019,E11,,,,\n"
        + b"J,01/10/2019,S,C2,N1,U4,PR1,,,,,,\n",
    )
    replayer = Replayer(read_903_files(files), mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))
    seen = _cleaned_rows(monkeypatch)
    rule = "close_at_return_end"
    replayer.placements(D, rule)  # the first date, cleaned whole: every row it holds
    assert ("2018-episodes.csv", "H", "01/06/2018", "") in seen[0]
    after = replayer.placements(date(2019, 10, 31), rule)
    # By 31/10/2019 B's and H's ends are known and E and J have started: they are cleaned again,
    # B and H with only their 2019/20 rows (both of H's), not the open 2018/19 versions.
    assert sorted(seen[1]) == [
        ("2019-episodes.csv", "B", "01/09/2018", "01/08/2019"),
        ("2019-episodes.csv", "E", "01/07/2019", ""),
        ("2019-episodes.csv", "H", "01/06/2018", ""),
        ("2019-episodes.csv", "H", "01/06/2018", "01/09/2019"),
        ("2019-episodes.csv", "J", "01/10/2019", ""),
    ]
    placed = after.set_index("child_ref")
    assert placed.loc["H", "end_date"] == pd.Timestamp("2019-09-01")
    assert placed.loc["H", "source"] == "2019-episodes.csv row 6"  # the later row of the two
    pd.testing.assert_frame_equal(after, _from_scratch(replayer, date(2019, 10, 31), rule), check_exact=True)


def test_the_month_end_numbers_are_counted_by_hand() -> None:
    from forecast_runs.demand.series import placement_series

    def day(text: str) -> pd.Timestamp:
        return pd.Timestamp(text)

    placements = pd.DataFrame(
        {
            "placement_ref": ["X1", "Y1", "Z1", "W1"],
            "child_ref": ["X", "Y", "Z", "W"],
            # Y turns 18 on 20/02/2019, which ends a residential placement
            "child_dob": [day("2005-01-15"), day("2001-02-20"), day("2010-01-01"), day("2010-01-01")],
            "uasc": [False] * 4,
            "placement_type": ["fostering_in_house", "residential_external", "fostering_in_house", "fostering_ifa"],
            "start_date": [day("2019-01-10"), day("2018-12-01"), day("2019-02-01"), day("2019-05-01")],
            "end_date": [day("2019-03-05"), pd.NaT, pd.NaT, pd.NaT],
        }
    )
    types = types_frame(["fostering_in_house", "fostering_ifa", "residential_external"])
    series = placement_series(placements, types, as_at=date(2019, 3, 31), history_from=date(2018, 12, 1), horizon=2)
    # W starts after the as-at date: not known yet, so fostering_ifa has no series
    assert list(series) == ["fostering_in_house", "residential_external", TOTAL]
    fostering, residential, total = (series[k] for k in series)
    assert total.dates == (date(2018, 12, 31), date(2019, 1, 31), date(2019, 2, 28), date(2019, 3, 31))
    # 31/12: Y; 31/01: X and Y; 28/02: X and Z (Y is 18); 31/03: Z (X left on 05/03)
    assert fostering.values.tolist() == [0, 1, 2, 1]
    assert residential.values.tolist() == [1, 1, 0, 0]
    assert total.values.tolist() == [1, 2, 2, 1]
    assert fostering.entries.tolist() == [0, 1, 1, 0] and fostering.exits.tolist() == [0, 0, 0, 1]
    assert residential.entries.tolist() == [1, 0, 0, 0] and residential.exits.tolist() == [0, 0, 1, 0]
    assert total.entries.tolist() == [1, 1, 1, 0] and total.exits.tolist() == [0, 0, 1, 1]
    # on 30/04 and 31/05 only Z is still placed
    assert fostering.committed.tolist() == [1, 1] and residential.committed.tolist() == [0, 0]
    assert total.committed.tolist() == [1, 1]


def test_on_the_sample_the_month_end_numbers_are_the_engines_long_history() -> None:
    from forecast_runs.demand.series import MONTHLY, future_dates, placement_series, register_from_placements
    from forecasting.engine.placements import month_end_history

    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))
    for as_at in (date(2018, 1, 31), date(2019, 9, 30), replayer.data_end):
        placements = replayer.placements(as_at, "keep_open")
        series = placement_series(placements, replayer.types, as_at=as_at, history_from=date(2017, 4, 1), horizon=6)
        register = register_from_placements(placements[placements["start_date"] <= pd.Timestamp(as_at)])
        codes = [c for c in series if c != TOTAL]
        types = types_frame(codes)
        history = month_end_history(register, types, up_to=as_at, from_date=date(2017, 4, 1))
        held = numbers_on_dates(register, types, future_dates(as_at, MONTHLY, 6))
        for code in codes:
            mine = history[history["placement_type"] == code]
            assert series[code].dates == tuple(mine["count_date"])
            assert series[code].values.tolist() == mine["month_end_number"].tolist()
            assert series[code].entries.tolist() == mine["entries"].tolist()
            assert series[code].exits.tolist() == mine["exits"].tolist()
            assert series[code].committed.tolist() == held.loc[code].tolist()
        by_date = history.groupby("count_date", sort=True)[["month_end_number", "entries", "exits"]].sum()
        assert series[TOTAL].values.tolist() == by_date["month_end_number"].tolist()
        assert series[TOTAL].exits.tolist() == by_date["exits"].tolist()
        assert series[TOTAL].committed.tolist() == held.sum(axis=0).tolist()


@pytest.mark.parametrize("rule", ["close_at_return_end", "keep_open", "close_at_last_known"])
def test_on_the_sample_every_month_end_replayed_gives_the_placements_of_cleaning_its_text(rule: str) -> None:
    # The replay gives the cleaner the dates it parsed once and cleans children again for their
    # placements only: at every month-end the placements are those of the import's own cleaning
    # of the cut's text (no parsed date beside it).
    from placements.ssda903 import clean_episodes

    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]), today=date(2024, 6, 1))
    dates = [d.date() for d in pd.date_range(date(replayer.first_year, 4, 1), replayer.data_end, freq="ME")]
    assert len(dates) > 40
    for as_at in [replayer.data_end, *dates]:
        cut = replayer.cut(as_at)
        assert {"_decom", "_dec"} <= set(cut.episodes.columns) and "_dob" in cut.header.columns
        text = type(cut)(
            **{
                **cut.__dict__,
                "episodes": cut.episodes.drop(columns=["_decom", "_dec"]),
                "header": cut.header.drop(columns=["_dob"]),
                "uasc": cut.uasc.drop(columns=["_duc"]),
            }
        )
        placed = replayer.placements(as_at, rule)
        if text.episodes.empty:
            assert placed.empty
            continue
        whole = clean_episodes(text, mapping=default_mapping(), today=as_at, stale_open=rule).placements
        pd.testing.assert_frame_equal(placed, whole, check_exact=True, obj=str(as_at))

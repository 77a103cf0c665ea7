"""Charts scaled to the story (issue 12, point 6): differences drawn around zero, forecasts and
numbers on an axis fitted to the data, team charts as horizontal bars with full names. Every
expected range is worked out by hand in the comments from the tick rule: the step is the first
of 1, 2, 2.5, 5 or 10 × a power of ten that is at least a fifth of the span."""

from __future__ import annotations

import pandas as pd

from dashboards import charts

M = 1_000_000  # pounds
PENCE_M = 100 * M


def _layout(figure) -> dict:  # type: ignore[no-untyped-def]
    return charts.figure_json(figure)["layout"]


def test_scenario_overspends_of_half_a_million_and_seven_million_look_different() -> None:
    # Budget £127m; best +£0.5m, middle +£3.4m, worst +£7.1m (the review's figures).
    frame = pd.DataFrame(
        {
            "scenario": ["best", "middle", "worst"],
            "budget": [127 * PENCE_M] * 3,
            "outturn": [127_500_000_00, 130_400_000_00, 134_100_000_00],
            "variance": [500_000_00, 3_400_000_00, 7_100_000_00],
        }
    )
    spec = charts.figure_json(charts.scenarios_figure(frame))
    bars = spec["data"][0]
    assert bars["y"] == [500_000.0, 3_400_000.0, 7_100_000.0]
    assert bars["text"] == ["+£500k", "+£3.4m", "+£7.1m"]
    axis = spec["layout"]["yaxis"]
    # Span £0–£7.1m: a fifth is £1.42m, so the step is £2m; from £0 up to £8m, not £0–£150m.
    assert axis["range"] == [0.0, 8 * M]
    assert axis["ticktext"] == ["£0", "+£2m", "+£4m", "+£6m", "+£8m"]
    assert axis["title"]["text"] == "Over (+) or under (brackets) the budget of £127m"


def test_a_scenario_underspend_is_drawn_below_zero() -> None:
    frame = pd.DataFrame({"scenario": ["best", "middle", "worst"], "budget": [127 * PENCE_M] * 3, "outturn": [0, 0, 0]})
    # No variance column: outturn − budget. Best −£0.5m, middle +£3.4m, worst +£7.1m.
    frame["outturn"] = [126_500_000_00, 130_400_000_00, 134_100_000_00]
    spec = charts.figure_json(charts.scenarios_figure(frame))
    assert spec["data"][0]["y"] == [-500_000.0, 3_400_000.0, 7_100_000.0]
    assert spec["data"][0]["text"][0] == "(£500k)"
    # Span −£0.5m to £7.1m = £7.6m: a fifth is £1.52m, step £2m; −£2m to £8m.
    assert spec["layout"]["yaxis"]["range"] == [-2 * M, 8 * M]
    assert spec["layout"]["yaxis"]["ticktext"][:2] == ["(£2m)", "£0"]


def test_the_accuracy_axis_is_fitted_to_the_forecasts_not_from_zero() -> None:
    frame = pd.DataFrame(
        {
            "year": ["2019/20"] * 3,
            "period": [1, 2, 3],
            "forecast": [125 * PENCE_M, 126_500_000_00, 127_200_000_00],
            "reference": [127_200_000_00] * 3,
        }
    )
    axis = _layout(charts.accuracy_figure(frame))["yaxis"]
    # £125m–£127.2m, padded by a tenth of the £2.2m span (£0.22m) each side: £124.78m–£127.42m.
    # A fifth of £2.64m is £0.528m, so the step is £1m: £124m to £128m.
    assert axis["range"] == [124 * M, 128 * M]
    assert axis["ticktext"] == ["£124m", "£125m", "£126m", "£127m", "£128m"]
    assert "not from £0" in axis["title"]["text"]


def test_children_in_the_hundreds_get_an_axis_near_the_data() -> None:
    frame = pd.DataFrame(
        {
            "month": ["Apr 2019", "May 2019", "Jun 2019"],
            "actual": [950.0, 1000.0, None],
            "forecast": [None, 1000.0, 1060.0],
        }
    )
    axis = _layout(charts.numbers_over_year_figure(frame))["yaxis"]
    # 950 is more than half of 1,060, so the axis is fitted: 950–1,060 padded by 11 = 939–1,071;
    # a fifth of 132 is 26.4, step 50: 900 to 1,100.
    assert axis["range"] == [900.0, 1100.0]
    assert axis["ticktext"] == ["900", "950", "1,000", "1,050", "1,100"]
    assert _layout(charts.numbers_over_year_figure(frame))["xaxis"]["tickangle"] == 0


def test_small_numbers_start_at_zero() -> None:
    frame = pd.DataFrame({"month": ["Apr", "May"], "actual": [3.0, 9.0], "forecast": [None, 9.0]})
    axis = _layout(charts.fan_figure(frame))["yaxis"]
    # 3 is not more than half of 9: from zero. A fifth of 9 is 1.8, step 2: 0 to 10.
    assert axis["range"] == [0.0, 10.0]


def test_team_charts_are_horizontal_bars_with_full_names_growing_with_the_teams() -> None:
    names = ["Children in Care Team North East Locality", "Assessment"]
    frame = pd.DataFrame({"team": names, "vacancy_rate": [20.0, 5.0], "agency_rate": [27.27, 0.0]})
    series = (("vacancy_rate", "Vacancy rate"), ("agency_rate", "Agency rate"))
    spec = charts.figure_json(
        charts.category_bars_figure(frame, category="team", series=series, y_title="Per cent", percent=True)
    )
    for trace in spec["data"]:
        assert trace["orientation"] == "h"
        assert trace["y"] == names  # the full names, as in the table
    layout = spec["layout"]
    assert layout["yaxis"]["ticktext"] == ["Children in Care Team<br>North East Locality", "Assessment"]
    assert layout["yaxis"].get("tickangle") is None
    assert layout["yaxis"]["autorange"] == "reversed"  # the table's first team at the top
    # Rates 0–27.27% from zero: a fifth is 5.45, step 10: 0 to 30, with % on the ticks.
    assert layout["xaxis"]["range"] == [0.0, 30.0]
    assert layout["xaxis"]["ticktext"] == ["0.0%", "10.0%", "20.0%", "30.0%"]  # one decimal place, as everywhere
    # 2 teams × 2 series: 26 × 4 + 18 × 2 + 130 = 270 px; 8 teams: 26 × 16 + 18 × 8 + 130 = 690 px.
    assert layout["height"] == 270
    eight = pd.concat([frame] * 4, ignore_index=True).assign(team=[f"Team {i}" for i in range(8)])
    tall = charts.category_bars_figure(eight, category="team", series=series, y_title="Per cent", percent=True)
    assert _layout(tall)["height"] == 690


def test_the_caseload_marker_sits_on_each_team_bar() -> None:
    frame = pd.DataFrame({"team_name": ["North", "South"], "average": [18.5, 22.0], "manageable": [18.0, 18.0]})
    spec = charts.figure_json(
        charts.category_bars_figure(
            frame,
            category="team_name",
            series=(("average", "Average caseload"),),
            y_title="Cases per FTE",
            marker_column="manageable",
            marker_name="Manageable caseload",
        )
    )
    marker = next(t for t in spec["data"] if t["name"] == "Manageable caseload")
    assert marker["x"] == [18.0, 18.0] and marker["y"] == ["North", "South"]
    assert spec["layout"]["xaxis"]["title"]["text"] == "Cases per FTE"


def test_a_bridge_of_small_steps_on_a_large_budget_is_fitted_and_says_so() -> None:
    frame = pd.DataFrame(
        {
            "step": ["Budget", "Volume", "Price", "Other", "Forecast outturn"],
            "amount": [127 * PENCE_M, 1 * PENCE_M, 50_000_000, -20_000_000, 128_300_000_00],
            "measure": ["absolute", "relative", "relative", "relative", "total"],
        }
    )
    layout = _layout(charts.bridge_figure(frame))
    axis = layout["yaxis"]
    assert layout["xaxis"]["ticktext"][-1] == "Forecast<br>outturn" and layout["xaxis"]["tickangle"] == 0
    # Totals £127m, £128m, £128.5m, £128.3m: padded by £0.15m, £126.85m–£128.65m; a fifth of
    # £1.8m is £0.36m, step £0.5m: £126.5m to £129m.
    assert axis["range"] == [126_500_000.0, 129 * M]
    assert axis["title"]["text"] == "Axis not from £0"


def test_legends_sit_above_the_plot() -> None:
    legend = charts.HOUSE.layout.legend
    assert (legend.orientation, legend.yanchor, legend.y) == ("h", "bottom", 1.02)


def test_a_bar_ending_on_a_tick_gets_a_step_of_room() -> None:
    frame = pd.DataFrame({"reason": ["Vacancy", "Maternity"], "fte": [2.0, 1.0]})
    spec = charts.figure_json(
        charts.category_bars_figure(frame, category="reason", series=(("fte", "Agency FTE"),), y_title="FTE")
    )
    # 0–2: a fifth is 0.4, step 0.5; 2 falls on a tick, so the axis runs to 2.5.
    assert spec["layout"]["xaxis"]["range"] == [0.0, 2.5]
    assert spec["layout"]["showlegend"] is False  # one series: its name is the axis title

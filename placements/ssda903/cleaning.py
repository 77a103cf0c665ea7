"""``clean_episodes``: SSDA903 episodes into finance placements, by the steps of docs/ssda903.md.

``STEPS`` is the order of the rules. A rule is one function that takes the ``CleaningState``
and returns it; adding a rule is writing that function and putting it in its place here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from placements.ssda903.disagreements import empty_disagreements
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
    return_numbers,
    sort_by_child_and_start,
)
from placements.ssda903.history_steps import (
    DEFAULT_STALE_OPEN,
    STALE_OPEN_COLUMNS,
    build_placements,
    close_stale_open_episodes,
    end_overlaps,
    keep_placement_during_temporary_moves,
    map_finance_types,
    merge_continuing_episodes,
    report_merged_episodes,
    stale_open_children,
)
from placements.ssda903.mapping import normalise_mapping
from placements.ssda903.reading import Ssda903Files
from placements.ssda903.returns import return_order
from placements.ssda903.state import CleaningState, Issues

Step = Callable[[CleaningState], CleaningState]

# Per-episode checks first, so that an episode that will be thrown away cannot shorten or merge
# with a good one; then the steps that look at a child's episodes together.
STEPS: tuple[Step, ...] = (
    keep_authority,  # 0
    read_codes_and_dates,
    drop_missing_child,  # 1
    drop_bad_start_dates,  # 2
    keep_latest_return,  # 3
    drop_bad_end_dates,  # 4
    check_child_header,  # 5
    ignore_short_breaks,  # 6
    check_codes,  # 7
    sort_by_child_and_start,
    close_stale_open_episodes,  # 8
    end_overlaps,  # 9
    keep_placement_during_temporary_moves,  # 10
    merge_continuing_episodes,  # 11
    map_finance_types,  # 12
    report_merged_episodes,  # 11, after 12 so an unmapped placement's episodes are only dropped
    build_placements,  # 13
)


@dataclass
class CleanResult:
    placements: pd.DataFrame
    issues: pd.DataFrame
    summary: dict[str, Any]
    # Rule 8's children for the officer (STALE_OPEN_COLUMNS), whatever ``stale_open`` was.
    stale_open: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STALE_OPEN_COLUMNS))
    # Rule 3's returns that disagree about an episode's end (``disagreements.DISAGREEMENT_COLUMNS``).
    disagreements: pd.DataFrame = field(default_factory=empty_disagreements)


def clean_episodes(
    files: Ssda903Files,
    *,
    mapping: pd.DataFrame,
    la: str | None = None,
    today: date | None = None,
    stale_open: str = DEFAULT_STALE_OPEN,
) -> CleanResult:
    """Turn SSDA903 episodes into finance placements (exclusive end dates), reporting every
    episode that is not used. The rules run in the order documented in docs/ssda903.md.
    ``stale_open`` is rule 8's choice (``history_steps.STALE_OPEN_RULES``)."""
    return finish_cleaning(prepare_cleaning(files, mapping=mapping, la=la, today=today), stale_open)


# Rule 8 is the first step whose result depends on its choice: the steps before it are run once
# for every choice (``prepare_cleaning``), the rest for each (``finish_cleaning``).
_FIRST_RULE_STEP = STEPS.index(close_stale_open_episodes)


def prepare_cleaning(
    files: Ssda903Files,
    *,
    mapping: pd.DataFrame,
    la: str | None = None,
    today: date | None = None,
    returns: pd.DataFrame | None = None,
    placements_only: bool = False,
) -> CleaningState:
    """The state after the steps before rule 8, which do not depend on its choice: give it to
    ``finish_cleaning`` once for each choice.

    ``placements_only`` words no issue and lists no disagreement (the same placements, for a
    cleaning whose placements alone are read): give the state to ``finish_placements``.

    ``returns`` (from ``returns_of``) cleans some children's episodes alone as they would be
    cleaned among all the episodes of their files: the episodes then carry their return's
    number ``_ret`` from ``returns_of`` too. Every step after the order of the returns works one
    child at a time, so each child's placements are those of the whole files."""
    state = CleaningState(
        episodes=files.episodes,
        header=files.header,
        uasc=files.uasc,
        mapping=normalise_mapping(mapping),
        today=pd.Timestamp(today or date.today()).normalize(),
        la=la,
        returns=pd.DataFrame() if returns is None else returns,
        returns_given=returns is not None,
        issues=Issues(wanted=not placements_only),
    )
    for step in STEPS[:_FIRST_RULE_STEP]:
        state = step(state)
    return state


def returns_of(
    episodes: pd.DataFrame,
    *,
    today: date,
    decom: pd.Series,
    dec: pd.Series,
    numbers: pd.Series | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """(each episode's return number ``_ret``, the order of the returns) as ``clean_episodes``
    finds them on these episodes (one authority's, with their DECOM and DEC parsed, in the same
    order): the returns are numbered before rule 1 and ordered after rule 2, on the episodes
    those two rules keep. ``numbers``, if given, are ``return_numbers(episodes)`` found another
    way (only CHILD, DECOM, ``_year_hint`` and ``_src`` are then read)."""
    ret = return_numbers(episodes) if numbers is None else numbers
    moment = pd.Timestamp(today).normalize()
    starts = decom.to_numpy()
    kept = ((episodes["CHILD"] != "") & (episodes["DECOM"] != "")).to_numpy() & ~pd.isna(starts)
    kept &= ~(decom > moment).to_numpy()
    work = pd.DataFrame(
        {
            "_ret": ret.to_numpy(),
            "_decom": starts,
            "_dec": dec.to_numpy(),
            "_year_hint": episodes["_year_hint"].to_numpy(),
            "_src": episodes["_src"].to_numpy(),
        }
    )
    return ret, return_order(work[kept], moment)


def finish_cleaning(prepared: CleaningState, stale_open: str = DEFAULT_STALE_OPEN) -> CleanResult:
    """Rule 8 (``stale_open``) and the steps after it, on a state from ``prepare_cleaning``
    (which is left as it was: its issues are copied, its frames never changed in place)."""
    if not prepared.issues.wanted:
        raise ValueError("the cleaning was prepared for placements only: use finish_placements")
    state = replace(prepared, issues=prepared.issues.copy())
    stale = stale_open_children(state)
    state = close_stale_open_episodes(state, stale_open)
    for step in STEPS[_FIRST_RULE_STEP + 1 :]:
        state = step(state)
    issues = state.issues.frame()
    return CleanResult(
        placements=state.placements,
        issues=issues,
        summary=summarise(state, issues),
        stale_open=stale,
        disagreements=state.disagreements,
    )


def finish_placements(prepared: CleaningState, stale_open: str = DEFAULT_STALE_OPEN) -> pd.DataFrame:
    """``finish_cleaning(prepared, stale_open).placements``: rule 8 and the steps after it,
    without wording their issues (quicker on a state prepared with ``placements_only``)."""
    state = replace(prepared, issues=Issues(wanted=False))  # the state given is left as it was
    state = close_stale_open_episodes(state, stale_open)
    for step in STEPS[_FIRST_RULE_STEP + 1 :]:
        state = step(state)
    return state.placements


def summarise(state: CleaningState, issues: pd.DataFrame) -> dict[str, Any]:
    """The accounting of docs/ssda903.md: every episode read is used, a duplicate, merged,
    dropped or ignored, so ``unaccounted`` is 0."""
    placements = state.placements
    # Counted on the columns' arrays: no copy of the issues' rows.
    episode = issues["record"].to_numpy() == "episode"
    actions, rules = issues["action"].to_numpy(), issues["rule"].to_numpy()

    def by_rule(action: str) -> dict[str, int]:
        counts = pd.Series(rules[episode & (actions == action)], dtype=object).value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    dropped = by_rule("dropped")
    ignored = by_rule("ignored")
    n_merged = int((episode & (actions == "merged")).sum())
    n_read, n_duplicates = state.episodes_read, state.duplicates_removed
    n_used, n_dropped, n_ignored = len(placements), sum(dropped.values()), sum(ignored.values())
    summary: dict[str, Any] = {
        "episodes_read": n_read,
        "episodes_other_authorities": state.episodes_other_authorities,
        "duplicates_removed": n_duplicates,
        "used": len(placements),
        "merged": n_merged,
        "dropped": sum(dropped.values()),
        "dropped_by_reason": dropped,
        "ignored": sum(ignored.values()),
        "ignored_by_reason": ignored,
        "corrected_by_reason": by_rule("corrected"),
        "header_issues": int((~episode).sum()),
        "placements_produced": len(placements),
        "children": int(placements["child_ref"].nunique()),
        "returns_disagree": len(state.disagreements),
        "notes": missing_tables(state),
        "first_collection_year": first_collection_year(state),
    }
    summary["unaccounted"] = n_read - (n_used + n_duplicates + n_merged + n_dropped + n_ignored)
    return summary


def missing_tables(state: CleaningState) -> list[str]:
    """What an empty table (no rows, or no file at all) means for the placements, in words."""
    notes = []
    if state.episodes_read == 0:
        notes.append("there are no episode rows (of this authority): there are no placements")
    if state.header.empty:
        notes.append("there are no header rows: no child has a date of birth, so no episode can be used")
    if state.uasc.empty:
        notes.append("there are no UASC rows: no placement is marked UASC")
    return notes


def first_collection_year(state: CleaningState) -> int | None:
    """The earliest collection year the returns cover (2017 for 2017/18), read from the dates each
    return holds; None when no return has a date. A model's history starts on 1 April of it."""
    returns = state.returns
    if returns.empty or "fy" not in returns.columns:
        return None
    years = returns["fy"][returns["fy"] >= 0]
    return int(years.min()) if len(years) else None

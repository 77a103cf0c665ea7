"""Past dates replayed on more than one core, for ``forecast_demand`` (an analyst's own process).

Each past date's cleaning and each origin's forecasts depend only on the raw returns and on that
date, so they can be worked out side by side: the work is cut into shares, this process takes
the last share itself and processes forked from it take the others (each starts with everything
already read and cleaned, so nothing big is pickled on the way in), and what comes back is the
same as working through the dates in turn, in the same order. A Celery worker's process may not
start processes of its own, so the product's monthly back-test keeps ``workers=1``: everything
then runs in the calling process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Share = TypeVar("Share")
Result = TypeVar("Result")

# What the forked processes run: set just before they start, read by each (a fork copies it).
_JOB: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def cores_available() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def shares(cost: npt.ArrayLike, workers: int) -> list[list[int]]:
    """The positions 0..n-1 cut into at most ``workers`` runs of neighbours with about the same
    total ``cost`` each (none empty), in order."""
    weights = np.asarray(cost, dtype=np.float64)
    n = min(max(workers, 1), len(weights))
    if n <= 1:
        return [list(range(len(weights)))]
    # Each position goes to the run its middle falls in, on the cumulative share of the cost.
    middle = (np.cumsum(weights) - weights / 2) / weights.sum() * n
    run = np.minimum(np.floor(middle).astype(np.int64), n - 1)
    return [p for p in (np.flatnonzero(run == r).tolist() for r in range(n)) if p]


def balanced(cost: Sequence[float], workers: int) -> list[list[int]]:
    """The positions 0..n-1 shared among at most ``workers`` so that the costliest share costs
    little more than the others: costliest first, each to the share with the least so far
    (each share's positions in order; none empty). For work whose items need no neighbours."""
    n = min(max(workers, 1), len(cost))
    if n <= 1:
        return [list(range(len(cost)))]
    loads, parts = [0.0] * n, [[] for _ in range(n)]  # type: list[float], list[list[int]]
    for position in sorted(range(len(cost)), key=lambda p: (-cost[p], p)):
        lightest = min(range(n), key=lambda k: (loads[k], k))
        loads[lightest] += cost[position]
        parts[lightest].append(position)
    return [sorted(part) for part in parts if part]


def side_by_side(
    function: Callable[[Share], Result], work: Sequence[Share], *, meanwhile: Callable[[], object] | None = None
) -> list[Result]:
    """``[function(share) for share in work]``, in that order: this process works out the last
    share while as many forked processes as there are other shares work those out (each takes
    the next share left when it is free). ``meanwhile`` is done by this process first, before
    its own share (the forked processes start without what it does). All in this process when
    there is one share, when forking is not available, or when this process may not have
    children of its own (a daemon, as a Celery worker's is)."""
    if len(work) <= 1 or not _can_fork():
        if meanwhile is not None:
            meanwhile()
        return [function(share) for share in work]
    global _JOB
    _JOB = (function, work)
    # Objects made so far are left out of the garbage collections of both sides: a collection
    # writes to every object it looks at, which would copy each page the fork shares.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(work) - 1, mp_context=context) as pool:
            others = [pool.submit(_run, index) for index in range(len(work) - 1)]
            if meanwhile is not None:
                meanwhile()
            last = function(work[-1])
            return [*(_result(future, function, share) for future, share in zip(others, work, strict=False)), last]
    finally:
        _JOB = None
        gc.unfreeze()


def _result(future: Future[Result], function: Callable[[Share], Result], share: Share) -> Result:
    """A forked process's result; a failure of ``function`` is raised here. A process that died
    (killed, out of memory) has its share worked out here instead: later, not lost."""
    try:
        return future.result()
    except BrokenProcessPool:
        return function(share)


def _can_fork() -> bool:
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not multiprocessing.current_process().daemon


def _run(index: int) -> Any:
    assert _JOB is not None, "a forked process starts with its job"
    function, work = _JOB
    return function(work[index])

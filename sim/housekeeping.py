"""Keeping Python's cyclic garbage collector out of the simulation's way.

A run allocates millions of short-lived objects (contacts, calls, records) beside tens of
thousands of long-lived ones (customers, CSRs). With the default thresholds the collector
runs every 700 allocations and its older generations re-walk the long-lived agents again
and again: about a tenth of a run's time (measured with ``benchmarks/bench.py model``).
Collection timing never changes results, only speed and the peak memory in between.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between young-generation collections while a model runs (default 700).
#: Cycles still get collected; the memory they hold in between is a few MB at most.
YOUNG_THRESHOLD = 50_000

_depth = 0


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Within the block, collect rarely and leave objects that existed before alone.

    Objects alive on entry are frozen (``gc.freeze``: moved out of the collector's sight)
    and the young-generation threshold is raised; both are restored on exit. Nested
    blocks are fine: only the outermost one changes and restores the settings.
    """
    global _depth
    if _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    thresholds = gc.get_threshold()
    _depth = 1
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        _depth = 0
        gc.set_threshold(*thresholds)
        gc.unfreeze()

"""Keeping Python's cyclic garbage collector out of the simulation's way.

A run allocates millions of short-lived objects (contacts, calls, records) beside tens of
thousands of long-lived ones (customers, CSRs). With the default thresholds the collector
runs every 700 allocations and its older generations re-walk the long-lived agents again
and again: about a tenth of a run's time (measured with ``benchmarks/bench.py model``).
Collection timing never changes results, only speed and the peak memory in between.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between young-generation collections while a model runs (default 700).
#: Cycles still get collected; the memory they hold in between is a few MB at most.
YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_active = 0  # blocks open, in any thread (Dask workers run models in threads)
_saved: tuple[int, int, int] | None = None


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Within the block, collect rarely and leave objects that existed before alone.

    Objects alive on entry are frozen (``gc.freeze``: moved out of the collector's sight)
    and the young-generation threshold is raised; both are restored when the last open
    block closes. Nested blocks, and blocks in several threads at once, are fine.
    """
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(YOUNG_THRESHOLD, _saved[1], _saved[2])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()

"""The compiled engine: every event of a run, over the tables of :mod:`sim.schema`.

The modules follow a contact's path: ``heap`` (the event heap and priority queues),
``draws`` (pre-drawn random numbers), ``queues`` (tiers, idle CSRs, head counts and
routing), ``conversation`` and ``call`` (one call, its opening and its moves),
``contact`` (arrival, answer, escalation, abandonment), ``aftermath`` (memory, account,
churn, repeat contact), ``observe`` (the only writer of records and counters) and
``loop`` (the dispatcher: :func:`sim.engine.loop.advance` and ``drain``).

Everything is compiled with Numba (:data:`compiled`, :data:`helper`) and runs unchanged
as plain Python with ``NUMBA_DISABLE_JIT=1``. Compiled code is cached in a per-user
cache directory (never inside the installed package), keyed by a hash of the engine's
sources, so an upgrade or an edit recompiles once.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba
from numba import njit

_HERE = Path(__file__).resolve().parent
#: Modules outside this package that hold compiled functions the engine calls.
_ALSO = (_HERE.parent / "memory.py",)


def _sources_digest() -> str:
    digest = hashlib.sha1()
    for path in sorted(_HERE.glob("*.py")) + list(_ALSO):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(numba.__version__.encode())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """Where compiled code is cached: ``$NUMBA_CACHE_DIR`` if the user set it, else
    ``$XDG_CACHE_HOME/ccsim/numba/<digest>`` (``~/.cache`` by default).

    The digest covers every engine source, because Numba checks only the file of the
    function it loads: a change to a function it calls in another file would otherwise
    leave a stale compiled caller in the cache.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ccsim" / "numba" / _sources_digest()


def _use_cache_dir() -> None:
    path = cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable home: Numba then compiles in memory every run
        return
    numba.config.CACHE_DIR = str(path)


_use_cache_dir()

#: How the engine's entry points are compiled. Without reference counting (``_nrt``):
#: every array belongs to the caller for the whole call, and passing the state (a tuple
#: of some thirty arrays) would otherwise cost an atomic increment and decrement per
#: array and call, measured as a third of the run time. Nothing here allocates.
compiled = njit(cache=True, _nrt=False)
#: Functions only called from compiled code need no Python entry point.
helper = njit(cache=True, _nrt=False, no_cpython_wrapper=True)
#: Small helpers on the path of every contact, inlined where they are called (Numba IR):
#: a call that passes the engine's state (a tuple of some thirty-five arrays, flattened
#: into a few hundred arguments) costs about 100 ns, more than most of these do.
inline = njit(cache=True, _nrt=False, no_cpython_wrapper=True, inline="always")

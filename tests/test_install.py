"""What an installation leaves where: compiled code goes to a per-user cache, never
into the package, and one process compiles it for all the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sim
from sim import engine

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(sim.__file__).resolve().parent


def test_compiled_code_is_cached_outside_the_package():
    """Numba's cache beside the sources would shadow an editable install made after a
    regular one in the same venv (a leftover ``sim/__pycache__`` in site-packages), and
    ``pip uninstall`` would leave it behind."""
    import numba

    from sim.model import compile_engine

    compile_engine()
    cache = Path(numba.config.CACHE_DIR).resolve()
    assert cache == engine.cache_dir().resolve()
    assert PACKAGE not in cache.parents
    assert list(cache.rglob("*.nbi")), "the engine's index files are in the user cache"
    assert not list(PACKAGE.rglob("*.nbi")) and not list(PACKAGE.rglob("*.nbc"))


def test_the_cache_key_changes_when_an_engine_source_changes(tmp_path, monkeypatch):
    """Numba checks only a function's own file; the cache folder is keyed by every
    engine source, so an edit to a callee cannot leave a stale compiled caller."""
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)  # CI sets its own
    before = engine.cache_dir()
    monkeypatch.setattr(engine, "_HERE", tmp_path)
    (tmp_path / "loop.py").write_text("# another engine\n")
    assert engine.cache_dir() != before


WORKER = """
import json, sys
sys.path.insert(0, {root!r})
from experiments.runner import Scenario, Task, run_task
from policies.policy import load_policy
from sim.engine.loop import advance
over = {{"scenario.customers": 500, "scenario.first_contacts_per_day": 50, "scenario.days": 1}}
run_task(Task(load_policy("negotiate"), Scenario(overrides=over), 1, 0))
print(json.dumps({{"hits": sum(advance.stats.cache_hits.values()),
                  "misses": sum(advance.stats.cache_misses.values())}}))
"""


def test_a_worker_loads_the_engine_the_parent_compiled(tmp_path):
    """After ``compile_engine`` (what the runner does before starting workers), a fresh
    process running a replication compiles nothing: it loads the engine from the cache."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-c", "from sim.model import compile_engine; compile_engine()"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    out = subprocess.run(
        [sys.executable, "-c", WORKER.format(root=str(ROOT))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    stats = json.loads(out.stdout)
    assert stats["hits"] >= 1 and stats["misses"] == 0

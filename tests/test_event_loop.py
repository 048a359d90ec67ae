"""The compiled event loop computes what its plain-Python source says.

``sim/event_loop.py`` is written to be read: run with ``NUMBA_DISABLE_JIT=1`` it is
ordinary Python. These tests run a small center both ways, in a fresh process for the
plain-Python run, and compare every per-contact record and the customers' accounts; and
they check the loop's bookkeeping that no summary shows: slots, queues and the heap.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policies.policy import load_policy
from sim import event_loop as ev
from sim.behaviour import BehaviourCenter
from sim.parameters import Parameters

ROOT = Path(__file__).resolve().parents[1]
# Small enough for plain Python (a few seconds), busy enough to queue, abandon (about 3%),
# escalate and repeat: 4 CSRs for 300 first contacts a day, one supervisor.
TINY = {
    "scenario.customers": 1500,
    "scenario.first_contacts_per_day": 300,
    "scenario.days": 3,
    "operations.csrs": 4,
    "operations.supervisors": 1,
}
RUN = """
import dataclasses, json, sys
sys.path.insert(0, {root!r})
from policies.policy import load_policy
from sim.behaviour import BehaviourCenter
from sim.parameters import Parameters
policy = dataclasses.replace(load_policy({policy!r}), **{levers!r})
m = BehaviourCenter(Parameters({over!r}), policy.floor(), seed=5, keep_contacts=True).run()
frame = m.contacts_frame()
print(json.dumps({{
    "contacts": frame.astype(str).values.tolist(),
    "balances": [c.balance for c in m.customers],
    "summary": {{k: v for k, v in m.summary().items() if isinstance(v, (int, float))}},
}}))
"""


def run(policy: str, levers: dict, plain: bool) -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1" if plain else "0"}
    code = RUN.format(root=str(ROOT), over=TINY, policy=policy, levers=levers)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("policy", "levers"),
    [
        # FCFS queues, callbacks offered; a priority queue (a heap); skill-based routing.
        ("mixed-floor", {"callback_wait_s": 120.0}),
        ("compete", {"routing": "anger"}),
        ("mixed-floor", {"routing": "match", "follow_up": True}),
    ],
)
def test_compiled_loop_equals_its_python_source(policy, levers):
    compiled = run(policy, levers, plain=False)
    plain = run(policy, levers, plain=True)
    assert len(compiled["contacts"]) > 500
    # The run exercises the paths that matter: abandonment, escalation, callbacks.
    assert compiled["summary"]["abandonment_rate"] > 0.005
    assert compiled["summary"]["escalation_rate"] > 0.01
    assert compiled["summary"]["callbacks"] > 0 or "callback_wait_s" not in levers
    assert compiled["contacts"] == plain["contacts"]
    # Accounts and summaries agree to the last bits the two compilers may round apart
    # (the same operations in the same order; LLVM may fuse or reorder a library call).
    np.testing.assert_allclose(compiled["balances"], plain["balances"], rtol=1e-12, atol=1e-12)
    for key, value in compiled["summary"].items():
        assert plain["summary"][key] == pytest.approx(value, rel=1e-12, nan_ok=True), key


def test_slots_are_reused_and_the_heap_stays_ordered():
    """Every slot is back on the free stack once its issue is closed, and the event
    heap pops in (time, order of scheduling) order."""
    model = BehaviourCenter(Parameters(TINY), load_policy("negotiate").floor(), seed=2)
    model.run()
    st = model._st
    pending_repeats = int((st.ev[: st.gi[ev.G_EVENTS], ev.EV_KIND] == ev.ARRIVE).sum())
    assert st.gi[ev.G_FREE] + pending_repeats == len(st.free)
    # A heap built by schedule() pops in sorted order.
    heap = np.zeros((50, 6))
    gi = np.zeros(ev.GI, dtype=np.int64)
    times = np.random.default_rng(1).integers(0, 10, 40).astype(float)
    for t in times:
        ev.schedule(heap, gi, t, ev.ARRIVE, 0, 0, 0.0)
    popped = []
    while gi[ev.G_EVENTS]:
        row = ev.pop_event(heap, gi)
        popped.append((heap[row, ev.EV_T], heap[row, ev.EV_SEQ]))
    assert popped == sorted(popped) and len(popped) == len(times)


class TightCenter(BehaviourCenter):
    """Starts with room for 3 contacts: the arrays grow many times, mid-queue."""

    initial_slots = 3


@pytest.mark.parametrize(
    "levers", [{"callback_wait_s": 120.0}, {"routing": "value"}, {"routing": "match"}]
)
def test_growing_the_arrays_changes_nothing(levers):
    """Growing slots, queues (a ring is unwrapped, a heap copied), the heap and the record
    buffers while contacts wait gives exactly the run that never had to grow."""
    policy = dataclasses.replace(load_policy("compete"), **levers).floor()
    runs = [
        cls(Parameters(TINY), policy, seed=9, keep_contacts=True).run()
        for cls in (BehaviourCenter, TightCenter)
    ]
    assert len(runs[1]._st.free) >= 32 * TightCenter.initial_slots  # five doublings or more
    frames = [m.contacts_frame() for m in runs]
    assert frames[0].equals(frames[1])
    assert _same(runs[0].summary(), runs[1].summary())


def _same(a: dict, b: dict) -> bool:
    """Equal, with NaN equal to NaN, nested dictionaries included."""
    if a.keys() != b.keys():
        return False
    for x, y in zip(a.values(), b.values(), strict=True):
        if isinstance(x, dict):
            if not _same(x, y):
                return False
        elif not (x == y or (x != x and y != y)):
            return False
    return True

"""The compiled engine computes what its plain-Python source says, keeps its books, and
never lets the clock run backwards.

``sim/engine/`` is written to be read: run with ``NUMBA_DISABLE_JIT=1`` it is ordinary
Python over the same tables. These tests run a small center both ways (the plain run in
a fresh process) and compare every per-contact record and the customers' accounts; and
they check what no summary shows: slots, queues, the heap, and causality.
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from policies.policy import load_policy
from sim.arrivals import constant_profile
from sim.engine.events import ARRIVE, SHIFT, put
from sim.engine.heap import pop_first, sift_up
from sim.model import ContactCenter, OperationsConfig, People, people_operations
from sim.parameters import Parameters
from sim.schema import EVENT
from sim.staffing import Staffing

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
from sim.model import ContactCenter, People, people_operations
from sim.parameters import Parameters
p = Parameters({over!r})
floor = dataclasses.replace(load_policy({policy!r}), **{levers!r}).floor()
m = ContactCenter(people_operations(p, floor), People(p, floor), seed=5, keep_contacts=True).run()
frame = m.contacts_frame()
print(json.dumps({{
    "contacts": frame.astype(str).values.tolist(),
    "balances": [c.balance for c in m.customers],
    "summary": {{k: v for k, v in m.summary().items() if isinstance(v, (int, float))}},
}}))
"""


def center(over: dict, policy: str = "negotiate", seed: int = 2, cls=ContactCenter, **options):
    p = Parameters({**TINY, **over})
    floor = load_policy(policy).floor() if isinstance(policy, str) else policy
    return cls(people_operations(p, floor), People(p, floor), seed=seed, **options)


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
def test_compiled_engine_equals_its_python_source(policy, levers):
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


def test_slots_are_reused_and_every_slot_is_accounted_for():
    """Every slot is back on the free stack once its issue is closed, but for the issues
    whose repeat contact is still to come."""
    model = center({}).run()
    st = model.state
    g = st.globals[0]
    pending_repeats = int((st.events[: g["events"]]["kind"] == ARRIVE).sum())
    assert g["free"] + pending_repeats == len(st.free)
    assert (st.tiers["waiting"] == 0).all()


def test_the_heap_pops_in_time_then_scheduling_order():
    heap, tmp = EVENT.allocate(50), EVENT.allocate(1)
    times = np.random.default_rng(1).integers(0, 10, 40).astype(float)
    for n, t in enumerate(times):
        heap[n]["key"], heap[n]["order"] = t, n
        _sift_up(heap, n, tmp)
    popped = []
    for n in range(len(times), 0, -1):
        _pop_first(heap, n, tmp)
        popped.append((heap[n - 1]["key"], heap[n - 1]["order"]))
    assert popped == sorted(popped) and len(popped) == len(times)


from numba import njit  # noqa: E402


@njit
def _sift_up(h, n, tmp):
    sift_up(h, n, tmp)


@njit
def _pop_first(h, n, tmp):
    pop_first(h, n, tmp)


class TightCenter(ContactCenter):
    """Starts with room for 3 contacts: the tables grow many times, mid-queue."""

    initial_slots = 3


@pytest.mark.parametrize(
    "levers", [{"callback_wait_s": 120.0}, {"routing": "value"}, {"routing": "match"}]
)
def test_growing_the_tables_changes_nothing(levers):
    """Growing slots, queues (ghosts of callers who hung up dropped, a heap re-sorted),
    the heap and the record buffers while contacts wait gives exactly the run that never
    had to grow."""
    policy = dataclasses.replace(load_policy("compete"), **levers).floor()
    runs = [
        center({}, policy, 9, cls, keep_contacts=True).run() for cls in (ContactCenter, TightCenter)
    ]
    assert len(runs[1].state.free) >= 32 * TightCenter.initial_slots  # five doublings or more
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


# --- causality --------------------------------------------------------------------------------
scenarios = hs.fixed_dictionaries(
    {
        "csrs": hs.integers(1, 6),
        "supervisors": hs.integers(0, 2),
        "contacts_per_day": hs.floats(100, 700),
        "patience_s": hs.floats(20, 900),
        "redial_min": hs.floats(0.5, 60),
        "routing": hs.sampled_from(["fifo", "value", "anger", "match"]),
        "callback_wait_s": hs.sampled_from([0.0, 30.0, 300.0]),
        "schedule": hs.one_of(hs.none(), hs.lists(hs.integers(0, 6), min_size=2, max_size=5)),
        "seed": hs.integers(0, 10_000),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_the_clock_never_runs_backwards(cfg):
    """Over random busy scenarios (understaffed, callbacks, supervisors, schedules, priority
    routing, quick redials), no event is ever scheduled before the clock: the engine counts
    any such event and the model stops with an error; the clock read after each day only
    moves forward; every concluded contact ends after it arrived."""
    over = {
        "scenario.customers": 2000,
        "scenario.days": 2,
        "scenario.first_contacts_per_day": cfg["contacts_per_day"],
        "operations.csrs": cfg["csrs"],
        "operations.supervisors": cfg["supervisors"],
        "customers.mean_patience_s": cfg["patience_s"],
        "issues.mean_redial_min": cfg["redial_min"],
    }
    p = Parameters({**TINY, **over})
    levers = {"routing": cfg["routing"], "callback_wait_s": cfg["callback_wait_s"]}
    floor = dataclasses.replace(load_policy("mixed-floor"), **levers).floor()
    staffing = None
    if cfg["schedule"] and max(cfg["schedule"]) > 0:
        counts = np.array(cfg["schedule"] * 2)
        staffing = Staffing(np.arange(len(counts)) * 86_400.0 / len(cfg["schedule"]), counts, "t")
    model = ContactCenter(
        people_operations(p, floor, staffing=staffing), People(p, floor), seed=cfg["seed"],
        keep_contacts=True,
    )  # fmt: skip
    clock = []
    while model.running:
        model.step()
        clock.append(model.now)
        assert model.state.globals[0]["late_events"] == 0
    assert clock == sorted(clock)
    rows = model.contacts_frame()
    answered = rows[rows["outcome"] == "answered"]
    assert (answered["end_s"] >= answered["arrival_s"]).all()
    assert (rows["wait_s"] >= 0).all()


def test_an_event_scheduled_in_the_past_stops_the_run():
    """Causality is enforced, not assumed: a late event is refused with an error."""
    model = center({})
    model.step()
    put(model.state, model.now - 10.0, SHIFT, 0, 2, 0.0)
    with pytest.raises(RuntimeError, match="before the clock"):
        model.step()


def test_a_hang_up_is_concluded_when_it_happens():
    """A caller who hangs up is withdrawn at their deadline, and their redial is
    scheduled from then: the defect of noticing hang-ups only when a CSR looked at the
    queue (and scheduling redials in the past) is gone."""
    model = center(
        {"operations.csrs": 1, "scenario.first_contacts_per_day": 500}, keep_contacts=True
    ).run()
    rows = model.contacts_frame()
    gone = rows[rows["outcome"] == "abandoned"]
    assert len(gone) > 20
    redials = rows[(rows["attempt"] > 1)].merge(
        gone[["issue_id", "arrival_s", "wait_s"]], on="issue_id", suffixes=("", "_hung_up")
    )
    hung_up_at = redials["arrival_s_hung_up"] + redials["wait_s_hung_up"]
    later = redials[redials["arrival_s"] > redials["arrival_s_hung_up"]]
    assert len(later) > 5
    assert (later["arrival_s"] >= hung_up_at[later.index] - 1e-6).all()


def test_queue_only_center_runs_without_people():
    config = OperationsConfig(constant_profile(200, 4), Staffing.fixed(3), aht_s=60, patience_s=120)
    summary = ContactCenter(config, seed=1).run().summary()
    assert summary["offered"] == summary["answered"] + summary["abandoned"]
    assert "retention_rate" not in summary

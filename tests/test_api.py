"""ccsim from Python, the Mesa way (``from experiments import build_model``)."""

from __future__ import annotations

import inspect
import json
import math

import mesa
import numpy as np
import pytest
from typer.testing import CliRunner

from experiments import ContactCenterModel, build_model
from experiments.cli import app
from sim.agents import CSR, Customer

SMALL = {
    "scenario.customers": 4000,
    "scenario.first_contacts_per_day": 400.0,
    "operations.csrs": 5,
    "operations.supervisors": 1,
}


def test_a_model_steps_a_day_at_a_time_and_stops_at_the_horizon():
    model = build_model("negotiate", days=3, seed=2, params=SMALL)
    assert isinstance(model, mesa.Model) and model.running
    clock = []
    while model.running:
        model.step()
        clock.append(model.now)
    # The last step drains the center: calls still going at the horizon end after it.
    assert clock[:2] == [86_400.0, 172_800.0] and 259_200.0 <= clock[2] < 259_200.0 + 3600
    assert model.steps == 3 and model.day == 3


def test_agents_are_live_views_of_the_engines_rows():
    """Customers and CSRs are Mesa agents; what they report is current after every step,
    with nothing copied back."""
    model = build_model("mixed-floor", days=2, seed=4, params=SMALL)
    customers, csrs = model.agents_by_type[Customer], model.agents_by_type[CSR]
    assert len(customers) == 4000 and len(csrs) == 6
    model.step()
    contacts = sum(c.contacts for c in customers)
    assert contacts == int(model.state.counters["contacts"].sum()) > 100
    assert sum(c.contacts_handled for c in csrs) == int(model.state.csrs["handled"].sum()) > 0
    first = list(customers)[0]
    first.balance = -1.0  # an agent writes its row, which the engine reads
    assert model.state.customers["balance"][first.index] == -1.0
    assert {c.strategy for c in csrs if c.tier == 0} <= {
        "compromise",
        "accommodate",
        "negotiate",
        "compete",
        "avoid",
    }


def test_a_datacollector_with_model_and_agent_reporters_works():
    model = build_model(
        "negotiate",
        days=2,
        seed=1,
        params=SMALL,
        agenttype_reporters={Customer: {"balance": "balance"}, CSR: {"stress": "stress"}},
    )
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["day"]) == [0, 1, 2]
    assert frame["contacts"].is_monotonic_increasing
    balances = model.datacollector.get_agenttype_vars_dataframe(Customer)
    assert len(balances) == 3 * 4000
    assert model.datacollector.get_agenttype_vars_dataframe(CSR)["stress"].notna().all()


def test_outcomes_equal_ccsim_run_json_with_the_same_seed():
    sets = [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]
    out = CliRunner().invoke(
        app, ["run", "--policy", "compete", "--days", "2", "--seed", "7", "--json", *sets]
    )
    assert out.exit_code == 0, out.output
    cli = json.loads(out.output)
    model = build_model("compete", days=2, seed=7, params=SMALL)
    while model.running:
        model.step()
    api = json.loads(json.dumps(model.outcomes(), default=float).replace("NaN", "null"))
    assert api.keys() == cli.keys()
    for key, value in cli.items():
        if isinstance(value, float):
            assert api[key] == pytest.approx(value, rel=1e-12) or (
                value is None and api[key] is None
            ), key
        else:
            assert api[key] == value, key


def test_the_model_is_rebuilt_from_plain_keywords_by_mesa_batch_run():
    """``mesa.batch_run`` constructs the model from keyword arguments, dotted parameter
    names included, and reads its datacollector."""
    parameters = {
        "policy": ["avoid", "negotiate"],
        "days": 2,
        "operations.csrs": [4, 8],
        **{k: v for k, v in SMALL.items() if k != "operations.csrs"},
    }
    # Mesa 3.5 seeds runs with ``rng``; Mesa 3.3 passes what the parameters give.
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        seeding = {"rng": [3]}
    else:
        seeding = {"iterations": 1}
        parameters["seed"] = 3
    results = mesa.batch_run(
        ContactCenterModel,
        parameters=parameters,
        number_processes=1,
        display_progress=False,
        **seeding,
    )
    runs = {(r["policy"], r["operations.csrs"]) for r in results}
    assert runs == {("avoid", 4), ("avoid", 8), ("negotiate", 4), ("negotiate", 8)}
    assert all(r["contacts"] > 0 for r in results)


def test_a_wrong_keyword_is_refused_in_one_line():
    from sim.errors import InputError

    with pytest.raises(InputError, match="unexpected argument 'dayz'"):
        ContactCenterModel("negotiate", dayz=3)


def test_advance_to_watches_a_day_unfold():
    model = build_model("negotiate", days=1, seed=1, params=SMALL)
    waiting = []
    for hour in range(1, 24):
        model.advance_to(hour * 3600.0)
        assert model.now == hour * 3600.0
        waiting.append(int(model.state.tiers["waiting"].sum()))
    model.step()
    assert not model.running and len(waiting) == 23
    assert math.isfinite(model.outcomes()["retention_rate"])
    assert np.isfinite(model.outcomes()["aht_s"])

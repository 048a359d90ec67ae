"""The behaviour layer as a whole: accounts, churn, repeats, common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from experiments.runner import Scenario, Task, build_model, run_task
from policies.policy import load_policy
from sim.engine.aftermath import rate_rose
from sim.engine.events import CANDIDATE
from sim.model import ContactCenter, People, people_operations
from sim.parameters import Parameters

SMALL = {
    "scenario.days": 3,
    "scenario.customers": 5000,
    "scenario.first_contacts_per_day": 600.0,
    "operations.csrs": 10,
    "operations.supervisors": 1,
}


def center(params: Parameters, floor, seed: int, **options) -> ContactCenter:
    return ContactCenter(
        people_operations(params, floor), People(params, floor), seed=seed, **options
    )


def small_model(
    policy: str = "negotiate", seed: int = 3, keep_contacts: bool = True, **over
) -> ContactCenter:
    params = Parameters({**SMALL, **over})
    return center(params, load_policy(policy).floor(), seed, keep_contacts=keep_contacts)


def test_overdraft_is_churn_and_churned_customers_stop_calling():
    """Customers whose account goes below zero leave, and never call again."""
    model = small_model(
        "avoid", **{"customers.balance_base": 0.3, "customers.balance_per_tenure_year": 0.0}
    ).run()
    churned = [c for c in model.customers if c.churned and c.churn_cause == 1]
    assert churned, "poor accounts and avoidance must overdraw some customers"
    assert all(c.balance < 0 for c in churned)
    assert all(c.balance >= 0 for c in model.customers if not c.churned)
    # The others who left did so for reasons of their own, when their time came.
    others = [c for c in model.customers if c.churned and c.churn_cause == 2]
    assert all(c.churned_s == c.leaves_s for c in others)
    contacts = model.contacts_frame()
    when = {c.unique_id: c.churned_s for c in churned}
    later = contacts[contacts["customer"].map(when).lt(contacts["arrival_s"])]
    assert later.empty, "a churned customer called again"


def test_unresolved_issues_come_back_as_repeat_contacts_with_more_anger():
    """An issue left unresolved returns later, and the repeat opens angrier."""
    contacts = small_model("avoid").run().contacts_frame()
    repeats = contacts[contacts["attempt"] > 1]
    assert len(repeats) > 50
    first = contacts[contacts["attempt"] == 1].set_index("issue_id")
    again = repeats[repeats["attempt"] == 2].set_index("issue_id")
    common = again.index.intersection(first.index)
    assert (first.loc[common, "resolved"] == False).all()  # noqa: E712 - pandas booleans
    assert again.loc[common, "arrival_s"].gt(first.loc[common, "arrival_s"]).all()
    assert again.loc[common, "start_anger"].mean() > first.loc[common, "start_anger"].mean()


def test_resolved_issues_do_not_come_back():
    contacts = small_model("negotiate").run().contacts_frame()
    resolved_issues = set(contacts.loc[contacts["resolved"], "issue_id"])
    after = contacts[contacts["issue_id"].isin(resolved_issues)].groupby("issue_id")["resolved"]
    # The resolving contact is the last one about its issue.
    last_resolved = (
        contacts[contacts["issue_id"].isin(resolved_issues)]
        .sort_values("arrival_s")
        .groupby("issue_id")
        .tail(1)
    )
    assert last_resolved["resolved"].all()
    assert after.size().max() >= 1


def test_a_contact_changes_the_account_by_its_remembered_experience():
    """Balance after minus balance before is positive for good contacts, negative for bad."""
    contacts = small_model("negotiate").run().contacts_frame()
    change = contacts["balance_after"] - contacts["balance_before"]
    good = contacts["resolved"] & (contacts["final_anger"] < 0.2) & (contacts["wait_s"] < 10)
    bad = ~contacts["resolved"] & (contacts["peak_anger"] > 0.7)
    assert change[good].mean() > 0
    assert change[bad].mean() < 0


def test_same_seed_same_result_and_different_seeds_differ():
    a = run_task(Task(load_policy("compromise"), Scenario(overrides=SMALL), 11, 0))["row"]
    b = run_task(Task(load_policy("compromise"), Scenario(overrides=SMALL), 11, 0))["row"]
    c = run_task(Task(load_policy("compromise"), Scenario(overrides=SMALL), 12, 0))["row"]
    assert a == b
    assert a["retention_rate"] != c["retention_rate"] or a["contacts"] != c["contacts"]


def test_every_policy_faces_the_same_customers_and_candidate_contacts():
    """Common random numbers: the base and the day's candidate contacts do not depend on the policy."""
    m1 = small_model("avoid")
    m2 = small_model("negotiate")
    assert [(c.temperament, c.persona, c.balance) for c in m1.customers] == [
        (c.temperament, c.persona, c.balance) for c in m2.customers
    ]
    for _ in range(2):  # into the second day, after the policies have made a difference
        m1.step()
        m2.step()
    # The day's candidates (times, customers, thinning draws, issues) are the same; which
    # of them become contacts depends on who is still a customer, i.e. on the policy.
    np.testing.assert_array_equal(m1.state.day, m2.state.day)


ALL_CHRONIC = {
    f"persona.{p}.share": 0.0 for p in ("regular", "angry", "arguer", "talker", "rude", "demanding")
}
ALL_CHRONIC["persona.chronic_complainer.share"] = 1.0


def test_conceding_to_invalid_claims_raises_a_chronic_complainers_future_complaint_rate():
    """After a CSR concedes to their invalid claim, a chronic complainer raises more issues.

    Every customer is a chronic complainer and every CSR accommodates. The same seed is run
    with and without the training effect (common random numbers: same customers, same
    candidate contacts); only the trained customers' later issues can differ.
    """
    over = {"scenario.days": 12, **ALL_CHRONIC}
    trained = small_model("accommodate", **over).run()
    untrained = small_model(
        "accommodate", **over, **{"customers.invalid_concession_training": 0.0}
    ).run()
    got = {c.unique_id for c in trained.customers if c.propensity > c.start_propensity}
    assert len(got) > 200
    issues = trained.contacts_frame().query("attempt == 1").groupby("customer").size()
    issues0 = untrained.contacts_frame().query("attempt == 1").groupby("customer").size()
    both = issues.reindex(sorted(got), fill_value=0), issues0.reindex(sorted(got), fill_value=0)
    # About a third more issues after training for part of the horizon: at least 8% more.
    assert both[0].sum() > 1.08 * both[1].sum()
    assert all(c.propensity == c.start_propensity for c in untrained.customers)


def test_behaviour_records_hold_the_documented_fields():
    contacts = small_model("negotiate").run().contacts_frame()
    for column in (
        "customer",
        "temperament",
        "persona",
        "csr",
        "strategy",
        "arrival_s",
        "wait_s",
        "moves",
        "peak_anger",
        "final_anger",
        "outcome",
        "escalated",
        "resolved",
        "concession",
        "balance_before",
        "balance_after",
    ):
        assert column in contacts.columns
    answered = contacts[contacts["outcome"] == "answered"]
    assert (answered["strategy"] == "negotiate").all()
    assert answered["moves"].str.len().gt(0).all()
    assert np.all(contacts["peak_anger"] >= contacts["final_anger"] - 1e-12)


@pytest.mark.parametrize("policy", ["adaptive", "mixed-floor"])
def test_adaptive_and_mixed_floors_run(policy):
    row = run_task(Task(load_policy(policy), Scenario(overrides=SMALL), 5, 0))["row"]
    assert 0 < row["retention_rate"] <= 1
    assert row["answered"] > 0


def test_build_model_uses_the_scenario_head_count():
    model = build_model(Task(load_policy("avoid"), Scenario(overrides=SMALL, csrs=7), 1, 0))
    assert model.config.staffing.max_csrs == 7


def _callbacks(over: dict, seeds: range) -> list[dict]:
    from dataclasses import replace

    base = load_policy("negotiate")
    out = []
    for floor in (base.floor(), replace(base, callback_wait_s=60.0).floor()):
        rows = [center(Parameters(over), floor, seed).run().summary() for seed in seeds]
        out.append({k: sum(r[k] for r in rows) for k in ("service_churned_customers", "callbacks")}
                   | {"abandonment_rate": max(r["abandonment_rate"] for r in rows)})  # fmt: skip
    return out


def test_callbacks_end_abandonment_and_ease_the_peaks_of_a_planned_roster():
    """On a roster planned for the forecast, queues build at the peaks and on busy days.
    With callbacks offered when the expected wait passes a minute, callers stop hanging
    up, and since a callback is felt as only part of a wait, fewer customers are lost."""
    over = {"scenario.customers": 25000, "scenario.first_contacts_per_day": 250.0}
    plain, offered = _callbacks({**over, "scenario.days": 30}, range(8, 10))
    assert plain["abandonment_rate"] > 0.04
    assert offered["callbacks"] > 1000
    assert offered["abandonment_rate"] < 0.01
    assert offered["service_churned_customers"] < 0.5 * plain["service_churned_customers"]


def test_callbacks_cannot_cure_a_sustained_overload():
    """Four CSRs for 600 first contacts a day: nobody hangs up any more with callbacks,
    but the wait only moves into a backlog that grows all day, and more customers are
    lost than when the queue sheds callers who hang up."""
    over = {**SMALL, "operations.csrs": 4, "scenario.days": 4}
    plain, offered = _callbacks(over, range(8, 10))
    assert plain["abandonment_rate"] > 0.1
    assert offered["abandonment_rate"] < 0.01
    assert offered["service_churned_customers"] > plain["service_churned_customers"]


@njit
def _rate_rose(st, c, old, new):
    rate_rose(st, c, old, new)


def test_a_rate_that_rises_during_the_day_enables_that_days_later_candidates():
    """Candidates are thinned when the day is loaded, at the rates of that moment; when a
    customer's rate rises (a concession to an invalid claim), their candidates still to
    come that pass at the new rate are scheduled, as thinning at call time would give."""
    model = small_model(keep_contacts=True)
    model.advance_to(3600.0)  # the first hour of the first day
    st = model.state
    day = st.day
    rates = st.customers["propensity"][day["who"]]
    failing = np.flatnonzero((day["threshold"] >= rates) & (day["time_s"] > 3600.0))
    assert len(failing) > 0
    k = int(failing[0])
    cust = model.customers[int(day["who"][k])]
    assert k not in st.passing, "a failing candidate must not be in the day's stream"
    old, cap = cust.propensity, model.params["customers.issue_propensity_cap"]
    cust.propensity = cap
    _rate_rose(st, cust.index, old, cap)
    pending = st.events[: st.globals[0]["events"]]
    enabled = pending[(pending["kind"] == CANDIDATE) & (pending["b"] == k)]
    assert len(enabled) == 1 and enabled[0]["key"] == day["time_s"][k]
    # The day runs on: the enabled candidate becomes a first contact of that customer then.
    model.step()
    contacts = model.contacts_frame()
    first = contacts[(contacts.customer == cust.unique_id) & (contacts.attempt == 1)]
    assert day["time_s"][k] in set(first.arrival_s)

"""The model is not rigged: rankings come from moves meeting customers, not from names.

Change what the moves or the customers are, and the gaps between strategies shrink or
reorder the way the mechanism predicts. And no code in ``sim/`` mentions a strategy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from experiments.options import make_tasks
from experiments.runner import Scenario, execute, replications_frame
from policies.policy import load_policy
from policies.strategies import BUILT_IN_RULES, CONFLICT, OPENING, TASK

#: The default world at a tenth of its size (customers and volume), on its planned roster.
BASE = {
    "scenario.days": 60,
    "scenario.customers": 25000,
    "scenario.first_contacts_per_day": 250.0,
}


def compare(policies: list[str], **over) -> dict:
    tasks = make_tasks(
        [load_policy(p) for p in policies], Scenario(overrides={**BASE, **over}), 1, 99
    )
    frame = replications_frame(execute(tasks, jobs=2))
    return frame.set_index("policy").to_dict(orient="index")


@pytest.fixture(scope="module")
def default_run() -> dict:
    return compare(["negotiate", "avoid", "compete", "accommodate"])


def test_every_strategy_does_the_same_job_and_differs_only_in_conflict():
    """Equal footing: every preset opens the same way and ends with the same task moves
    and budget (solve, explain, manage a talker's time, close); what differs is the
    conflict block between them (docs/domain.md section 5)."""
    for name, rules in BUILT_IN_RULES.items():
        assert rules[: len(OPENING)] == OPENING, name
        assert rules[-len(TASK) :] == TASK, name
        assert rules[len(OPENING) : -len(TASK)] == CONFLICT[name], name
    conflict_moves = {r.move for block in CONFLICT.values() for r in block}
    assert not conflict_moves & {"solve", "explain_steps"}, "no style gets more of the job"


def test_rich_accounts_close_the_retention_gap(default_run):
    """If nobody's account can be overdrawn, strategy cannot change retention: what is
    left is the attrition that has nothing to do with service, the same for all."""
    rich = compare(["negotiate", "avoid"], **{"customers.balance_base": 500.0})
    default_gap = (
        default_run["negotiate"]["retention_rate"] - default_run["avoid"]["retention_rate"]
    )
    assert default_gap > 0.005  # half a point of the base in 60 days
    assert rich["negotiate"]["annualized_service_churn"] == 0.0
    assert rich["avoid"]["annualized_service_churn"] == 0.0
    assert rich["negotiate"]["retention_rate"] == rich["avoid"]["retention_rate"] < 1.0


def test_free_remedies_remove_accommodates_concession_cost(default_run):
    """With nothing asked for, conceding costs nothing: accommodate's price disappears."""
    free = compare(["accommodate", "negotiate"], **{"issues.remedy_per_severity": 0.0})
    assert (
        default_run["accommodate"]["concession_cost"]
        > 2 * default_run["negotiate"]["concession_cost"]
    )
    assert free["accommodate"]["concession_cost"] == free["negotiate"]["concession_cost"] == 0.0


def test_if_policy_talk_soothed_compete_would_stop_escalating_most(default_run):
    """Make 'it's company policy' and arguing calming instead of inflaming: compete's
    escalation falls below negotiate's, which venting (a move that first raises anger)
    keeps up, and compete keeps more customers. The ranking follows the moves, not the
    names."""
    assert default_run["compete"]["escalation_rate"] > default_run["negotiate"]["escalation_rate"]
    assert default_run["compete"]["retention_rate"] < default_run["negotiate"]["retention_rate"]
    soothing = {
        "moves.insist_policy.provoke": 0.0,
        "moves.insist_policy.soothe": 0.2,
        "moves.argue_facts.provoke": 0.0,
        "moves.argue_facts.soothe": 0.2,
        "moves.let_vent.provoke": 0.3,
    }
    flipped = compare(["compete", "negotiate"], **soothing)
    assert flipped["compete"]["escalation_rate"] < flipped["negotiate"]["escalation_rate"]
    assert flipped["compete"]["retention_rate"] > flipped["negotiate"]["retention_rate"]


def test_without_conflict_strategies_differ_in_talk_far_more_than_in_retention(default_run):
    """Only questions, asked calmly: the styles still differ in how long they talk, but
    hardly in who stays; the retention gaps of the default world come from conflict."""
    trivial = compare(
        ["negotiate", "avoid", "compete", "accommodate"],
        **{"issues.failure_share": 0.0, "issues.venting_share": 0.0, "issues.mean_severity": 0.05},
    )

    def spread(run: dict, key: str) -> float:
        values = [row[key] for row in run.values()]
        return (max(values) - min(values)) / max(values)

    # Handle time varies by about a fifth across styles; retention by well under 0.1%.
    assert spread(trivial, "aht_s") > 0.1
    assert spread(trivial, "retention_rate") < 0.01 * spread(trivial, "aht_s")
    churn = [row["annualized_service_churn"] for row in trivial.values()]
    default_churn = [row["annualized_service_churn"] for row in default_run.values()]
    assert max(churn) - min(churn) < 0.2 * (max(default_churn) - min(default_churn))


def test_every_preset_resolves_something_and_avoid_answers_plain_questions(default_run):
    """Avoidance sidesteps conflict, not the job: a plain question gets its answer."""
    assert all(row["fcr_rate"] > 0.2 for row in default_run.values())
    questions = compare(["avoid"], **{"issues.failure_share": 0.0, "issues.venting_share": 0.0})
    assert questions["avoid"]["fcr_rate"] > 0.6


def test_no_code_in_sim_names_a_strategy():
    """sim/ defines moves and mechanisms; strategy names live only in policies/."""
    names = [*BUILT_IN_RULES, "adaptive"]
    pattern = re.compile(r"""['"](""" + "|".join(names) + r""")['"]""")
    folder = Path(__file__).resolve().parents[1] / "sim"
    offenders = [
        f"{path.name}:{n}"
        for path in folder.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []

"""The seven stylized facts of MODEL.md section 8, measured on the default scenario.

Every fact is a claim about what emerges from moves meeting customers; nothing in the
model is written to produce it. Each comparison uses the paired differences of
replications that share their seeds (common random numbers): replication i of every
strategy faces the same customers, issues and arrival times. A fact holds when the 95%
t-interval of the paired difference (2 degrees of freedom, t = 4.30) lies entirely on the
claimed side of zero: with CRN the run-to-run noise of a difference is small, so an
interval that excludes zero with only 3 replications is a strong result, not a lucky one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.statistics import mean_ci
from tests.conftest import FAR_TOO_SHORT, FIXED, SHORT

pytestmark = pytest.mark.slow


def paired(reps: pd.DataFrame, metric: str, a: str, b: str) -> tuple[float, float, float]:
    """Mean and 95% CI of metric(a) - metric(b), replication by replication."""
    x = reps[reps["policy"] == a].set_index("replication")[metric]
    y = reps[reps["policy"] == b].set_index("replication")[metric]
    return mean_ci((x - y).to_numpy())


def greater(reps: pd.DataFrame, metric: str, a: str, b: str) -> bool:
    """True when metric(a) > metric(b) with the whole 95% CI of the difference above 0."""
    _, low, _ = paired(reps, metric, a, b)
    return low > 0


def by_level(breakdown: pd.DataFrame, group: str, level: str, metric: str) -> pd.DataFrame:
    rows = breakdown[
        (breakdown["group"] == group)
        & (breakdown["level"] == level)
        & (breakdown["metric"] == metric)
    ]
    return rows.rename(columns={"value": metric})[["policy", "replication", metric]]


def test_fact1_negotiate_retains_most_and_escalates_least(fixed_strategies):
    reps = fixed_strategies["reps"]
    for other in FIXED:
        if other == "negotiate":
            continue
        assert greater(reps, "retention_rate", "negotiate", other), other
        assert greater(reps, "escalation_rate", other, "negotiate"), other


def test_fact1_avoid_retains_least(fixed_strategies):
    reps = fixed_strategies["reps"]
    for other in FIXED:
        if other != "avoid":
            assert greater(reps, "retention_rate", other, "avoid"), other


def test_fact2_accommodate_concedes_most_per_contact(fixed_strategies):
    reps = fixed_strategies["reps"]
    for other in FIXED:
        if other != "accommodate":
            assert greater(reps, "concession_per_contact", "accommodate", other), other


@pytest.mark.parametrize(("group", "level"), [("temperament", "choleric"), ("persona", "arguer")])
def test_fact3_compete_escalates_cholerics_and_arguers_most(fixed_strategies, group, level):
    rows = by_level(fixed_strategies["breakdown"], group, level, "escalation_rate")
    for other in FIXED:
        if other != "compete":
            assert greater(rows, "escalation_rate", "compete", other), other


def test_fact4_avoid_has_the_shortest_first_contacts_but_the_most_repeats(fixed_strategies):
    reps = fixed_strategies["reps"]
    for other in FIXED:
        if other == "avoid":
            continue
        assert greater(reps, "aht_first_contact_s", other, "avoid"), other
        assert greater(reps, "repeat_contacts_per_issue", "avoid", other), other


def test_fact5_negotiate_is_slowest_and_stops_paying_when_understaffed(
    fixed_strategies, understaffed
):
    reps = fixed_strategies["reps"]
    for other in FIXED:
        if other != "negotiate":
            assert greater(reps, "aht_s", "negotiate", other), other
    edges = {}
    for csrs, at in understaffed.groupby("csrs"):
        edges[csrs] = paired(at, "net_value", "negotiate", "avoid")
    # The edge over the fastest strategy shrinks as waits and abandonment grow...
    assert edges[0][0] > edges[SHORT][0] > edges[FAR_TOO_SHORT][0]
    assert edges[0][1] > 0
    # ...and with far too few CSRs it is gone: negotiating no longer pays.
    assert edges[FAR_TOO_SHORT][2] < 0, edges[FAR_TOO_SHORT]
    short = understaffed[understaffed["csrs"] == FAR_TOO_SHORT]
    waits = short.groupby("policy")["abandonment_rate"].mean()
    assert waits["negotiate"] > waits["avoid"]


def test_fact6_cholerics_and_sanguines_make_most_repeat_complaints(fixed_strategies):
    rows = fixed_strategies["breakdown"]
    repeats = rows[(rows["group"] == "temperament") & (rows["metric"] == "repeat_contacts")]
    for policy, at in repeats.groupby("policy"):
        per_rep = at.pivot(index="replication", columns="level", values="value")
        share = (per_rep["choleric"] + per_rep["sanguine"]) / per_rep.sum(axis=1)
        mean, low, _ = mean_ci(share.to_numpy())
        # Half the base is choleric or sanguine (temperament shares 0.2 + 0.3): "most"
        # means clearly more than half of the repeat contacts.
        assert low > 0.5, (policy, mean)


def test_fact7_melancholics_churn_with_fewer_escalations_than_cholerics(fixed_strategies):
    rows = fixed_strategies["breakdown"]
    for policy in FIXED:
        at = rows[(rows["group"] == "temperament") & (rows["policy"] == policy)]
        value = at.pivot_table(index="level", columns="metric", values="value", aggfunc="sum")
        escalations_per_churn = value["escalations"] / value["churned_customers"].clip(lower=1)
        assert escalations_per_churn["melancholic"] < 0.5 * escalations_per_churn["choleric"], (
            policy
        )
        churn = 1 - value["retention_rate"] / len(at["replication"].unique())
        # They do churn, silently: more often than the calm phlegmatics, whose problems
        # weigh less (grudge) and who are as quiet.
        assert churn["melancholic"] > churn["phlegmatic"], policy
        assert np.isfinite(escalations_per_churn["melancholic"])

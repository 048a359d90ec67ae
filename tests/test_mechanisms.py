"""Mechanisms of the behaviour layer, one behaviour each (MODEL.md sections 4 and 5).

Calls are played in the conversation lab (``sim.lab``) with the default parameters:
strategies here are ad-hoc rule lists, so what is tested is how moves land, not what a
named strategy does. Each comparison uses a few hundred calls; the differences asserted
are many standard errors wide (the per-call spread of anger is about 0.1-0.2, so with
n = 300 the standard error of a mean is about 0.01).
"""

from __future__ import annotations

import numpy as np
import pytest

from policies.strategies import Rule, RuleStrategy
from sim.lab import Caller, play_calls
from sim.memory import account_change, experience, remembered_anger
from sim.parameters import Parameters

N = 300


def strategy(*rules) -> RuleStrategy:
    return RuleStrategy(
        "test",
        [
            r if isinstance(r, Rule) else Rule(*r) if isinstance(r, tuple) else Rule(r)
            for r in rules
        ],
    )


VENT_THEN_ACKNOWLEDGE = strategy(
    "listen", ("let_vent", "vent>0.3", 3), "empathy", "apology", ("solve", "fix>0.3", 3), "close"
)
SOLVE_FIRST = strategy(("solve", "fix>0.3", 3), "close")


def test_venting_and_acknowledging_lowers_anger_after_a_peak():
    """An angry choleric customer who vents gets angrier first, then calms below the start."""
    calls = play_calls(VENT_THEN_ACKNOWLEDGE, Caller("choleric", "angry", anger=0.6), n=N)
    peak_move = calls["trace"].apply(lambda tr: int(np.argmax(tr)))
    assert (peak_move > 0).mean() > 0.8, "the peak comes while venting, not at the opening"
    assert calls["peak_anger"].mean() > calls["start_anger"].mean() + 0.03
    assert calls["final_anger"].mean() < calls["start_anger"].mean() - 0.1
    assert calls["final_anger"].mean() < calls["peak_anger"].mean() - 0.2


def test_solving_before_venting_raises_anger():
    """Moving to solutions before the customer has vented makes them angrier (DOMAIN.md 6)."""
    early = play_calls(SOLVE_FIRST, Caller("choleric", "angry", anger=0.6), n=N)
    late = play_calls(VENT_THEN_ACKNOWLEDGE, Caller("choleric", "angry", anger=0.6), n=N)
    assert early["final_anger"].mean() > early["start_anger"].mean() + 0.1
    assert early["final_anger"].mean() > late["final_anger"].mean() + 0.2


@pytest.fixture(scope="module")
def insisting_rise() -> dict[tuple[str, str], float]:
    """Mean anger added by one 'it's company policy', by temperament and persona."""
    insist = strategy("insist_policy", "close")
    out = {}
    for temperament in ("choleric", "sanguine", "phlegmatic", "melancholic"):
        for persona in ("regular", "arguer", "angry", "talker", "demanding"):
            calls = play_calls(insist, Caller(temperament, persona, anger=0.3), n=150)
            out[temperament, persona] = float((calls["peak_anger"] - calls["start_anger"]).mean())
    return out


def test_insisting_on_policy_inflames_arguers_most(insisting_rise):
    """For every temperament, arguers are inflamed more than any other persona."""
    for temperament in ("choleric", "sanguine", "phlegmatic", "melancholic"):
        arguer = insisting_rise[temperament, "arguer"]
        others = [v for (t, p), v in insisting_rise.items() if t == temperament and p != "arguer"]
        assert arguer > max(others) + 0.02


def test_insisting_on_policy_inflames_cholerics_most(insisting_rise):
    """For every persona, cholerics are inflamed more than any other temperament."""
    for persona in ("regular", "arguer", "angry", "talker", "demanding"):
        choleric = insisting_rise["choleric", persona]
        others = [v for (t, p), v in insisting_rise.items() if p == persona and t != "choleric"]
        assert choleric > max(others) + 0.01


def test_a_talkers_call_is_long_unless_time_is_managed():
    """The same moves take longer with a talker, and 'others are waiting' shortens them."""
    moves = ("listen", ("solve", "fix>0.3", 3), "explain_steps", "close")
    plain = strategy(*moves)
    managed = strategy("manage_time", *moves)
    talker = play_calls(plain, Caller("phlegmatic", "talker", anger=0.2), n=N)
    regular = play_calls(plain, Caller("phlegmatic", "regular", anger=0.2), n=N)
    talker_managed = play_calls(managed, Caller("phlegmatic", "talker", anger=0.2), n=N)
    assert talker["talk_s"].mean() > 1.5 * regular["talk_s"].mean()
    assert talker_managed["talk_s"].mean() < 0.8 * talker["talk_s"].mean()


def test_conceding_marks_invalid_claims_and_only_those():
    """A concession on an invalid claim is flagged (it trains the customer; see the model test)."""
    concede = strategy("concede", "close")
    invalid = play_calls(
        concede, Caller("phlegmatic", "chronic_complainer", anger=0.3, valid=False), n=50
    )
    valid = play_calls(
        concede, Caller("phlegmatic", "chronic_complainer", anger=0.3, valid=True), n=50
    )
    assert invalid["conceded_invalid"].all() and invalid["conceded"].gt(0).all()
    assert not valid["conceded_invalid"].any()


def test_concessions_are_capped_by_authority():
    """Empowerment: a CSR never grants more than its concession authority on one call."""
    concede = strategy("concede", "concede", "close")
    calls = play_calls(concede, Caller(asked=100.0), n=50, authority=20.0)
    assert calls["conceded"].max() <= 20.0 + 1e-9
    assert calls["conceded"].min() == pytest.approx(20.0)


def test_an_insincere_apology_harms():
    """With empathy below the insincerity threshold an apology raises anger instead."""
    apology = strategy("apology", "close")
    sincere = play_calls(apology, Caller(anger=0.5), n=N, skills=(0.9, 0.6, 0.6, 0.6))
    insincere = play_calls(apology, Caller(anger=0.5), n=N, skills=(0.1, 0.6, 0.6, 0.6))
    assert sincere["final_anger"].mean() < 0.5 - 0.02
    assert insincere["final_anger"].mean() > 0.5 + 0.02


MP = Parameters()


def test_peak_end_same_mean_anger_better_ending_better_memory():
    """Two calls with the same mean anger: the one that ends well is remembered better."""
    ends_badly = [0.3, 0.4, 0.5, 0.8]
    ends_well = [0.8, 0.5, 0.4, 0.3]
    assert np.mean(ends_badly) == pytest.approx(np.mean(ends_well))
    worse = remembered_anger(max(ends_badly), ends_badly[-1], MP["memory.peak_weight"])
    better = remembered_anger(max(ends_well), ends_well[-1], MP["memory.peak_weight"])
    assert better < worse
    common = dict(
        resolved=True,
        remedy_share=None,
        courtesy=0.8,
        wait_s=30.0,
        escalated=False,
        prior_failures=0,
    )
    assert experience(MP, peak=0.8, end=0.3, **common) > experience(MP, peak=0.8, end=0.8, **common)


def test_losses_weigh_more_than_gains():
    """Loss aversion: an unpleasant contact withdraws more than an equally pleasant one deposits."""
    assert account_change(1.0, MP["customers.loss_aversion"], 1.0) == pytest.approx(1.0)
    assert account_change(-1.0, MP["customers.loss_aversion"], 1.0) == pytest.approx(
        -MP["customers.loss_aversion"]
    )
    assert MP["customers.loss_aversion"] == pytest.approx(2.25)
    # Grudge (melancholics) amplifies withdrawals further.
    assert account_change(-1.0, MP["customers.loss_aversion"], 1.6) < account_change(
        -1.0, MP["customers.loss_aversion"], 1.0
    )


def test_service_recovery_erodes_with_earlier_failures():
    """A good recovery after a first failure is worth more than after a second (Maxham and Netemeyer)."""
    good = dict(
        peak=0.3,
        end=0.1,
        resolved=True,
        remedy_share=1.0,
        courtesy=1.0,
        wait_s=0.0,
        escalated=False,
    )
    first = experience(MP, prior_failures=0, **good)
    second = experience(MP, prior_failures=1, **good)
    assert first > 0  # a recovered complaint can be a deposit: the paradox
    assert second < first

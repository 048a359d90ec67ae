"""The compiled conversation loop reads a strategy as rule tables, and nothing else.

A CSR with perfect perception (skill 1.0) reads the customer without error, so which rule
fires is known in advance; these tests check the rule semantics (first applicable rule,
``at_most``, conditions, the adaptive choice) and that the compiled loop computes exactly
what its plain-Python source computes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from policies.strategies import AdaptiveStrategy, Rule, RuleStrategy, parse_condition
from sim.errors import InputError
from sim.lab import Caller, play_calls
from sim.rule_program import ABOVE, RuleProgram, TableRule, Term

# Perfect perception (the reading is the truth: conditions are deterministic) and perfect
# self-control (the CSR never takes the bait).
SHARP = (0.7, 0.7, 1.0, 1.0)


def moves_of(strategy, caller: Caller | None = None, n: int = 20) -> set[str]:
    # Without a second tier to escalate to: these tests are about which rule fires, and
    # a customer who demands a supervisor would end the call early.
    calls = play_calls(strategy, caller or Caller(), n=n, skills=SHARP, can_escalate=False)
    return set(calls["moves"])


def test_rules_fire_in_order_up_to_at_most_then_close():
    strategy = RuleStrategy(
        "t", [Rule("listen"), Rule("explain_steps", at_most=2), Rule("deflect", at_most=3)]
    )
    assert moves_of(strategy) == {
        "listen explain_steps explain_steps deflect deflect deflect close"
    }


def test_a_condition_on_perceived_anger_decides_the_move():
    strategy = RuleStrategy("t", [Rule("empathy", "anger>0.5"), Rule("close")])
    assert moves_of(strategy, Caller(anger=0.8)) == {"empathy close"}
    assert moves_of(strategy, Caller(anger=0.2)) == {"close"}


def test_flags_read_the_claims_validity_and_the_persona():
    strategy = RuleStrategy(
        "t", [Rule("argue_facts", "invalid"), Rule("manage_time", "talker"), Rule("close")]
    )
    # With perfect perception the CSR always recognises validity and persona.
    assert moves_of(strategy, Caller(valid=False, anger=0.0)) == {"argue_facts close"}
    assert moves_of(strategy, Caller(persona="talker", anger=0.0)) == {"manage_time close"}
    assert moves_of(strategy, Caller(anger=0.0)) == {"close"}


def test_adaptive_picks_a_rule_table_from_the_first_reading():
    calm = RuleStrategy("calm", [Rule("explain_steps"), Rule("close")])
    heated = RuleStrategy("heated", [Rule("listen"), Rule("let_vent"), Rule("close")])
    adaptive = AdaptiveStrategy("a", [("anger>0.5", heated)], default=calm)
    assert moves_of(adaptive, Caller(anger=0.9)) == {"listen let_vent close"}
    assert moves_of(adaptive, Caller(anger=0.1)) == {"explain_steps close"}


def test_conditions_are_parsed_into_terms_never_run_as_code():
    assert parse_condition("anger>0.6 & valid")[0] == Term(ABOVE, 0, 0.6)
    with pytest.raises(InputError, match="unknown condition"):
        parse_condition("__import__('os')")


def test_a_program_cannot_choose_a_table_it_does_not_have():
    with pytest.raises(ValueError, match="names table 3"):
        RuleProgram.build([[TableRule(0, 1)]], [(3, ())])


LAB = """
import sys
sys.path.insert(0, {root!r})
from policies.strategies import Rule, RuleStrategy
from sim.lab import Caller, play_calls
negotiate = RuleStrategy("n", [Rule("listen"), Rule("let_vent", "vent>0.3", 3),
    Rule("empathy", "anger>0.25"), Rule("solve", "fix>0.3", 4),
    Rule("concede", "remedy>0.4 & valid"), Rule("close")])
calls = play_calls(negotiate, Caller(*{caller!r}), n=100, seed=3)
print(calls.to_json(orient="split", double_precision=15))
"""


@pytest.mark.parametrize(
    "caller",
    [("choleric", "angry", 0.6), ("melancholic", "talker", 0.2, "help_seeking")],
    ids=["angry-choleric", "calm-talker"],
)
def test_the_compiled_call_computes_what_its_python_source_computes(caller):
    """Same draws, same arithmetic: Numba's build and the plain function agree."""
    root = str(Path(__file__).resolve().parents[1])
    frames = []
    for plain in ("0", "1"):
        out = subprocess.run(
            [sys.executable, "-c", LAB.format(root=root, caller=caller)],
            env={**os.environ, "NUMBA_DISABLE_JIT": plain},
            capture_output=True,
            text=True,
            check=True,
        )
        frames.append(pd.read_json(__import__("io").StringIO(out.stdout), orient="split"))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=False, rtol=1e-12)

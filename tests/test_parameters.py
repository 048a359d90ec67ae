"""The parameter file: every default valid, every parameter used, none hidden in code."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import pytest

from policies.policy import load_policy
from sim.engine_params import DERIVED, FROM_PARAMETERS, PARAMS
from sim.lab import play_calls
from sim.model import ContactCenter, People, people_operations
from sim.parameters import Parameters, specs

ROOT = Path(__file__).resolve().parents[1]


def test_every_default_is_valid_under_its_own_declaration():
    """A default its own bounds refuse (moves.solve.fix was 1.2 with a maximum of 1) makes
    ``--set key=<the default>`` fail."""
    for key, spec in specs().items():
        assert spec.check(spec.default) == spec.default, key
        assert spec.check(str(spec.default).lower()) == spec.default, key


def test_every_parameter_is_read_by_a_run(monkeypatch):
    """A parameter nothing reads (operations.mean_patience_s was one) accepts any --set
    in silence. A short run with people, supervisors and every lever reads all of them."""
    read: set[str] = set()
    original = Parameters.__getitem__

    def spy(self, key):
        read.add(key)
        return original(self, key)

    monkeypatch.setattr(Parameters, "__getitem__", spy)
    floor = load_policy("mixed-floor").floor()
    for staffing in ("planned", "fixed"):  # a planned roster, or operations.csrs
        p = Parameters(
            {
                "scenario.days": 1,
                "scenario.customers": 2000,
                "operations.supervisors": 2,
                "operations.staffing": staffing,
            }
        )
        ContactCenter(people_operations(p, floor), People(p, floor), seed=1).run().summary()
    play_calls(floor.strategies[0][0], n=1, params=p)
    unread = sorted(set(specs()) - read)
    assert not unread, f"declared but never read: {unread}"


ENGINE = sorted((ROOT / "sim" / "engine").glob("*.py")) + [ROOT / "sim" / "memory.py"]


@pytest.mark.parametrize("field", PARAMS.names)
def test_every_engine_parameter_is_read_by_the_engine(field):
    """The engine's parameter record holds nothing the compiled code does not read."""
    # The engine's code, and the set-up that fills its tables (initial values).
    text = "".join(path.read_text() for path in [*ENGINE, ROOT / "sim" / "state.py"])
    assert re.search(rf'\[\s*"{field}"\s*\]', text), field
    assert field in FROM_PARAMETERS or field in DERIVED


#: Numbers in the engine that are not behaviour: unit conversions (60 s a minute,
#: 86,400 s a day, "per tenth of anger"), halves of a variance or a half-life, array
#: bookkeeping (table margins, the draws a call reserves, a hash length) and flags.
ALLOWED_LITERALS = {"0", "1", "2", "3", "4", "5", "8", "16", "0.0", "1.0", "0.5", "2.0", "10.0",
                    "60.0", "86_400.0"}  # fmt: skip


def test_no_behaviour_coefficient_is_hidden_in_the_engine():
    """Every number that shapes behaviour lives in defaults.toml with its meaning, unit
    and source; the engine's code holds only units and bookkeeping."""
    found = set()
    for path in ENGINE:
        with path.open("rb") as handle:
            for token in tokenize.tokenize(handle.readline):
                if token.type == tokenize.NUMBER and token.string not in ALLOWED_LITERALS:
                    found.add((path.name, token.start[0], token.string))
    assert not found, found

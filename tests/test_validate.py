"""``ccsim validate``: the default center against the figures real centers report.

The default mixed floor is the calibration anchor: its replication means must land
inside every published range (operations, resolution, churn, contacts per customer).
Tolerance: none beyond the ranges themselves. Over four seeds the replications' spread
was about 0.01 for occupancy and abandonment, 0.03 for service level and first-contact
resolution and 0.005 for yearly churn, while the defaults sit at least two of those
spreads from the nearest edge; a mean of three replications has a spread sqrt(3) times
smaller still, so a failure here means the calibration moved, not bad luck.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from experiments.cli import app
from experiments.validation import load_anchors, recovery_gains
from sim.parameters import Parameters

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def anchors(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("validate") / "run"
    result = CliRunner().invoke(
        app, ["validate", "--reps", "3", "--seed", "11", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["policy"] == "mixed-floor"
    assert (out / "validation.csv").is_file() and (out / "charts" / "validation.png").is_file()
    return {row["anchor"]: row for row in report["anchors"]}


RANGES = [a["id"] for a in load_anchors() if a["check"] == "range"]


@pytest.mark.parametrize("anchor", RANGES)
def test_the_default_mixed_floor_lands_inside_every_published_range(anchors, anchor):
    row = anchors[anchor]
    assert row["low"] <= row["mean"] <= row["high"], row


def test_the_queue_agrees_with_the_erlang_textbook_cases(anchors):
    assert anchors["erlang_c_textbook"]["holds"], anchors["erlang_c_textbook"]["model"]
    assert anchors["erlang_a_textbook"]["holds"], anchors["erlang_a_textbook"]["model"]


def test_loyalty_rises_with_how_well_a_complaint_ends(anchors):
    """TARP's order for those who complained: not resolved < resolved < resolved at once.
    (Whether staying silent is worse than an unresolved complaint is reported, not
    asserted: in the model a failed complaint adds anger to the loss.)"""
    row = anchors["tarp_loyalty"]
    silent, unresolved, later, first = (float(x) for x in row["model"].split(","))
    assert unresolved < later < first
    assert anchors["return_after_complaint"]["holds"]


def test_the_recovery_paradox_holds_after_one_failure_not_after_two():
    once, twice = recovery_gains(Parameters())
    assert once > 0 > twice
    # Without erosion of later recoveries, the paradox would hold after two failures too.
    no_erosion = recovery_gains(Parameters({"memory.recovery_erosion": 1.0}))
    assert no_erosion[1] > 0


def test_every_anchor_is_data_with_its_source():
    for anchor in load_anchors():
        assert anchor["source"] and anchor["published"] and anchor["what"], anchor["id"]
        assert anchor["check"] in ("range", "order", "erlang", "recovery", "between")


def test_a_bad_policy_for_validate_is_one_line():
    result = CliRunner().invoke(app, ["validate", "nosuch"])
    assert result.exit_code == 2
    assert "nosuch" in result.output and "Traceback" not in result.output

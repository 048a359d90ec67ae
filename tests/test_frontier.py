"""``ccsim frontier``: the sign change of a paired contrast, found within its stated
uncertainty.

A synthetic contrast with a known root goes through the same table, crossing and chart
code as the model's runs (a replications table is all they read); the model itself is
checked on a small center where negotiation, with its longer calls, loses at a head count
far too short and wins once the queue is served.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli import app
from experiments.contrast import Contrast, parse_contrast
from experiments.frontier import crossings, crossings_along, describe, frontier_table
from sim.errors import InputError

runner = CliRunner()
ROOT = 17.3
PAIR = Contrast("a", "b")


def synthetic(
    seed: int,
    *,
    slope: float = 0.5,
    sd: float = 1.0,
    reps: int = 5,
    xs=tuple(range(10, 31, 2)),
    ys=(None,),
) -> pd.DataFrame:
    """A replications table where policy a minus policy b is ``slope (x - root(y)) +
    N(0, sd)``, the root being ``ROOT`` (or ``ROOT + y`` over a second parameter); both
    policies share a large common noise per replication, as common random numbers do."""
    rng = np.random.default_rng(seed)
    rows = []
    grid = [(x, y) for y in ys for x in xs]
    for point, (x, y) in enumerate(grid):
        root = ROOT + (y or 0)
        params = {"param:x": x, **({"param:y": y} if y is not None else {})}
        for r in range(reps):
            shared = rng.normal(100, 20)
            diff = slope * (x - root) + rng.normal(0, sd)
            common = {"point": point, "replication": r, **params}
            rows.append({**common, "policy": "a", "net_value": shared + diff})
            rows.append({**common, "policy": "b", "net_value": shared})
    return pd.DataFrame(rows)


def test_a_known_crossing_is_found_within_its_stated_interval():
    table = frontier_table(synthetic(0), PAIR, "net_value")
    found = crossings(table)
    assert len(found) == 1
    row = found.iloc[0]
    assert row["low"] <= ROOT <= row["high"]
    # Grid step 2, noise sd 1 on a slope 0.5 with 5 pairs: the estimate is within about
    # one grid step, and the interval is a few steps wide, not the whole range.
    assert row["crossing"] == pytest.approx(ROOT, abs=2.0)
    assert row["high"] - row["low"] < 8
    assert row["above"] == "+" and not row["open_low"] and not row["open_high"]
    assert "changes sign at x = " in describe(table, found)


def test_the_stated_interval_covers_the_root_at_least_95_percent_of_the_time():
    # Inverting pointwise 95% t tests gives at least 95% coverage of the root; joining
    # the CI's ends linearly between grid points makes it conservative (measured: 99.5%
    # over these 200 seeds). 0.95 is six binomial standard deviations below that.
    covered = 0
    for seed in range(200):
        found = crossings(frontier_table(synthetic(seed), PAIR, "net_value"))
        covered += bool(((found["low"] <= ROOT) & (found["high"] >= ROOT)).any())
    assert covered / 200 >= 0.95


def test_no_crossing_is_reported_when_the_sign_never_changes():
    table = frontier_table(synthetic(1, slope=0.5, xs=(20, 22, 24, 26)), PAIR, "net_value")
    assert crossings(table).empty
    assert "does not change sign" in describe(table, crossings(table))


def test_a_crossing_at_the_edge_of_the_range_is_open():
    found = crossings_along(
        np.array([1.0, 2.0, 3.0]),
        np.array([-0.5, 1.0, 2.0]),
        np.array([-2.0, 0.5, 1.5]),
        np.array([1.0, 1.5, 2.5]),
    )
    assert len(found) == 1 and found[0]["open_low"] and not found[0]["open_high"]
    assert found[0]["low"] == 1.0 and 1.0 < found[0]["crossing"] < 2.0


def test_over_two_parameters_the_boundary_follows_the_known_root():
    ys = (0.0, 2.0, 4.0)
    table = frontier_table(synthetic(2, ys=ys, sd=0.5), PAIR, "net_value")
    found = crossings(table).set_index("param:y")
    assert sorted(found.index) == list(ys)
    for y in ys:
        assert found.loc[y, "low"] <= ROOT + y <= found.loc[y, "high"]


def test_the_charts_draw_one_and_two_parameter_frontiers():
    import matplotlib.pyplot as plt

    from experiments.study_plots import plot_frontier

    for frame in (synthetic(3), synthetic(3, ys=(0.0, 2.0, 4.0))):
        table = frontier_table(frame, PAIR, "net_value")
        ax = plot_frontier(table, crossings(table))
        assert "changes sign" in ax.get_title()
        plt.close(ax.figure)


def test_a_contrast_splits_at_the_hyphen_that_names_two_policies():
    contrast, names = parse_contrast("mixed-floor-avoid")
    assert (contrast.first, contrast.second) == ("mixed-floor", "avoid")
    assert names == ["mixed-floor", "avoid"]
    with pytest.raises(InputError):
        parse_contrast("negotiate")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("frontier")
    result = runner.invoke(
        app,
        [
            "frontier",
            "--contrast",
            "negotiate-avoid",
            "--metric",
            "net_value",
            "--param",
            "operations.csrs=2,4,6",
            "--reps",
            "3",
            "--days",
            "30",
            "--set",
            "scenario.customers=50000",
            "--set",
            "scenario.first_contacts_per_day=500",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_the_model_has_a_staffing_level_from_which_negotiation_pays(real):
    # 500 first contacts a day need about 4 CSRs: with 2, negotiation's longer calls make
    # the queue overflow and callers hang up and leave; with 4 and 6 it keeps more
    # customers than avoiding does. The crossing lies between 2 and 4, in an interval
    # that holds it.
    _, data = real
    points = pd.DataFrame(data["points"]).set_index("param:operations.csrs")
    assert points.loc[2, "mean"] < 0 < points.loc[4, "mean"]
    assert points.loc[6, "ci_low"] > 0  # paying at 6 CSRs beyond noise
    (crossing,) = data["crossings"]
    assert 2 < crossing["crossing"] < 4 and crossing["above"] == "+"
    assert crossing["low"] <= crossing["crossing"] <= crossing["high"]


def test_the_frontier_folder_has_its_table_chart_and_report(real):
    out, data = real
    assert (out / "charts" / "frontier.png").is_file()
    table = pd.read_csv(out / "frontier.csv")
    assert len(table) == 3 and (table["n"] == 3).all()
    from experiments.report import build_report

    page = build_report(out).read_text()
    assert html.escape(data["finding"]) in page
    assert "the shaded stretch is where the CI holds zero" in page


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "--param"),
        (
            ["--param", "operations.csrs=2:4:2", "--param", "a=1:2:2", "--param", "b=1:2:2"],
            "1 or 2",
        ),
        (["--param", "operations.csrs=2"], "at least 2"),
        (["--param", "operations.csrs=2:4:2", "--contrast", "negotiate"], "contrast"),
        (["--param", "operations.csrs=2:4:2", "--metric", "profit"], "--metric"),
    ],
)
def test_bad_input_is_one_line(args, fragment):
    result = runner.invoke(app, ["frontier", *args, "--quiet"])
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text and "Traceback" not in text, text
    assert fragment in text, text

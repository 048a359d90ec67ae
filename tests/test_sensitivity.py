"""``ccsim sensitivity``: SALib's estimators wired to the model, checked where the answer
is known.

Two kinds of known answers. An analytic test function (Ishigami) has exact Sobol'
indices, and it goes through the same sampling, scaling and analysis as the model (only
the evaluation step differs: :func:`experiments.sensitivity.sensitivity_indices` takes any
function of the points). And a small scenario is built so that the ranking is known by
construction: a wage cannot move retention (it only enters the labour cost), while the
background churn rate is what retention is made of.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli import app
from experiments.sensitivity import (
    Design,
    Factor,
    ModelEvaluation,
    group_factors,
    parse_factor,
    sensitivity_indices,
)
from sim.errors import InputError

runner = CliRunner()

#: Ishigami's function (a = 7, b = 0.1) on [-pi, pi]^3 and its analytic indices
#: (Ishigami and Homma 1990; Saltelli et al. 2008, Global Sensitivity Analysis, 4.6).
A, B = 7.0, 0.1
_V1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
_V2 = A**2 / 8
_V13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
_V = _V1 + _V2 + _V13
ISHIGAMI_S1 = {"x1": _V1 / _V, "x2": _V2 / _V, "x3": 0.0}
ISHIGAMI_ST = {"x1": (_V1 + _V13) / _V, "x2": _V2 / _V, "x3": _V13 / _V}


def ishigami(points: list[dict[str, float]]) -> np.ndarray:
    """The evaluation step, swapped: the test function instead of the model's runs."""
    x = np.array([[p["x1"], p["x2"], p["x3"]] for p in points])
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_reproduces_the_analytic_ishigami_indices():
    factors = tuple(Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3))
    table = sensitivity_indices(Design("sobol", factors, 4096, seed=3), ishigami).set_index(
        "parameter"
    )
    for name in ("x1", "x2", "x3"):
        for column, truth in (("S1", ISHIGAMI_S1[name]), ("ST", ISHIGAMI_ST[name])):
            estimate, half = table.loc[name, column], table.loc[name, f"{column}_ci"]
            # The stated 95% CI holds the analytic value (seed fixed, so this is exact
            # arithmetic, not a flaky draw), and the CI is tight enough to mean something:
            # at 4096 base samples Saltelli's estimators are within a few hundredths.
            assert abs(estimate - truth) <= half, (name, column, estimate, truth, half)
            assert half < 0.05, (name, column, half)
    assert list(table.index) == ["x1", "x2", "x3"]  # ranked by total index


def test_the_same_seed_reproduces_the_design_and_another_does_not():
    factors = (Factor("x1", 0, 1), Factor("x2", 0, 1))
    one = Design("morris", factors, 5, seed=4).points()
    assert one == Design("morris", factors, 5, seed=4).points()
    assert one != Design("morris", factors, 5, seed=5).points()


def test_points_are_typed_parameter_values_within_their_ranges():
    factors = (
        parse_factor("operations.supervisors=1:5"),
        parse_factor("customers.loss_aversion=1:3"),
    )
    points = Design("morris", factors, 6, seed=1).points()
    assert len(points) == 6 * 3
    assert all(isinstance(p["operations.supervisors"], int) for p in points)
    assert all(1 <= p["operations.supervisors"] <= 5 for p in points)
    assert all(1.0 <= p["customers.loss_aversion"] <= 3.0 for p in points)


def test_a_group_stays_within_the_valid_ranges():
    factors = group_factors("customers.", 0.5)
    assert factors
    for f in factors:
        spec = f.spec
        assert f.low < f.high
        assert spec.min is None or f.low >= spec.min
        assert spec.max is None or f.high <= spec.max
        assert spec.unit not in ("0/1", "choice")
    churn = next(f for f in factors if f.name == "customers.background_churn_per_year")
    assert churn.low == pytest.approx(0.0275) and churn.high == pytest.approx(0.0825)


def test_a_bare_key_varies_over_its_default_plus_or_minus_the_spread():
    factor = parse_factor("customers.loss_aversion", 0.5)
    assert (factor.low, factor.high) == pytest.approx((2.25 * 0.5, 2.25 * 1.5))
    with pytest.raises(InputError, match="no range"):
        parse_factor("moves.listen.provoke")  # default 0 and no upper bound: no scale


@pytest.mark.parametrize(
    "text", ["customers.loss_aversion=3:1", "customers.loss_aversion=0.5:2", "nope=1:2", "x"]
)
def test_bad_ranges_are_refused(text):
    with pytest.raises(InputError):
        parse_factor(text)


def test_the_evaluation_refuses_runs_of_other_points():
    reps = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "policy": ["p"] * 4,
            "replication": [0, 1, 0, 1],
            "param:x1": [0.0, 0.0, 1.0, 1.0],
            "retention_rate": [0.9, 0.9, 0.8, 0.8],
        }
    )
    evaluation = ModelEvaluation(reps, "retention_rate")
    assert evaluation([{"x1": 0.0}, {"x1": 1.0}]).tolist() == [0.9, 0.8]
    with pytest.raises(InputError, match="point 1"):
        evaluation([{"x1": 0.0}, {"x1": 0.5}])


#: A small world where retention is built on background churn: 2000 customers, 20 first
#: contacts a day for 10 days (about one customer in ten calls, and few of those leave).
TINY = [
    "--days",
    "10",
    "--set",
    "scenario.customers=2000",
    "--set",
    "scenario.first_contacts_per_day=20",
    "--set",
    "operations.csrs=3",
]
CHURN, WAGE, LOSS = (
    "customers.background_churn_per_year",
    "scenario.csr_wage_per_hour",
    "customers.loss_aversion",
)


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens")
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "--param",
            f"{CHURN}=0:1",
            "--param",
            f"{WAGE}=10:40",
            "--param",
            f"{LOSS}=1:3",
            "--trajectories",
            "4",
            "--reps",
            "2",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--json",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads(result.output)


def test_morris_ranks_what_retention_is_built_on_first(screen):
    _, data = screen
    table = pd.DataFrame(data["indices"]).set_index("parameter")
    assert table.index[0] == CHURN
    # Background churn is exponential at the yearly rate, from a stream of its own: over
    # 10 days the whole range (0 to 1 a year) takes about 1 - exp(-10/365) = 2.7% of
    # the customers. The elementary effect is that change; binomial noise on about 50
    # customers lost, averaged over 4 trajectories x 2 replications, is about 6% of it,
    # so 25% is four of those.
    expected = 1 - math.exp(-10 / 365)
    assert table.loc[CHURN, "mu_star"] == pytest.approx(expected, rel=0.25)
    assert table.loc[CHURN, "mu_star"] - table.loc[CHURN, "mu_star_ci"] > 0


def test_a_wage_gets_an_index_indistinguishable_from_zero(screen):
    _, data = screen
    wage = pd.DataFrame(data["indices"]).set_index("parameter").loc[WAGE]
    # The CI holds zero. More: the wage enters only the labour cost, and every point
    # shares its replication seeds (common random numbers), so two points that differ in
    # the wage alone run identical customers: the effect is exactly zero.
    assert wage["mu_star"] - wage["mu_star_ci"] <= 0
    assert wage["mu_star"] == 0 and wage["sigma"] == 0


def test_the_folder_holds_the_indices_the_chart_and_a_report(screen):
    out, data = screen
    indices = pd.read_csv(out / "indices.csv")
    assert list(indices.columns) == ["parameter", "mu_star", "mu_star_ci", "sigma"]
    assert indices["parameter"].tolist() == [r["parameter"] for r in data["indices"]]
    assert indices["mu_star"].tolist() == pytest.approx([r["mu_star"] for r in data["indices"]])
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert len(outcomes) == 4 * 4 and (outcomes["n"] == 2).all()
    assert (out / "charts" / "sensitivity_indices.png").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "sensitivity" and manifest["design"] == "morris"
    from experiments.report import build_report

    page = build_report(out).read_text()
    assert f"{CHURN} moves retention_rate most" in page
    assert "mu* is the mean absolute change" in page


def test_a_design_keeps_only_the_metrics_of_each_replication(screen):
    """A screen reads one metric per run: its task files hold no interval tables or
    account trajectories (a 30-day task's would be about 0.8 MB), so a 20-parameter
    screen does not fill the disk."""
    out, _ = screen
    for path in (out / "tasks").iterdir():
        saved = json.loads(path.read_text())
        assert "row" in saved and "intervals" not in saved and "accounts" not in saved
    assert pd.read_parquet(out / "intervals.parquet").empty


def test_rerunning_into_the_folder_resumes_without_running(screen):
    out, data = screen
    tasks = sorted((out / "tasks").iterdir())
    stamps = [t.stat().st_mtime_ns for t in tasks]
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "--param",
            f"{CHURN}=0:1",
            "--param",
            f"{WAGE}=10:40",
            "--param",
            f"{LOSS}=1:3",
            "--trajectories",
            "4",
            "--reps",
            "2",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--json",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["indices"] == data["indices"]
    assert [t.stat().st_mtime_ns for t in sorted((out / "tasks").iterdir())] == stamps


def test_sobol_on_the_model_gives_a_wage_exactly_no_share_of_retention(tmp_path):
    result = runner.invoke(
        app,
        [
            "sensitivity",
            "--method",
            "sobol",
            "--samples",
            "4",
            "--param",
            f"{CHURN}=0:1",
            "--param",
            f"{WAGE}=10:40",
            "--reps",
            "2",
            "--jobs",
            "1",
            "--out",
            str(tmp_path / "sobol"),
            "--json",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.DataFrame(json.loads(result.output)["indices"])
    assert list(table.columns) == ["parameter", "S1", "S1_ci", "ST", "ST_ci"]
    table = table.set_index("parameter")
    # Saltelli's estimators take differences of runs that differ in one parameter; with
    # common random numbers a wage changes no run, so its shares are exactly 0. Four base
    # samples say nothing precise about churn's share, only that it has one.
    assert table.loc[WAGE, ["S1", "ST", "S1_ci", "ST_ci"]].tolist() == [0, 0, 0, 0]
    assert table.index[0] == CHURN and table.loc[CHURN, "ST"] > 0.5


def test_another_metric_reanalyses_the_saved_runs(screen, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(screen[0], out)
    stamps = {t.name: t.stat().st_mtime_ns for t in (out / "tasks").iterdir()}
    args = [
        "sensitivity",
        *("--param", f"{CHURN}=0:1", "--param", f"{WAGE}=10:40", "--param", f"{LOSS}=1:3"),
        *("--trajectories", "4", "--reps", "2", "--jobs", "1", "--out", str(out), "--json"),
        *("--metric", "escalation_rate", *TINY),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] == "escalation_rate"
    assert {t.name: t.stat().st_mtime_ns for t in (out / "tasks").iterdir()} == stamps
    assert "escalation_rate" in json.loads((out / "sensitivity.json").read_text())["outcome"]


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text and "Traceback" not in text, text
    for fragment in fragments:
        assert fragment in text, text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "--param"),
        (["--param", f"{CHURN}=0:1", "--param", f"{WAGE}=1:2", "--method", "fast"], "--method"),
        (["--param", f"{CHURN}=0:1"], "at least 2"),
        (["--param", f"{CHURN}=0:1", "--param", f"{WAGE}=1:2", "--metric", "nps"], "--metric"),
        (["--param", f"{CHURN}=0:1", "--param", f"{WAGE}=1:2", "--contrast", "x-y"], "contrast"),
        (
            ["--param", f"{CHURN}=0:1", "--param", f"{WAGE}=1:2", "--contrast", "avoid-avoid"],
            "itself",
        ),
        (["--group", "custmers"], "did you mean"),
        (["avoid", "negotiate", "--param", f"{CHURN}=0:1", "--param", f"{WAGE}=1:2"], "one"),
    ],
)
def test_bad_input_is_one_line(args, fragment):
    result = runner.invoke(app, ["sensitivity", *args, "--quiet"])
    assert_one_line_error(result, fragment)


def test_a_huge_design_is_refused_before_it_is_made():
    result = runner.invoke(
        app, ["sensitivity", "--group", "moves.", "--trajectories", "100000", "--reps", "100"]
    )
    assert_one_line_error(result, "--force")


def test_the_finding_does_not_crown_a_parameter_whose_ci_reaches_zero():
    from experiments.sensitivity import finding

    table = pd.DataFrame(
        {"parameter": ["a", "b", "c"], "mu_star": [3.0, 2.0, 0.0], "mu_star_ci": [4.0, 1.0, 0.0]}
    )
    assert finding(table, "x").startswith("b moves x most beyond noise (a ranks first")
    assert "1 of 3" in finding(table, "x")
    quiet = table.assign(mu_star_ci=[5.0, 5.0, 0.0])
    assert finding(quiet, "x") == "No parameter moves x distinguishably from noise"

"""``ccsim calibrate``: the search recovers parameters that made its targets, within the
uncertainty it states; bad input is one line; resuming and workers change nothing.

The optimiser is tested on a cheap synthetic model through the same code path the
command uses (:func:`experiments.calibration.calibrate` with an evaluator), many times;
the model itself once, on a tiny scenario (2,000 customers, 4 days, 4 CSRs, no
day-to-day volume variation so that four replications say something).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.calibration import calibrate
from experiments.cli import app
from experiments.free_parameters import parse_free
from experiments.targets import OUTCOMES, OutcomeTarget, read_targets

runner = CliRunner()
TINY = {
    "scenario.customers": 2000,
    "scenario.first_contacts_per_day": 300.0,
    "scenario.days": 4,
    "scenario.daily_volume_sigma": 0.0,
    "operations.supervisors": 1,
}
TINY_ARGS = [a for k, v in TINY.items() for a in ("--set", f"{k}={v}")] + ["--csrs", "4"]
TRUTH = {"customers.mean_patience_s": 150.0, "conversation.call_overhead_s": 90.0}


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text and "Traceback" not in text, text
    for fragment in fragments:
        assert fragment in text, text


# --- the search, on a synthetic model ----------------------------------------------------


def synthetic(params: dict, noise: np.ndarray) -> dict[str, np.ndarray]:
    """Two outcomes of two parameters, smooth and coupled, with replication noise that
    is the same for every candidate (common random numbers): 2% on each outcome."""
    a, b = params["customers.mean_patience_s"], params["customers.balance_base"]
    abandonment = 30 / (a + 30) + 0.01 * math.log(b)
    churn = 0.2 * math.exp(-b / 10) + a / 10_000
    return {
        "abandonment_rate": abandonment * (1 + 0.02 * noise[:, 0]),
        "annualized_churn": churn * (1 + 0.02 * noise[:, 1]),
    }


def synthetic_fit(seed: int, reps: int = 4):
    """Targets from the synthetic model at known values (their own noise, and their
    standard error as ``sd``), then a calibration from the defaults."""
    rng = np.random.default_rng(seed)
    truth = {"customers.mean_patience_s": 420.0, "customers.balance_base": 12.0}
    observed = synthetic(truth, rng.normal(size=(reps, 2)))
    targets = [
        OutcomeTarget(o, v.mean(), v.mean(), scale=v.mean(), sd=v.std(ddof=1) / math.sqrt(reps))
        for o, v in observed.items()
    ]
    crn = rng.normal(size=(reps, 2))
    free = [
        parse_free("customers.mean_patience_s=60:900"),
        parse_free("customers.balance_base=2:30"),
    ]

    def evaluate(candidates, kind):
        return [synthetic(c, crn) for c in candidates]

    return truth, calibrate(free, targets, evaluate, budget=60, explore=4, seed=seed)


def test_the_search_recovers_known_values_within_its_stated_uncertainty():
    # 20 independent data sets: the 95% intervals should cover the truth about 19 times
    # in 20 each; 16 or more is asked (if the delta method's coverage is right, fewer
    # happens with probability 1.6%; the seeds are fixed, so the test is not flaky).
    covered = {"customers.mean_patience_s": 0, "customers.balance_base": 0}
    for seed in range(20):
        truth, fit = synthetic_fit(seed)
        for row in fit.parameter_rows():
            covered[row["parameter"]] += row["ci_low"] <= truth[row["parameter"]] <= row["ci_high"]
            # Informative, not merely wide: within 15% of the range searched.
            assert row["ci_high"] - row["ci_low"] < 0.15 * (row["high"] - row["low"])
        assert len(fit.evaluations) <= 60
    assert min(covered.values()) >= 16, covered


def test_more_replications_narrow_the_uncertainty():
    _, few = synthetic_fit(3, reps=3)
    _, many = synthetic_fit(3, reps=48)
    for key in few.se:
        # The noise of the targets and of the model both fall as 1/sqrt(reps): 4x here.
        assert many.se[key] < few.se[key] / 2


def test_a_range_already_met_costs_nothing_and_stops_the_search():
    target = OutcomeTarget("abandonment_rate", 0.0, 0.5, scale=0.25)
    assert target.loss(0.3) == 0.0 and target.met(0.5) and target.loss(0.6) > 0
    free = [parse_free("customers.mean_patience_s=60:900")]
    calls = []

    def evaluate(candidates, kind):
        calls.append(kind)
        return [{"abandonment_rate": np.array([0.1, 0.12])} for _ in candidates]

    fit = calibrate(free, [target], evaluate, budget=20, explore=4)
    assert fit.best.loss == 0.0 and fit.best.kind == "start"
    assert fit.best.params == {"customers.mean_patience_s": 300.0}  # the default
    assert calls == ["explore", "curvature"]  # no search: nothing left to improve
    assert "every target met" in fit.message


def test_a_parameter_no_target_moves_is_reported_as_not_identified():
    free = [
        parse_free("customers.mean_patience_s=60:900"),
        parse_free("customers.balance_base=2:30"),
    ]
    target = OutcomeTarget("abandonment_rate", 0.05, 0.05, scale=0.05)

    def evaluate(candidates, kind):
        return [
            {"abandonment_rate": np.array([9 / c["customers.mean_patience_s"]] * 2)}
            for c in candidates
        ]

    fit = calibrate(free, [target], evaluate, budget=40, explore=4)
    assert fit.best.params["customers.mean_patience_s"] == pytest.approx(180, rel=0.02)
    assert math.isinf(fit.se["customers.balance_base"])
    assert any("customers.balance_base: not identified" in n for n in fit.notes)


# --- bad input: one line, exit 2 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[targets.fcr_rat]\nvalue = 0.7\n", ["targets.toml:1", "fcr_rate", "no outcome"]),
        ("[targets.fcr_rate]\nvalu = 0.7\n", ["targets.toml:2", "targets.fcr_rate.valu", "value"]),
        ("[targets.fcr_rate]\nvalue = 0.7\nlow = 0.6\n", [":3", "either value or low/high"]),
        ("[targets.fcr_rate]\nlow = 0.8\nhigh = 0.6\n", [":2", "low 0.8 is above high 0.6"]),
        ("[targets.fcr_rate]\nvalue = 1.7\n", [":2", "fcr_rate cannot be 1.7", "0 to 1"]),
        ("[targets.aht_s]\nvalue = 'long'\n", [":2", "expected a finite number"]),
        ("[targets.aht_s]\nvalue = 200\nweight = 0\n", [":3", "must be > 0"]),
        ("[targets.aht_s]\nweight = 2\n", [":1", "no value"]),
        ("[targets]\n", ["no targets"]),
        ("[target.aht_s]\nvalue = 200\n", ["targets.toml:1", "unknown table", "valid: targets"]),
        ("[targets.aht_s\nvalue = 200\n", ["targets.toml:1", "not valid TOML"]),
        ("", ["no targets"]),
    ],
)
def test_a_bad_targets_file_is_one_line(tmp_path, text, fragments):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke(
        "calibrate", "--targets", str(path), "--free", "customers.mean_patience_s=60:600"
    )
    assert_one_line_error(result, *fragments)


@pytest.mark.parametrize(
    ("free", "fragments"),
    [
        ("customers.mean_patience=60:600", ["unknown parameter", "customers.mean_patience_s"]),
        (
            "customers.mean_patience_s=-5:600",
            ["--free customers.mean_patience_s", "outside", "> 0"],
        ),
        ("customers.mean_patience_s=600:60", ["empty", "LO < HI"]),
        ("customers.mean_patience_s=60", ["cannot read range", "LO:HI"]),
        ("customers.mean_patience_s", ["expected KEY=LO:HI"]),
        ("operations.staffing=0:1", ["cannot be calibrated"]),
        ("scenario.daily_volume_sigma=0:nan", ["not finite"]),
    ],
)
def test_a_bad_free_parameter_is_one_line(free, fragments):
    result = invoke("calibrate", "--targets", "default", "--free", free)
    assert_one_line_error(result, *fragments)


def test_other_bad_calibrations_are_one_line(tmp_path):
    free = "customers.mean_patience_s=60:600"
    assert_one_line_error(
        invoke("calibrate", "--targets", str(tmp_path / "none.toml"), "--free", free),
        "file not found",
    )
    assert_one_line_error(
        invoke("calibrate", "--targets", "default", "--free", free, "--free", free),
        "freed twice",
    )
    assert_one_line_error(
        invoke("calibrate", "--targets", "default", "--free", free, "--budget", "5"),
        "--budget",
        ">= 13",
    )


def test_the_size_guard_sees_the_whole_budget(tmp_path):
    # 100,000 candidates x 3 replications of the default scenario: weeks, refused at once.
    result = invoke(
        "calibrate",
        "--targets",
        "default",
        "--free",
        "customers.mean_patience_s=60:600",
        "--budget",
        "100000",
        "--out",
        str(tmp_path / "never"),
    )
    assert_one_line_error(result, "size guard", "300,000 replications", "--force")
    assert not (tmp_path / "never").exists()


def test_the_shipped_targets_read():
    names = [t.outcome for t in read_targets("default")]
    assert {"abandonment_rate", "annualized_churn", "fcr_rate"} <= set(names)


# --- the model itself ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    """What the model makes at TRUTH on the tiny scenario, with seeds of its own (eight
    replications): the targets, with their standard errors as ``sd``."""
    from experiments.options import make_tasks
    from experiments.runner import Scenario, execute, replications_frame
    from policies.policy import load_policy

    tasks = make_tasks(
        [load_policy("mixed-floor")], Scenario(overrides=TINY, csrs=4), 8, 99, [TRUTH]
    )
    frame = replications_frame(execute(tasks))
    lines = []
    for outcome in ("abandonment_rate", "aht_s"):
        values = frame[outcome]
        mean, se = float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))
        lines += [f"[targets.{outcome}]", f"value = {mean!r}", f"sd = {se!r}", ""]
    path = tmp_path_factory.mktemp("targets") / "targets.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, frame


def test_outcomes_are_the_keys_of_a_run(observed):
    _, frame = observed
    numeric = {c for c in frame.columns if c not in ("point", "policy", "replication", "seed")}
    numeric = {c for c in numeric if not c.startswith("param:")}
    assert set(OUTCOMES) == {c for c in numeric if pd.api.types.is_numeric_dtype(frame[c])}


def test_calibrate_recovers_two_parameters_of_the_model(observed, tmp_path):
    targets, _ = observed
    out = tmp_path / "cal"
    result = invoke(
        "calibrate",
        "--targets",
        str(targets),
        "--free",
        "customers.mean_patience_s=60:600",
        "--free",
        "conversation.call_overhead_s=20:200",
        "--reps",
        "4",
        "--budget",
        "30",
        "--explore",
        "4",
        "--jobs",
        "1",
        "--out",
        str(out),
        "--json",
        *TINY_ARGS,
    )
    assert result.exit_code == 0, result.output
    fit = json.loads(result.stdout)
    assert set(fit["params"]) == set(TRUTH)
    for row in fit["parameters"]:
        truth = TRUTH[row["parameter"]]
        # The stated uncertainty covers the truth (3 SE: about 1 in 400 by chance), and
        # says something: under half of the true value.
        assert abs(row["value"] - truth) <= 3 * row["se"], row
        assert row["ci_high"] - row["ci_low"] < truth, row
    for row in fit["targets"]:
        assert row["ci_meets"], row
    params = (out / "calibrated.toml").read_text()
    assert "mean_patience_s" in params and "call_overhead_s" in params
    run = invoke("run", "--params", str(out / "calibrated.toml"), "--days", "1", "--json")
    assert run.exit_code == 0, run.output
    assert (out / "charts" / "calibration_targets.png").is_file()
    assert (out / "charts" / "calibration_convergence.png").is_file()
    assert invoke("report", str(out)).exit_code == 0
    assert "fitted to 2 targets by simulated moments" in (out / "report.html").read_text()


SMALL_CAL = [
    "calibrate",
    "--free",
    "customers.mean_patience_s=60:600",
    "--reps",
    "2",
    "--budget",
    "9",
    "--explore",
    "2",
    "--quiet",
    *TINY_ARGS,
]


def test_resume_redoes_nothing_and_workers_change_nothing(observed, tmp_path, monkeypatch):
    targets, _ = observed
    one, two = tmp_path / "one", tmp_path / "two"
    first = invoke(*SMALL_CAL, "--targets", str(targets), "--jobs", "1", "--out", str(one))
    assert first.exit_code == 0, first.output
    parallel = invoke(*SMALL_CAL, "--targets", str(targets), "--jobs", "2", "--out", str(two))
    assert parallel.exit_code == 0, parallel.output
    for name in ("evaluations.csv", "calibrated.toml", "calibration_targets.csv"):
        assert (one / name).read_text() == (two / name).read_text(), name

    from experiments import runner

    def no_simulation(task):
        raise AssertionError(f"{task.task_id} was run again")

    monkeypatch.setattr(runner, "run_task", no_simulation)
    before = (one / "evaluations.csv").read_text()
    again = invoke(*SMALL_CAL, "--targets", str(targets), "--jobs", "1", "--out", str(one))
    assert again.exit_code == 0, again.output
    assert (one / "evaluations.csv").read_text() == before

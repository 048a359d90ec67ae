"""The command line, one behaviour per test (Typer's CliRunner), bad input included.

Every user error must end as one line of output naming what is wrong and what is valid,
with exit code 2 and no traceback.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli import app

runner = CliRunner()
SMALL = [
    "--set",
    "scenario.customers=3000",
    "--set",
    "scenario.first_contacts_per_day=400",
    "--set",
    "operations.supervisors=1",
    "--csrs",
    "6",
    "--days",
    "2",
]
SMALL_NO_DAYS = SMALL[:-2]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text, text
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, text


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp")
    result = invoke(
        "compare",
        "avoid",
        "negotiate",
        "--reps",
        "2",
        "--out",
        str(out),
        "--quiet",
        "--jobs",
        "1",
        *SMALL,
    )
    assert result.exit_code == 0, result.output
    return out, result


def test_compare_prints_every_metric_with_a_confidence_interval(compared):
    _, result = compared
    assert (
        "Policies compared" in result.output and "Paired differences against avoid" in result.output
    )
    for metric in ("retention_rate", "escalation_rate", "fcr_rate", "service_level", "net_value"):
        assert metric in result.output


def test_compare_writes_a_complete_results_folder(compared):
    out, _ = compared
    for name in (
        "manifest.json",
        "replications.parquet",
        "replications.csv",
        "summary.csv",
        "differences.csv",
        "intervals.parquet",
        "breakdown.parquet",
        "accounts.parquet",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    for key in (
        "command_line",
        "parameters",
        "policies",
        "seed",
        "replication_seeds",
        "versions",
        "git_revision",
    ):
        assert key in manifest
    reps = pd.read_csv(out / "replications.csv")
    assert len(reps) == 4 and set(reps["policy"]) == {"avoid", "negotiate"}
    assert len(list((out / "charts").glob("*.png"))) >= 6


def test_compare_json_is_one_object(tmp_path):
    result = invoke(
        "compare",
        "avoid",
        "compete",
        "--reps",
        "2",
        "--json",
        "--jobs",
        "1",
        "--out",
        str(tmp_path),
        "--no-charts",
        *SMALL,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["baseline"] == "avoid" and data["summary"] and data["differences"]


def test_rerunning_compare_into_the_same_folder_resumes(compared):
    out, _ = compared
    before = sorted(p.stat().st_mtime_ns for p in (out / "tasks").glob("*.json"))
    result = invoke(
        "compare",
        "avoid",
        "negotiate",
        "--reps",
        "2",
        "--out",
        str(out),
        "--quiet",
        "--jobs",
        "1",
        "--no-charts",
        *SMALL,
    )
    assert result.exit_code == 0
    after = sorted(p.stat().st_mtime_ns for p in (out / "tasks").glob("*.json"))
    assert before == after, "finished replications were recomputed"


def test_an_unknown_policy_suggests_the_closest_names():
    assert_one_line_error(
        invoke("compare", "negociate"), "unknown policy 'negociate'", "did you mean negotiate"
    )


def test_a_malformed_policy_file_names_its_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "mine"\n\n[strategy]\nmix = { negotiate = 1.0 }\n\n[routing]\ndiscipline = "random"\n'
    )
    assert_one_line_error(invoke("compare", str(bad)), f"{bad}:7", "routing.discipline", "fifo")


def test_a_policy_file_with_its_own_strategy_runs(tmp_path):
    mine = tmp_path / "gentle.toml"
    mine.write_text(
        'name = "gentle"\n[strategy]\nmix = { gentle = 1.0 }\n'
        '[strategies.gentle]\nrules = [ { move = "listen" }, { move = "empathy", when = "anger>0.2" },'
        ' { move = "solve", when = "fix>0.3", at_most = 2 } ]\n'
    )
    result = invoke("run", "--policy", str(mine), "--json", *SMALL)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answered"] > 0


def test_a_policy_condition_outside_the_vocabulary_is_refused(tmp_path):
    evil = tmp_path / "evil.toml"
    evil.write_text(
        'name = "evil"\n[strategy]\nmix = { x = 1.0 }\n[strategies.x]\nrules = [ { move = "listen", when = "__import__(\'os\')" } ]\n'
    )
    assert_one_line_error(invoke("run", "--policy", str(evil), *SMALL), "unknown condition")


def test_run_with_people_reports_behaviour_outcomes_and_breakdowns():
    result = invoke("run", "--policy", "compromise", "--json", *SMALL)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "retention_rate",
        "churned_customers",
        "lost_value",
        "escalation_rate",
        "fcr_rate",
        "repeat_contacts_per_issue",
        "concession_cost",
        "mean_csr_stress",
        "csat",
        "net_value",
    ):
        assert key in data
    assert set(data["by_temperament"]) == {"choleric", "sanguine", "phlegmatic", "melancholic"}
    assert "chronic_complainer" in data["by_persona"]


def test_run_writes_per_contact_records(tmp_path):
    path = tmp_path / "contacts.parquet"
    result = invoke("run", "--policy", "avoid", "--contacts", str(path), "--json", *SMALL)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(path)
    assert {
        "customer",
        "temperament",
        "persona",
        "csr",
        "strategy",
        "moves",
        "peak_anger",
        "resolved",
    } <= set(frame.columns)


def test_sweep_writes_one_row_per_point_policy_and_replication(tmp_path):
    result = invoke(
        "sweep",
        "avoid",
        "negotiate",
        "--param",
        "operations.csrs=4:8:2",
        "--reps",
        "2",
        "--out",
        str(tmp_path),
        "--quiet",
        "--jobs",
        "1",
        *SMALL_NO_DAYS,
        "--days",
        "1",
    )
    assert result.exit_code == 0, result.output
    reps = pd.read_parquet(tmp_path / "replications.parquet")
    assert len(reps) == 2 * 2 * 2
    assert sorted(reps["param:operations.csrs"].unique()) == [4, 8]


def test_sweep_space_filling_design(tmp_path):
    result = invoke(
        "sweep",
        "avoid",
        "--param",
        "customers.loss_aversion=1:3:2",
        "--param",
        "operations.csrs=4:9:2",
        "--design",
        "lhs",
        "--samples",
        "3",
        "--reps",
        "2",
        "--out",
        str(tmp_path),
        "--quiet",
        "--jobs",
        "1",
        *SMALL_NO_DAYS,
        "--days",
        "1",
    )
    assert result.exit_code == 0, result.output
    reps = pd.read_parquet(tmp_path / "replications.parquet")
    assert reps["point"].nunique() == 3
    assert reps["param:customers.loss_aversion"].between(1, 3).all()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--param", "operations.csrs=9:3:0"], "steps must be >= 1"),
        (["--param", "operations.csrs=0:5:2"], "out of range"),
        (["--param", "customers.loss_avers=1,2"], "did you mean customers.loss_aversion"),
        (["--param", "operations.csrs=3,4", "--design", "sobol"], "--samples"),
        (["--param", "operations.csrs=3,4", "--design", "random"], "valid: grid, lhs, sobol"),
    ],
)
def test_impossible_sweeps_are_refused(args, fragment):
    assert_one_line_error(invoke("sweep", *args), fragment)


def test_staff_finds_the_smallest_head_count(tmp_path):
    result = invoke(
        "staff",
        "avoid",
        "--target",
        "service_level>=0.8",
        "--reps",
        "2",
        "--min-csrs",
        "1",
        "--max-csrs",
        "12",
        "--out",
        str(tmp_path),
        "--json",
        "--jobs",
        "1",
        *SMALL_NO_DAYS[:6],
        "--days",
        "1",
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["staffing"]
    assert row["csrs"] is not None and row["service_level"] >= 0.8
    reps = pd.read_parquet(tmp_path / "replications.parquet")
    below = reps[reps["param:operations.csrs"] == row["csrs"] - 1]
    if len(below):
        assert below["service_level"].mean() < 0.8


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("service_level>=1.5", "impossible target"),
        ("servce_level>=0.8", "did you mean service_level"),
        ("service_level=0.8", "cannot read target"),
    ],
)
def test_impossible_targets_are_refused(target, fragment):
    assert_one_line_error(invoke("staff", "--target", target), fragment)


def test_policies_lists_the_presets_and_shows_one():
    listing = invoke("policies")
    assert listing.exit_code == 0
    for name in (
        "avoid",
        "accommodate",
        "compete",
        "compromise",
        "negotiate",
        "adaptive",
        "mixed-floor",
    ):
        assert name in listing.output
    shown = invoke("policies", "show", "negotiate")
    assert shown.exit_code == 0 and "[strategy]" in shown.stdout


def test_params_prints_meaning_unit_and_source():
    result = invoke("params", "customers.loss", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"customers.loss_aversion": 2.25}
    table = invoke("params", "customers.loss_aversion")
    assert "Tversky" in table.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "customers.loss_aversion=0.5"], "out of range"),
        (["--set", "customers.nonsense=1"], "unknown parameter"),
        (["--set", "temperament.choleric.share=0.9"], "shares sum to"),
    ],
)
def test_bad_parameters_are_refused(args, fragment):
    assert_one_line_error(invoke("run", *args, *SMALL), fragment)


def test_params_file_errors_name_the_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[customers]\nloss_aversion = 2.0\nmean_patience_s = -5\n")
    assert_one_line_error(
        invoke("run", "--params", str(path), *SMALL), f"{path}:3", "customers.mean_patience_s"
    )


def test_plot_and_report_redraw_a_results_folder(compared):
    out, _ = compared
    plotted = invoke("plot", str(out))
    assert plotted.exit_code == 0 and ".png" in plotted.output
    reported = invoke("report", str(out))
    assert reported.exit_code == 0
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "http://" not in page and "https://" not in page


def test_plot_of_a_missing_folder_is_one_line(tmp_path):
    assert_one_line_error(invoke("plot", str(tmp_path / "none")), "no such results folder")

"""The newcomer's papercuts (issue 14) and issue 9's small defects, one test each.

An instant CLI (which modules ``--help`` and ``erlang`` import), numbers shown as a
planner reads them, tables that fit 80 columns, charts with fixed colours, CIs and
sensible titles, a report that tells the run's own story, files in the encodings and
separators spreadsheets write, and the defects of issue 9: (a) the staffing crossover
charted from one head count, (b) ``staff`` without a manifest, (c) the report's fixed
"2.25 times", (h) binary volume files (see ``test_bad_inputs.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from rich.console import Console  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from experiments import charts  # noqa: E402
from experiments.cli import app  # noqa: E402
from experiments.display import format_difference, format_value, plural  # noqa: E402

runner = CliRunner()
HEAVY = ("numba", "mesa", "pandas", "scipy.stats", "matplotlib", "sim.model")
TINY = [
    "--days",
    "1",
    "--set",
    "scenario.customers=2000",
    "--set",
    "scenario.first_contacts_per_day=200",
]

PROBE = """
import json, sys
sys.argv = {argv!r}
from experiments.cli import main
try:
    main()
except SystemExit:
    pass
names = ("numba", "mesa", "pandas", "scipy", "scipy.stats", "scipy.special", "scipy.sparse",
         "matplotlib", "sim.model", "numpy", "solara")
print(json.dumps([n for n in names if n in sys.modules]), file=sys.stderr)
"""


def imported_by(*argv: str) -> set[str]:
    """Which heavy modules a command imports (in a fresh interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=["ccsim", *argv])],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_nothing_heavy():
    assert imported_by("--help").isdisjoint({*HEAVY, "numpy", "scipy", "solara"})
    assert imported_by("compare", "--help").isdisjoint(HEAVY)


def test_erlang_imports_numpy_only():
    loaded = imported_by("erlang", "--arrival-rate", "200", "--aht", "180", "--agents", "14")
    assert loaded.isdisjoint({*HEAVY, "scipy"}), loaded
    loaded = imported_by(
        "erlang", "--arrival-rate", "200", "--aht", "180", "--patience", "300", "--target-sl", "0.8"
    )
    assert loaded.isdisjoint({*HEAVY, "scipy"}), loaded


def test_erlang_without_scipy_agrees_with_the_scipy_formulation():
    from scipy import sparse
    from scipy.sparse.linalg import expm_multiply
    from scipy.special import gammaln, logsumexp

    from sim import erlang

    assert erlang._log_factorials(300) == pytest.approx(gammaln(np.arange(301) + 1), rel=1e-14)
    x = np.linspace(-800.0, 30.0, 500)
    assert erlang._logsumexp(x) == pytest.approx(logsumexp(x), rel=1e-14)
    rng = np.random.default_rng(3)
    for n_mu, theta, tau in ((0.2, 1 / 600, 20.0), (3.0, 1 / 30, 5.0), (0.05, 1 / 200, 300.0)):
        weights = rng.random(400) * np.exp(-np.arange(400) / 40)
        weights /= weights.sum() * 2
        rates = n_mu + np.arange(1, 401) * theta
        q = sparse.diags([-rates, rates[1:]], [0, -1], shape=(400, 400), format="csr")
        alive = expm_multiply(q.T * tau, weights)
        reference = weights.sum() - np.clip(alive, 0.0, None).sum()
        assert erlang._served_within(weights, n_mu, theta, tau) == pytest.approx(
            reference, abs=1e-12
        )


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"ccsim {metadata.version('ccsim')}"


def test_numbers_read_as_a_planner_reads_them():
    assert format_difference("retention_rate", 0.048) == "+4.8 pp"
    assert format_difference("csat", -0.0123) == "-1.2 pp"
    assert format_difference("aht_s", -0.001) == "0.00"
    assert format_value("net_value", -0.001) == "0.00"
    assert format_value("retention_rate", -0.00001) == "0.0%"
    assert format_value("churned_customers", 766.3333, count=True) == "766.3"
    assert format_value("csat", 0.584) == "58.4%"
    assert (plural(1, "policy", "policies"), plural(2, "policy", "policies")) == (
        "1 policy",
        "2 policies",
    )


def test_a_comparison_of_seven_policies_fits_eighty_columns():
    from experiments.commands.compare import print_comparison

    labels = ["avoid", "accommodate", "compete", "compromise", "negotiate", "adaptive", "mixed"]
    metrics = ["retention_rate", "churned_customers", "net_value", "supervisor_abandonment_rate"]
    summary = pd.DataFrame(
        [
            {"policy": p, "metric": m, "mean": 123456.7, "ci_low": 120000.1, "ci_high": 130000.9}
            for p in labels
            for m in metrics
        ]
    )
    diffs = pd.DataFrame(
        [
            {"policy": p, "metric": m, "diff": -0.0481, "ci_low": -0.06, "ci_high": -0.03}
            | {"p_value": 0.0012}
            for p in labels[1:]
            for m in metrics
        ]
    )
    console = Console(width=80, record=True, force_terminal=False)
    print_comparison(summary, diffs, labels, "avoid", console=console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert all(label in text for label in labels)
    assert "-4.8 pp" in text


def test_params_reads_at_eighty_columns_and_long_gives_the_source():
    compact = runner.invoke(app, ["params"], env={"COLUMNS": "80"})
    assert compact.exit_code == 0
    lines = compact.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) < 600  # one line per parameter (about 480), not 4,700 folded ones
    long = runner.invoke(app, ["params", "customers.loss", "--long"], env={"COLUMNS": "80"})
    assert "source: Tversky and Kahneman (1992)" in long.stdout


def test_erlang_says_when_the_queue_is_unstable():
    result = runner.invoke(
        app, ["erlang", "--arrival-rate", "576", "--aht", "300", "--agents", "48"]
    )
    assert result.exit_code == 0
    assert "unstable" in result.stderr and "48.0 Erlangs" in result.stderr


def test_volume_files_from_spreadsheets_are_read(tmp_path):
    from sim.arrivals import profile_from_file

    path = tmp_path / "v.csv"
    text = "date;interval_start;calls\r\n1999-01-01;08:00:30;10\r\n1999-01-01;08:30:30;12\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Excel's "CSV UTF-8"
    profile = profile_from_file(path, "1999-01-01")
    assert profile.starts_s.tolist() == [8 * 3600 + 30, 8 * 3600 + 1830]  # seconds kept
    assert profile.labels[0] == "1999-01-01 08:00:30"
    assert profile.expected.tolist() == [10, 12]


def test_intervals_carry_day_date_and_time():
    from experiments.runner import Scenario, with_clock

    table = pd.DataFrame({"start_s": [0.0, 1800.0, 86_400.0 + 3_630.0]})
    plain = with_clock(table, Scenario())
    assert plain["day"].tolist() == [1, 1, 2]
    assert plain["time"].tolist() == ["00:00:00", "00:30:00", "01:00:30"]
    assert plain["date"].isna().all()
    dated = with_clock(table, Scenario(arrivals="v.csv", date="1999-03-15:1999-03-16"))
    assert dated["date"].tolist() == ["1999-03-15", "1999-03-15", "1999-03-16"]


def reps_frame(policies=("avoid", "negotiate", "compete"), csrs=(None,)) -> pd.DataFrame:
    rows = []
    for c in csrs:
        for k, policy in enumerate(policies):
            for r in range(3):
                row = {
                    "point": 0,
                    "policy": policy,
                    "replication": r,
                    "seed": r,
                    "retention_rate": 0.8 + 0.05 * k + 0.01 * r,
                    "escalation_rate": 0.1 - 0.02 * k,
                    "concession_per_contact": 1.0 + k,
                    "aht_first_contact_s": 200.0 + 50 * k + r,
                    "repeat_contacts_per_issue": 0.3 - 0.1 * k,
                    "net_value": 1000.0 * k + (c or 0) * 10 + r,
                }
                if c is not None:
                    row["param:operations.csrs"] = c
                rows.append(row)
    return pd.DataFrame(rows)


def finished_folder(tmp_path: Path, reps: pd.DataFrame, **manifest) -> Path:
    reps.to_parquet(tmp_path / "replications.parquet")
    (tmp_path / "manifest.json").write_text(
        json.dumps({"command": "compare", "status": "complete", **manifest})
    )
    return tmp_path


def test_the_crossover_chart_is_drawn_from_every_head_count(tmp_path):
    """Issue 9 (a): draw_all narrowed the table before a late-bound lambda drew it."""
    folder = finished_folder(tmp_path, reps_frame(csrs=(10, 30, 50)))
    jobs = dict(charts.chart_jobs(folder))
    fig, ax = plt.subplots()
    jobs["staffing_crossover"](ax)
    assert [line.get_xdata().tolist() for line in ax.get_lines()] == [[10, 30, 50]] * 3
    plt.close(fig)
    fig, ax = plt.subplots()
    jobs["retention"](ax)  # the other charts show the largest head count
    assert len(ax.patches) == 3
    plt.close(fig)


def test_a_policy_has_one_colour_in_every_chart_and_legends_sit_outside():
    forward = charts.plot_retention(reps_frame(("negotiate", "avoid")))
    backward = charts.plot_retention(reps_frame(("avoid", "negotiate")))
    assert forward.patches[0].get_facecolor() == backward.patches[1].get_facecolor()
    assert charts.colour("my-own") == charts.colour("my-own") != charts.colour("negotiate")
    swept = charts.plot_staffing_crossover(reps_frame(csrs=(10, 20)))
    anchor = swept.get_legend().get_bbox_to_anchor().transformed(swept.transAxes.inverted())
    assert anchor.x0 > 1.0  # to the right of the data
    assert len(swept.collections) == 3  # a CI band per policy
    for ax in (forward, backward, swept):
        plt.close(ax.figure)


def test_titles_make_sense_for_one_policy():
    one = reps_frame(("negotiate",))
    for plot in (
        charts.plot_retention,
        charts.plot_repeats_and_handle_time,
        charts.plot_concession_vs_retention,
    ):
        ax = plot(one)
        title = ax.get_title()
        assert title.count("negotiate") == 1 and "lowest" not in title, title
        plt.close(ax.figure)


def test_scatter_charts_show_confidence_intervals():
    ax = charts.plot_concession_vs_retention(reps_frame())
    assert len(ax.collections) >= 3  # error bars, one set per policy
    plt.close(ax.figure)


def test_the_report_tells_this_runs_story(tmp_path):
    """Issue 9 (c): the page said losses weigh "2.25 times" whatever the parameter was."""
    from experiments.report import build_report

    folder = finished_folder(
        tmp_path,
        reps_frame(),
        parameters={"customers.loss_aversion": 3.0},
        baseline="avoid",
        ccsim_version="9.9.9",
        git_revision="abc123",
        seed=11,
        replication_seeds=[7, 8, 9],
        versions={"numpy": "2.0"},
        command_line="ccsim compare --seed 11",
    )
    page = build_report(folder).read_text()
    assert "3 times more than gains" in page and "2.25" not in page
    assert 'class="headline">compete kept the most customers' in page
    assert "Paired differences against avoid" in page and "pp" in page
    for cell in ("ccsim version</td><td>9.9.9", "git revision</td><td>abc123", "7, 8, 9"):
        assert cell in page
    assert "<pre>" not in page  # no raw dump


def test_staff_writes_a_manifest(tmp_path):
    """Issue 9 (b)."""
    result = runner.invoke(
        app,
        [
            "staff",
            "avoid",
            "--target",
            "service_level>=0.5",
            "--min-csrs",
            "2",
            "--max-csrs",
            "4",
            "--reps",
            "2",
            "--jobs",
            "1",
            "--out",
            str(tmp_path),
            "--quiet",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["command"] == "staff" and manifest["status"] == "complete"
    assert manifest["targets"] == ["service_level>=0.5"] and manifest["replication_seeds"]


def test_a_sobol_design_says_its_note_in_one_line(tmp_path):
    result = runner.invoke(
        app,
        [
            "sweep",
            "avoid",
            "--param",
            "customers.loss_aversion=1.5:3:2",
            "--design",
            "sobol",
            "--samples",
            "3",
            "--reps",
            "2",
            "--jobs",
            "1",
            "--out",
            str(tmp_path),
            "--csrs",
            "5",
            *TINY,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "UserWarning" not in result.output
    assert "power of 2" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "3 points x 1 policy x 2 replications" in " ".join(result.stdout.split())


def test_the_repeats_note_is_printed_once():
    result = runner.invoke(app, ["run", "--policy", "avoid", "--csrs", "5", *TINY])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("repeat contacts come on top") == 1


def test_the_size_guard_can_be_overridden(monkeypatch, tmp_path):
    from experiments import guard

    monkeypatch.setattr(guard, "machine_memory", lambda: 100 * 2**20)
    args = ["compare", "avoid", "--reps", "2", "--jobs", "1", "--no-charts", "--quiet", *TINY]
    args += ["--csrs", "5"]
    refused = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert refused.exit_code == 2 and "size guard" in refused.stderr
    assert not (tmp_path / "a").exists()
    forced = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--force"])
    assert forced.exit_code == 0, forced.output


def test_the_git_revision_is_ccsims_own_only(tmp_path):
    from experiments.results import git_revision, source_root

    other = tmp_path / "someone-elses-project"
    other.mkdir()
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    (other / "pyproject.toml").write_text('[project]\nname = "theirs"\n')
    assert git_revision(other) is None
    if (source_root() / ".git").exists():
        assert git_revision() is not None


def test_erlang_a_with_a_long_queue_is_computed_and_stays_a_probability():
    result = runner.invoke(
        app,
        ["erlang", "--arrival-rate", "1150", "--aht", "86400", "--agents", "1"]
        + ["--patience", "604800", "--sl-threshold", "86400", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert 0.99 < data["p_wait"] <= 1.0 and 0.0 <= data["service_level"] < 1e-6


def test_staff_starts_one_pool_of_workers_for_every_head_count_it_tries(tmp_path, monkeypatch):
    from experiments import runner as run_module

    started = []
    real = run_module.worker_pool

    def counting(jobs):
        started.append(jobs)
        return real(jobs)

    monkeypatch.setattr(run_module, "worker_pool", counting)
    result = runner.invoke(
        app,
        ["staff", "avoid", "--target", "service_level>=0.9", "--min-csrs", "1"]
        + ["--max-csrs", "8", "--reps", "2", "--jobs", "2", "--out", str(tmp_path), "--quiet"]
        + [*TINY, "--set", "operations.supervisors=1"],
    )
    assert result.exit_code == 0, result.output
    tried = pd.read_parquet(tmp_path / "replications.parquet")["param:operations.csrs"].nunique()
    assert tried >= 3 and started == [2]


def test_a_full_disk_stops_the_run_in_one_line_saying_what_was_kept(tmp_path, monkeypatch):
    import errno

    from experiments import runner as run_module
    from experiments.errors import RunError
    from experiments.options import make_tasks
    from policies.policy import load_policy

    writes = []

    def full(path, text):
        if writes:
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    monkeypatch.setattr(run_module, "write_text", full)
    monkeypatch.setattr(
        run_module,
        "run_task",
        lambda task: {"task_id": task.task_id, "row": {"policy": "avoid"}, "breakdown": []},
    )
    tasks = make_tasks([load_policy("avoid")], run_module.Scenario(), 3, 1)
    with pytest.raises(RunError, match="No space left on device.*1 of 3 replications are kept"):
        run_module.execute(tasks, folder=tmp_path)

"""``ccsim run --behaviour off`` and ``ccsim erlang`` for planners, with their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from experiments.cli import app
from tests.test_cli import assert_one_line_error

runner = CliRunner()
BANK = str(Path(__file__).parent / "data" / "bank_two_days_6min.csv")
KEYS = {"abandonment_rate", "p_wait", "asa_s", "mean_wait_s", "service_level", "occupancy", "aht_s"}
QUEUE = [
    "run",
    "--behaviour",
    "off",
    "--csrs",
    "10",
    "--arrival-rate",
    "100",
    "--aht",
    "300",
    "--patience",
    "200",
    "--hours",
    "6",
]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_run_json_has_the_documented_keys():
    result = invoke(*QUEUE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert KEYS | {"offered", "answered", "abandoned", "waiting_at_end"} <= set(data)


def test_erlang_json_has_the_same_metric_keys_as_run():
    result = invoke(
        "erlang",
        "--arrival-rate",
        "100",
        "--aht",
        "300",
        "--agents",
        "10",
        "--patience",
        "200",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= KEYS


def test_erlang_finds_the_head_count_for_a_target_service_level():
    result = invoke(
        "erlang", "--arrival-rate", "720", "--aht", "300", "--target-sl", "0.8", "--json"
    )
    data = json.loads(result.stdout)
    assert data["service_level"] >= 0.8
    one_less = invoke(
        "erlang",
        "--arrival-rate",
        "720",
        "--aht",
        "300",
        "--agents",
        str(int(data["agents"]) - 1),
        "--json",
    )
    assert json.loads(one_less.stdout)["service_level"] < 0.8


def test_same_seed_same_output_bit_for_bit_and_different_seeds_differ():
    a = invoke(*QUEUE, "--json", "--seed", "3").stdout
    b = invoke(*QUEUE, "--json", "--seed", "3").stdout
    c = invoke(*QUEUE, "--json", "--seed", "4").stdout
    assert a == b and a != c


def test_run_out_writes_manifest_summary_and_intervals(tmp_path):
    result = invoke(
        "run",
        "--behaviour",
        "off",
        "--arrivals",
        BANK,
        "--date",
        "1999-03-15",
        "--csrs",
        "8",
        "--aht",
        "200",
        "--aht-cv",
        "1.2",
        "--patience",
        "300",
        "--warmup-hours",
        "1",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["parameters"]["handle_time"] == "lognormal"
    assert "versions" in manifest and "git_revision" in manifest
    summary = pd.read_csv(tmp_path / "summary.csv")
    intervals = pd.read_csv(tmp_path / "intervals.csv")
    assert len(intervals) == 240 and intervals["offered"].sum() >= summary["offered"].iloc[0]
    assert {"label", "service_level", "asa_s", "occupancy"} <= set(intervals.columns)


def test_a_schedule_file_runs(tmp_path):
    schedule = tmp_path / "s.csv"
    schedule.write_text("interval_start,csrs\n00:00,2\n08:00,9\n20:00,3\n")
    result = invoke(
        "run",
        "--behaviour",
        "off",
        "--arrivals",
        BANK,
        "--date",
        "1999-03-15",
        "--schedule",
        str(schedule),
        "--aht",
        "200",
        "--patience",
        "300",
        "--json",
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--csrs", "0"], "--csrs"),
        (["--aht", "-5"], "--aht"),
        # Errors name the option as typed, never the internal name (aht_s, ...).
        (["--aht", "0"], "'--aht': 0 is out of range (valid: a number > 0"),
        (["--arrival-rate", "0"], "'--arrival-rate'"),
        (["--patience", "0"], "'--patience'"),
        (["--bogus"], "No such option: --bogus"),
        (
            ["--arrivals", "missing.csv", "--date", "1999-03-15", "--hours", None],
            "missing.csv: file not found",
        ),
        (["--arrivals", BANK, "--date", "2001-01-01", "--hours", None], "is not in the file"),
        (["--arrivals", BANK, "--hours", None], "--arrivals needs --date"),
        (["--warmup-hours", "7"], "warm-up"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args, fragment):
    base = list(QUEUE)
    if None in args:
        base = base[:-2]  # drop --hours 6
        args = [a for a in args if a is not None][:-1]
    assert_one_line_error(invoke(*base, *args), fragment)


def test_a_malformed_csv_names_file_line_and_field(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("date,interval_start,calls\n1999-01-01,00:00,3\n1999-01-01,00:30,lots\n")
    assert_one_line_error(
        invoke("run", "--behaviour", "off", "--arrivals", str(path), "--date", "1999-01-01"),
        f"{path}:3",
        "calls",
        "valid",
    )


def test_erlang_bad_input_is_one_line():
    assert_one_line_error(
        invoke("erlang", "--arrival-rate", "0", "--aht", "3", "--agents", "4"), "--arrival-rate"
    )
    assert_one_line_error(invoke("erlang", "--arrival-rate", "10", "--aht", "3"), "--agents")
    assert_one_line_error(
        invoke("erlang", "--arrival-rate", "10", "--aht", "3", "--target-sl", "1.5"), "--target-sl"
    )

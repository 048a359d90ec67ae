"""Bad input, command by command: one line on stderr, exit code 2, no traceback, nothing left.

Every case runs in an empty working folder; whatever the case needs (a broken file, an
existing folder) is made first, and after the refusal the folder must hold exactly what
was there before: no results folder, no half-written file. The list includes the audit's
nonsense values (issue 14): encodings, huge numbers, NaN, output places that cannot be
written, policy files with wrong types, overlapping intervals, and sizes no machine runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from experiments.cli import app

runner = CliRunner()
TINY = [
    "--days",
    "1",
    "--set",
    "scenario.customers=2000",
    "--set",
    "scenario.first_contacts_per_day=200",
    "--csrs",
    "5",
]
QUEUE = ["run", "--behaviour", "off", "--csrs", "5", "--hours", "1"]
VOLUMES = "date,interval_start,calls\n1999-01-01,08:00,10\n1999-01-01,08:30,12\n"
POLICY = 'name = "mine"\n[strategy]\nmix = {{ {mix} }}\n{extra}\n'
RULES = '[strategies.x]\nrules = [ {{ move = "listen"{rule} }} ]\n'


def write(tmp: Path, name: str, data: str | bytes) -> str:
    path = tmp / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


def policy(tmp: Path, mix: str = "negotiate = 1.0", extra: str = "", name: str = "p.toml") -> str:
    return write(tmp, name, POLICY.format(mix=mix, extra=extra))


def custom(tmp: Path, rule: str) -> str:
    return policy(tmp, "x = 1.0", RULES.format(rule=rule))


def sparse(tmp: Path, name: str, size: int) -> str:
    """A file of ``size`` bytes that takes no disk space (its length alone is refused)."""
    path = tmp / name
    with open(path, "wb") as handle:
        handle.truncate(size)
    return str(path)


def finished(tmp: Path, name: str = "done", status: str = "complete", tables: bool = True) -> str:
    folder = tmp / name
    folder.mkdir()
    (folder / "manifest.json").write_text(f'{{"command": "compare", "status": "{status}"}}')
    if tables:
        (folder / "replications.parquet").write_bytes(b"PAR1 this is not parquet")
    return str(folder)


UTF16 = VOLUMES.encode("utf-16")
LATIN1 = "date,interval_start,calls\n1999-01-01,08:00,10 appels é\n".encode("latin-1")
BINARY = bytes(range(256)) * 8
# (id, arguments given the case's folder, a fragment of the one-line message)
Case = tuple[str, Callable[[Path], list[str]], str]
CASES: list[Case] = [
    # compare: policies
    ("unknown-policy", lambda t: ["compare", "negociate"], "did you mean negotiate"),
    (
        "policy-utf16",
        lambda t: ["compare", write(t, "p.toml", 'name = "x"\n'.encode("utf-16"))],
        "UTF-16",
    ),
    (
        "policy-latin1",
        lambda t: ["compare", write(t, "p.toml", 'name = "é"\n'.encode("latin-1"))],
        "not UTF-8",
    ),
    ("policy-binary", lambda t: ["compare", write(t, "p.toml", BINARY)], "binary"),
    ("policy-not-toml", lambda t: ["compare", write(t, "p.toml", "name = \n")], "not valid TOML"),
    (
        "supervisor-list",
        lambda t: ["compare", policy(t, extra="supervisor = [1]")],
        "strategy.supervisor",
    ),
    (
        "strategies-number",
        lambda t: [
            "compare",
            write(
                t, "p.toml", 'name = "a"\nstrategies = 5\n[strategy]\nmix = { negotiate = 1.0 }\n'
            ),
        ],
        "strategies: must be a table",
    ),
    (
        "at-most-text",
        lambda t: ["compare", custom(t, ', at_most = "abc"')],
        "at_most must be a whole number",
    ),
    (
        "at-most-fraction",
        lambda t: ["compare", custom(t, ", at_most = 2.7")],
        "at_most must be a whole number",
    ),
    (
        "at-most-boolean",
        lambda t: ["compare", custom(t, ", at_most = true")],
        "at_most must be a whole number",
    ),
    (
        "when-three-dots",
        lambda t: ["compare", custom(t, ', when = "anger>1.2.3"')],
        "unknown condition",
    ),
    (
        "when-code",
        lambda t: ["compare", custom(t, ", when = \"__import__('os')\"")],
        "unknown condition",
    ),
    (
        "unknown-move",
        lambda t: [
            "compare",
            write(
                t,
                "p.toml",
                'name = "a"\n[strategy]\nmix = { x = 1.0 }\n[strategies.x]\nrules = [ { move = "shout" } ]\n',
            ),
        ],
        "unknown move",
    ),
    ("mix-nan", lambda t: ["compare", policy(t, "negotiate = nan")], "finite number"),
    ("mix-infinite", lambda t: ["compare", policy(t, "negotiate = inf")], "finite number"),
    ("mix-boolean", lambda t: ["compare", policy(t, "negotiate = true")], "finite number"),
    ("mix-negative", lambda t: ["compare", policy(t, "negotiate = -1.0")], "finite number"),
    ("mix-zero", lambda t: ["compare", policy(t, "negotiate = 0.0")], "weights sum to 0"),
    ("mix-unknown", lambda t: ["compare", policy(t, "haggle = 1.0")], "unknown strategy"),
    (
        "name-ansi",
        lambda t: [
            "compare",
            write(t, "p.toml", 'name = "\\u001b[31mred"\n[strategy]\nmix = { negotiate = 1.0 }\n'),
        ],
        "plain name",
    ),
    (
        "name-missing",
        lambda t: ["compare", write(t, "p.toml", "[strategy]\nmix = { negotiate = 1.0 }\n")],
        "name",
    ),
    (
        "authority-nan",
        lambda t: ["compare", policy(t, extra="[levers]\nconcession_authority = nan")],
        "levers.concession_authority",
    ),
    (
        "training-high",
        lambda t: ["compare", policy(t, extra="[levers]\ntraining = 5.0")],
        "levers.training",
    ),
    (
        "follow-up-text",
        lambda t: ["compare", policy(t, extra='[levers]\nfollow_up = "yes"')],
        "levers.follow_up",
    ),
    (
        "routing-unknown",
        lambda t: ["compare", policy(t, extra='[routing]\ndiscipline = "random"')],
        "routing.discipline",
    ),
    (
        "policy-csrs-zero",
        lambda t: ["compare", policy(t, extra="[staffing]\ncsrs = 0")],
        "staffing.csrs",
    ),
    (
        "policy-schedule-missing",
        lambda t: ["compare", policy(t, extra='[staffing]\nschedule = "none.csv"')],
        "file not found",
    ),
    ("policy-unknown-key", lambda t: ["compare", policy(t, extra="colour = 1")], "unknown key"),
    (
        "baseline-nobody",
        lambda t: ["compare", "avoid", "negotiate", "--baseline", "nobody", *TINY],
        "--baseline",
    ),
    # compare: numbers
    ("reps-one", lambda t: ["compare", "avoid", "--reps", "1"], "'--reps'"),
    ("reps-text", lambda t: ["compare", "avoid", "--reps", "abc"], "'--reps'"),
    ("days-zero", lambda t: ["compare", "avoid", "--days", "0"], "'--days'"),
    ("days-huge", lambda t: ["compare", "avoid", "--days", "100000000"], "'--days'"),
    ("csrs-zero", lambda t: ["compare", "avoid", "--csrs", "0"], "'--csrs'"),
    ("csrs-fraction", lambda t: ["compare", "avoid", "--csrs", "2.5"], "'--csrs'"),
    ("seed-negative", lambda t: ["compare", "avoid", "--seed", "-1"], "'--seed'"),
    ("jobs-zero", lambda t: ["compare", "avoid", "--jobs", "0"], "'--jobs'"),
    ("jobs-over-cpus", lambda t: ["compare", "avoid", "--jobs", "4096", *TINY], "--jobs"),
    (
        "csrs-hundred-million",
        lambda t: ["compare", "avoid", "negotiate", "--csrs", "100000000"],
        "size guard",
    ),
    ("reps-huge", lambda t: ["compare", "--reps", "100000"], "size guard"),
    ("days-long", lambda t: ["compare", "--days", "36500", "--reps", "10"], "size guard"),
    # compare: places
    (
        "scheduler-garbage",
        lambda t: ["compare", "avoid", "--scheduler", "garbage", *TINY],
        "--scheduler",
    ),
    (
        "scheduler-http",
        lambda t: ["compare", "avoid", "--scheduler", "http://localhost:8787", *TINY],
        "web address",
    ),
    ("scheduler-empty", lambda t: ["compare", "avoid", "--scheduler", "", *TINY], "--scheduler"),
    ("out-empty", lambda t: ["compare", "avoid", "--out", "", *TINY], "'--out': is empty"),
    (
        "out-file",
        lambda t: ["compare", "avoid", "--out", write(t, "f.txt", "x"), *TINY],
        "is a file",
    ),
    (
        "out-inside-file",
        lambda t: ["compare", "avoid", "--out", str(Path(write(t, "f.txt", "x")) / "sub"), *TINY],
        "is a file",
    ),
    ("out-proc", lambda t: ["compare", "avoid", "--out", "/proc/ccsim", *TINY], "system folder"),
    (
        "out-foreign",
        lambda t: [
            "compare",
            "avoid",
            "--out",
            str(Path(write(t, "notes.txt", "x")).parent),
            *TINY,
        ],
        "not a ccsim results folder",
    ),
    (
        "out-unfinished-other",
        lambda t: [
            "compare",
            "avoid",
            "--out",
            finished(t, status="incomplete", tables=False),
            *TINY,
        ],
        "another run",
    ),
    # parameters
    (
        "set-huge",
        lambda t: ["compare", "avoid", "--set", "scenario.first_contacts_per_day=1e308"],
        "out of range",
    ),
    (
        "set-nan",
        lambda t: ["compare", "avoid", "--set", "customers.loss_aversion=nan"],
        "must be finite",
    ),
    (
        "set-unknown",
        lambda t: ["compare", "avoid", "--set", "customers.loss_avers=2"],
        "did you mean customers.loss_aversion",
    ),
    (
        "set-no-equals",
        lambda t: ["compare", "avoid", "--set", "customers.loss_aversion"],
        "expected key=value",
    ),
    (
        "set-boolean-for-number",
        lambda t: ["compare", "avoid", "--set", "customers.loss_aversion=true"],
        "cannot read",
    ),
    (
        "set-shares",
        lambda t: ["run", "--set", "temperament.choleric.share=0.9", *TINY],
        "shares sum to",
    ),
    (
        "params-deep",
        lambda t: [
            "compare",
            "avoid",
            "--params",
            write(t, "p.toml", "a = " + "[" * 200 + "]" * 200 + "\n"),
        ],
        "nested too deeply",
    ),
    (
        "params-utf16",
        lambda t: [
            "compare",
            "avoid",
            "--params",
            write(t, "p.toml", "[customers]\nloss_aversion = 2.0\n".encode("utf-16")),
        ],
        "UTF-16",
    ),
    (
        "params-binary",
        lambda t: ["compare", "avoid", "--params", write(t, "p.toml", BINARY)],
        "binary",
    ),
    ("params-missing", lambda t: ["compare", "avoid", "--params", "nope.toml"], "file not found"),
    (
        "params-bad-value",
        lambda t: [
            "compare",
            "avoid",
            "--params",
            write(t, "p.toml", "[customers]\nloss_aversion = 0.5\n"),
        ],
        "p.toml:2",
    ),
    # arrivals and schedules
    (
        "arrivals-no-date",
        lambda t: ["compare", "avoid", "--arrivals", write(t, "v.csv", VOLUMES)],
        "--arrivals needs --date",
    ),
    (
        "date-no-arrivals",
        lambda t: ["compare", "avoid", "--date", "1999-01-01"],
        "--date needs --arrivals",
    ),
    (
        "arrivals-utf16",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", UTF16),
            "--date",
            "1999-01-01",
        ],
        "UTF-16",
    ),
    (
        "arrivals-latin1",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", LATIN1),
            "--date",
            "1999-01-01",
        ],
        "Latin-1",
    ),
    (
        "arrivals-binary",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", BINARY),
            "--date",
            "1999-01-01",
        ],
        "binary",
    ),
    (
        "arrivals-gigabyte",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            sparse(t, "v.csv", 2**30),
            "--date",
            "1999-01-01",
        ],
        "1.0 GB",
    ),
    (
        "arrivals-long-line",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(
                t, "v.csv", "date,interval_start,calls\n1999-01-01,08:00," + "9" * 200_000 + "\n"
            ),
            "--date",
            "1999-01-01",
        ],
        "malformed CSV",
    ),
    (
        "arrivals-folder",
        lambda t: ["compare", "avoid", "--arrivals", str(t), "--date", "1999-01-01"],
        "is a folder",
    ),
    (
        "arrivals-device",
        lambda t: ["compare", "avoid", "--arrivals", "/dev/zero", "--date", "1999-01-01"],
        "not a regular file",
    ),
    (
        "arrivals-overlap",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(
                t,
                "v.csv",
                "date,interval_start,calls\n1999-01-01,00:00,100\n1999-01-01,23:00,100\n",
            ),
            "--date",
            "1999-01-01",
        ],
        "runs past midnight",
    ),
    (
        "arrivals-all-zero",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(
                t, "v.csv", "date,interval_start,calls\n1999-01-01,08:00,0\n1999-01-01,08:30,0\n"
            ),
            "--date",
            "1999-01-01",
        ],
        "no calls",
    ),
    (
        "arrivals-missing-date",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", VOLUMES),
            "--date",
            "2001-01-01",
        ],
        "is not in the file",
    ),
    (
        "arrivals-bad-date",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", VOLUMES),
            "--date",
            "01/01/1999",
        ],
        "YYYY-MM-DD",
    ),
    (
        "arrivals-calls-nan",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", VOLUMES.replace(",12", ",nan")),
            "--date",
            "1999-01-01",
        ],
        "calls",
    ),
    (
        "arrivals-no-column",
        lambda t: [
            "compare",
            "avoid",
            "--arrivals",
            write(t, "v.csv", "day;start;n\n1;2;3\n"),
            "--date",
            "1999-01-01",
        ],
        "missing column 'date'",
    ),
    (
        "schedule-negative",
        lambda t: [
            "compare",
            "avoid",
            "--schedule",
            write(t, "s.csv", "interval_start,csrs\n00:00,3\n08:00,-1\n"),
        ],
        "csrs",
    ),
    (
        "schedule-binary",
        lambda t: ["compare", "avoid", "--schedule", write(t, "s.csv", BINARY)],
        "binary",
    ),
    (
        "schedule-hundred-million",
        lambda t: [
            "compare",
            "avoid",
            "--schedule",
            write(t, "s.csv", "interval_start,csrs\n00:00,100000000\n"),
        ],
        "size guard",
    ),
    # run
    ("rate-huge", lambda t: [*QUEUE, "--arrival-rate", "1e308"], "'--arrival-rate'"),
    ("rate-nan", lambda t: [*QUEUE, "--arrival-rate", "nan"], "'--arrival-rate'"),
    ("rate-infinite", lambda t: [*QUEUE, "--arrival-rate", "inf"], "'--arrival-rate'"),
    ("hours-huge", lambda t: [*QUEUE[:-2], "--hours", "1e300"], "'--hours'"),
    ("interval-tiny", lambda t: [*QUEUE, "--interval-min", "0.0000001"], "size guard"),
    (
        "queue-too-many-arrivals",
        lambda t: [*QUEUE[:-2], "--arrival-rate", "9000000", "--hours", "80000"],
        "size guard",
    ),
    ("aht-zero", lambda t: [*QUEUE, "--aht", "0"], "'--aht'"),
    ("warmup-too-long", lambda t: [*QUEUE, "--warmup-hours", "7"], "warm-up"),
    ("queue-set", lambda t: [*QUEUE, "--set", "customers.loss_aversion=2"], "--behaviour on only"),
    ("contacts-folder", lambda t: ["run", "--contacts", str(t), *TINY], "is a folder"),
    (
        "contacts-proc",
        lambda t: ["run", "--contacts", "/proc/contacts.parquet", *TINY],
        "system path",
    ),
    (
        "contacts-no-parent",
        lambda t: ["run", "--contacts", str(t / "no" / "c.parquet"), *TINY],
        "does not exist",
    ),
    (
        "run-policy-hundred-million",
        lambda t: ["run", "--policy", policy(t, extra="[staffing]\ncsrs = 100000000")],
        "size guard",
    ),
    ("run-out-file", lambda t: ["run", "--out", write(t, "f.txt", "x"), *TINY], "is a file"),
    # sweep
    ("sweep-no-param", lambda t: ["sweep"], "--param"),
    (
        "sweep-million-points",
        lambda t: [
            "sweep",
            "--param",
            "operations.csrs=10:1009:1000",
            "--param",
            "customers.loss_aversion=1:3:1000",
        ],
        "size guard",
    ),
    (
        "sweep-million-steps",
        lambda t: ["sweep", "--param", "customers.loss_aversion=1:3:2000000"],
        "1,000,000 steps",
    ),
    (
        "sweep-sobol-huge",
        lambda t: [
            "sweep",
            "--param",
            "customers.loss_aversion=1:3:2",
            "--design",
            "sobol",
            "--samples",
            "100000000",
        ],
        "size guard",
    ),
    (
        "sweep-bad-range",
        lambda t: ["sweep", "--param", "operations.csrs=a:b:c"],
        "cannot read range",
    ),
    (
        "sweep-nan-range",
        lambda t: ["sweep", "--param", "customers.loss_aversion=1:nan:3"],
        "not finite",
    ),
    (
        "sweep-design",
        lambda t: ["sweep", "--param", "operations.csrs=3,4", "--design", "random"],
        "grid, lhs, sobol",
    ),
    (
        "sweep-samples-grid",
        lambda t: ["sweep", "--param", "operations.csrs=3,4", "--samples", "4"],
        "--samples",
    ),
    # staff
    (
        "staff-unquoted-target",
        lambda t: ["staff", "--target", "service_level"],
        "cannot read target",
    ),
    (
        "staff-impossible-target",
        lambda t: ["staff", "--target", "service_level>=1.5"],
        "impossible target",
    ),
    (
        "staff-unknown-metric",
        lambda t: ["staff", "--target", "servce_level>=0.8"],
        "did you mean service_level",
    ),
    (
        "staff-min-above-max",
        lambda t: [
            "staff",
            "--target",
            "service_level>=0.8",
            "--min-csrs",
            "10",
            "--max-csrs",
            "5",
        ],
        "--min-csrs",
    ),
    (
        "staff-max-huge",
        lambda t: ["staff", "avoid", "--target", "service_level>=0.8", "--max-csrs", "100000000"],
        "size guard",
    ),
    # erlang
    (
        "erlang-agents-billion",
        lambda t: ["erlang", "--arrival-rate", "100", "--aht", "300", "--agents", "1000000000"],
        "'--agents'",
    ),
    (
        "erlang-rate-huge",
        lambda t: ["erlang", "--arrival-rate", "1e308", "--aht", "300", "--agents", "5"],
        "'--arrival-rate'",
    ),
    (
        "erlang-target-unreachable",
        lambda t: ["erlang", "--arrival-rate", "10000000", "--aht", "86400", "--target-sl", "0.8"],
        "no head count",
    ),
    (
        "erlang-target-one",
        lambda t: ["erlang", "--arrival-rate", "100", "--aht", "300", "--target-sl", "1"],
        "'--target-sl'",
    ),
    (
        "erlang-both",
        lambda t: [
            "erlang",
            "--arrival-rate",
            "100",
            "--aht",
            "300",
            "--agents",
            "5",
            "--target-sl",
            "0.8",
        ],
        "not both",
    ),
    (
        "erlang-queue-too-long",
        lambda t: [
            "erlang",
            "--arrival-rate",
            "10000000",
            "--aht",
            "300",
            "--agents",
            "1",
            "--patience",
            "604800",
        ],
        "too many to compute",
    ),
    # params, policies, plot, report
    ("params-no-prefix", lambda t: ["params", "customer."], "did you mean customers"),
    ("params-bad-set", lambda t: ["params", "--set", "customers.loss_aversion=-1"], "out of range"),
    ("policies-show-unknown", lambda t: ["policies", "show", "negociate"], "unknown policy"),
    ("policies-show-binary", lambda t: ["policies", "show", write(t, "p.toml", BINARY)], "binary"),
    ("plot-missing", lambda t: ["plot", str(t / "none")], "no such results folder"),
    (
        "plot-foreign",
        lambda t: ["plot", str(Path(write(t, "notes.txt", "x")).parent)],
        "no manifest.json",
    ),
    ("plot-unfinished", lambda t: ["plot", finished(t, status="incomplete")], "has not finished"),
    ("report-corrupt-table", lambda t: ["report", finished(t)], "cannot be read"),
    (
        "report-no-table",
        lambda t: ["report", finished(t, tables=False)],
        "has no replications.parquet",
    ),
]


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_the_table_is_long_enough():
    assert len(CASES) >= 60
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "args", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_in_one_line(tmp_path, monkeypatch, name, args, fragment):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    argv = args(work)
    before = listing(work)
    start = time.perf_counter()
    result = runner.invoke(app, argv)
    elapsed = time.perf_counter() - start
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert fragment in lines[0], lines[0]
    assert listing(work) == before, "the refused command left something behind"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if fragment == "size guard":
        # Judged from the inputs alone, before anything is allocated (issue 14: < 5 s).
        assert elapsed < 5.0, elapsed


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_out_folder_is_refused_before_the_run(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(app, ["compare", "avoid", "--out", str(locked / "x"), *TINY])
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2 and "permission denied" in result.stderr

"""``ccsim dashboard``: its parts without a browser, then the page in headless Chromium.

The browser tests start the real command on a free port of 127.0.0.1 and drive Debian's
Chromium with Playwright (Playwright's own browser download is not available here).
Without Chromium they are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.dashboard import comparison as cmp
from experiments.dashboard.replay import OPENING, new_caller, replay, strongest_strategy
from experiments.folder import finished_folder
from sim.errors import InputError
from sim.lab import Caller, play_calls
from sim.parameters import Parameters

#: A small center: two days, 3,000 customers, 600 first contacts a day, 4 CSRs.
SMALL_SET = ("scenario.customers=3000", "scenario.first_contacts_per_day=600")
SMALL = cmp.Settings(("negotiate", "avoid"), reps=2, days=2, csrs=4, overrides=SMALL_SET)
BAD_POLICY = 'name = "bad"\n[strategy]\nmix = { negotiate = 0.5, nonsense = 0.5 }\n'


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``ccsim ARGS`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def cli_error(*args: str) -> str:
    """The one-line message ``ccsim ARGS`` fails with, without its ``ccsim: error:``."""
    done = cli(*args)
    assert done.returncode == 2, done.stderr
    return done.stderr.strip().removeprefix("ccsim: error: ")


# --- the parts ------------------------------------------------------------------------------
def test_a_replay_plays_both_policies_on_the_same_draws():
    """The opening (anger, the needs) is the same; only the strategies' moves differ."""
    caller, seed = new_caller(3)
    calls = replay(["negotiate", "avoid"], caller, seed)
    openings = [c.steps.iloc[0] for c in calls]
    assert openings[0]["move"] == OPENING
    pd.testing.assert_series_equal(openings[0], openings[1], check_names=False)
    assert calls[0].moves != calls[1].moves
    same = replay(["negotiate", "negotiate"], caller, seed)
    pd.testing.assert_frame_equal(same[0].steps, same[1].steps)


def test_a_replayed_call_ends_where_the_lab_call_ends():
    """The last step holds the needs the call leaves, and the talk time without the
    call's overhead; a mixed floor plays its strongest strategy."""
    caller = Caller("choleric", "arguer", anger=0.7)
    (call,) = replay(["mixed-floor"], caller, seed=5)
    assert call.strategy == strongest_strategy("mixed-floor").name
    lab = play_calls(strongest_strategy("mixed-floor"), caller, n=1, seed=5).iloc[0]
    last = call.steps.iloc[-1]
    for need in ("vent", "respect", "remedy", "info", "fix"):
        assert last[need] == lab[need]
    assert last["anger"] == lab["final_anger"]
    overhead = Parameters()["conversation.call_overhead_s"]
    assert last["talk_s"] + overhead == pytest.approx(lab["talk_s"], rel=1e-12)
    assert call.moves == lab["moves"].split()


def test_the_nth_new_caller_is_always_the_same():
    assert new_caller(7) == new_caller(7)
    assert new_caller(7) != new_caller(8)


@pytest.fixture(scope="module")
def compiled_engine():
    """The engine compiled (or loaded) once here: the runs these tests start in child
    processes then load it from the cache instead of compiling it, which on a cold cache
    takes minutes on a busy machine and would count against their waits."""
    from sim.model import compile_engine

    compile_engine()


def test_a_cancelled_comparison_keeps_its_finished_replications(tmp_path, compiled_engine):
    """Cancel is the command's Ctrl-C: the folder keeps what finished, marked incomplete."""
    settings = cmp.Settings(("negotiate", "avoid"), reps=6, days=3, csrs=4, overrides=SMALL_SET)
    run = cmp.Comparison.prepare(settings, tmp_path)
    run.start()
    deadline = time.monotonic() + 300
    while run.progress() < 1 and run.poll() == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    run.cancel()
    assert run.state == "cancelled"
    assert 1 <= run.progress() < run.total
    assert run.error == f"cancelled: {run.progress()} of {run.total} replications kept"
    manifest = json.loads((run.folder / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    assert run.resume_command.startswith("ccsim compare negotiate avoid --reps 6 --seed 1")
    assert run.resume_command.endswith(f"--out {run.folder}")


@pytest.mark.parametrize(
    ("option", "typed"), [("--reps", "1"), ("--days", "0"), ("--csrs", "many")]
)
def test_numbers_typed_on_the_page_get_the_clis_message(option, typed):
    fields = {"reps": "2", option.removeprefix("--"): typed}
    with pytest.raises(InputError) as page:
        cmp.settings_from_page(policies="negotiate, avoid", **fields)
    done = cli("compare", "negotiate", "avoid", option, typed)
    assert done.returncode == 2
    assert done.stderr.strip() == f"ccsim compare: error: {page.value} (see --help)"


def test_dashboard_refuses_a_port_in_use_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = cli_error("dashboard", "--port", str(port))
    assert message.startswith(f"--port: cannot listen on 127.0.0.1:{port}"), message


# --- the page in a browser ------------------------------------------------------------------
CHROMIUM = shutil.which("chromium")
browser_tests = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium); CI installs it",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``ccsim dashboard`` on a free port of 127.0.0.1: its URL and results root."""
    folder = tmp_path_factory.mktemp("dashboard")
    results = folder / "results"
    server = subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(free_port())]
        + ["--results", str(results)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=folder,
    )
    line = server.stdout.readline()  # printed once the port is bound
    match = re.fullmatch(r"ccsim dashboard: (http://127\.0\.0\.1:\d+/)\n", line)
    assert match, line + server.stdout.read() if server.poll() is not None else line
    yield {"url": match.group(1), "results": results, "folder": folder}
    server.terminate()  # Ctrl-C's way out: open pages are closed within a second
    server.wait(30)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, dashboard):
    """A fresh browser tab on the dashboard (its own state)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(dashboard["url"])
    tab.get_by_text("Caller #0").wait_for(timeout=120_000)  # compiles the lab on a cold cache
    yield tab
    context.close()


def table(page, test_id: str) -> list[list[str]]:
    """The cells of a table the page drew, row by row (header first)."""
    return page.get_by_test_id(test_id).evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent))"
    )


def set_text(page, label: str, value: str) -> None:
    """Type into a field and commit it, as a user does."""
    field = page.get_by_label(label, exact=True).element_handle()
    field.fill(value)
    field.press("Tab")


def assert_no_traceback(page) -> None:
    assert "Traceback" not in page.locator("body").inner_text()


@browser_tests
def test_the_replay_shows_the_labs_moves_and_anger(page):
    """A new caller is replayed on the lab's draws: same moves, same anger after each."""
    page.get_by_role("button", name="New caller").click()
    caller, seed = new_caller(1)
    page.get_by_text(f"Caller #1: {caller.temperament}, {caller.persona}").wait_for()
    page.get_by_text(f"seed {seed}").wait_for()
    page.get_by_role("button", name="Last").click()
    for n, policy in enumerate(("negotiate", "avoid")):
        lab = play_calls(strongest_strategy(policy), caller, n=1, seed=seed).iloc[0]
        moves = lab["moves"].split()
        page.wait_for_function(
            f"() => document.querySelector('[data-testid=replay-{n}]').rows.length"
            f" == {len(moves) + 2}"
        )
        header, *rows = table(page, f"replay-{n}")
        assert header[:3] == ["step", "move", "anger"]
        assert [r[1] for r in rows] == [OPENING, *moves]
        assert [r[2] for r in rows] == [f"{a:.3f}" for a in lab["trace"]]
        needs = ("vent", "respect", "remedy", "info")
        assert rows[-1][3:7] == [f"{lab[need]:.2f}" for need in needs]
        outcome = page.locator(f".ccsim-outcome-{n}").inner_text()
        assert outcome.startswith("resolved" if lab["resolved"] else "not resolved")
        assert ("escalated" in outcome) == lab["escalated"]
    previous = len(table(page, "replay-0"))
    page.get_by_role("button", name="Previous").click()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=replay-0]').rows.length < {previous}"
    )


@browser_tests
def test_a_bad_policy_file_shows_the_clis_one_line_error(page, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_POLICY)
    expected = cli_error("compare", "negotiate", str(bad), "--reps", "2", "--days", "1")
    set_text(page, "second policy (preset or .toml file)", str(bad))
    page.get_by_text(expected, exact=True).wait_for()
    page.get_by_role("tab", name="Policy comparison").click()
    set_text(page, "policies (presets or .toml files, comma-separated)", f"negotiate, {bad}")
    page.get_by_role("button", name="Run").click()
    page.locator(".ccsim-error:visible").filter(has_text=expected).wait_for()
    assert page.get_by_text("replications", exact=False).filter(has_text="running").count() == 0
    assert_no_traceback(page)


@browser_tests
def test_a_comparison_equals_ccsim_compare_even_after_a_failed_run(
    page, dashboard, compiled_engine
):
    """A run the size guard refuses fails in one line; the next run completes, with the
    numbers of ``ccsim compare`` (same seed and settings) and a folder ccsim can read."""
    out = dashboard["folder"] / "cli"
    command = [sys.executable, "-m", "experiments.cli", *SMALL.arguments(out)]
    by_cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    page.get_by_role("tab", name="Policy comparison").click()
    set_text(page, "days (empty: the scenario's)", "2")
    set_text(page, "replications", "2")
    set_text(page, "head count (empty: planned roster)", "100000000")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("failed: 0 of 4 replications").wait_for()
    assert "size guard" in page.locator(".ccsim-error").inner_text()
    set_text(page, "head count (empty: planned roster)", "4")
    set_text(page, "parameter overrides, one key=value a line (ccsim params)", "\n".join(SMALL_SET))
    page.get_by_role("button", name="Run").click()
    page.get_by_text(re.compile(r"running: \d of 4 replications")).wait_for()
    page.get_by_text("done: 4 of 4 replications").wait_for(timeout=180_000)
    shown = table(page, "comparison-summary")
    assert_no_traceback(page)

    stdout, stderr = by_cli.communicate(timeout=180)
    assert by_cli.returncode == 0, stderr
    expected = cmp.summary_rows(json.loads(stdout)["summary"])
    assert shown[0] == ["metric", "negotiate", "avoid"]
    assert shown[1:] == [list(row.values()) for row in expected]
    (page_folder,) = [p for p in dashboard["results"].iterdir() if (p / "summary.csv").exists()]
    pd.testing.assert_frame_equal(
        pd.read_csv(page_folder / "summary.csv"), pd.read_csv(out / "summary.csv")
    )
    page.get_by_text(f"ccsim report {page_folder.resolve()}").wait_for()
    assert finished_folder(page_folder)["status"] == "complete"  # what ccsim report reads


@browser_tests
def test_cancel_stops_a_running_comparison_and_says_how_to_finish_it(page, compiled_engine):
    page.get_by_role("tab", name="Policy comparison").click()
    set_text(page, "head count (empty: planned roster)", "4")
    set_text(page, "parameter overrides, one key=value a line (ccsim params)", "\n".join(SMALL_SET))
    page.get_by_role("button", name="Run").click()
    page.get_by_text(re.compile(r"running: \d+ of 6 replications")).wait_for()
    page.get_by_role("button", name="Cancel").click()
    status = page.locator(".ccsim-progress")
    status.filter(has_text=re.compile(r"^cancelled: \d of 6 replications$")).wait_for()
    resume = page.locator(".ccsim-resume").inner_text()
    assert resume.startswith(
        "To finish it: ccsim compare negotiate avoid --reps 3 --seed 1 --days 30"
    )
    assert page.get_by_role("button", name="Run").is_enabled()


@browser_tests
def test_the_live_floor_steps_the_mesa_model_a_day_at_a_time(page):
    from experiments.api import ContactCenterModel

    page.get_by_role("tab", name="Live floor").click()
    page.get_by_role("button", name="Step a day").click()
    text = page.get_by_text("Day 1 of 5 finished").inner_text()
    model = ContactCenterModel(
        "negotiate", days=5, seed=1, params=dict(s.split("=") for s in SMALL_SET), csrs=4
    )
    model.step()
    churned = int(model.state.customers["churned"].sum())
    assert f"customers churned so far: {churned};" in text
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Press Play or Step a day").wait_for()
    page.get_by_role("button", name="Play").click()
    page.get_by_text("Day 0 of 5 finished").wait_for()
    page.get_by_role("button", name="Pause").click()
    assert_no_traceback(page)


@browser_tests
def test_two_tabs_do_not_share_state(page, dashboard):
    other = page.context.new_page()
    other.goto(dashboard["url"])
    other.get_by_text("Caller #0").wait_for()
    page.get_by_role("button", name="New caller").click()
    page.get_by_text("Caller #1").wait_for()
    set_text(page, "first policy (preset or .toml file)", "compete")
    page.get_by_text("compete (strategy compete)").wait_for()
    assert other.get_by_text("Caller #0").is_visible()
    assert other.get_by_text("negotiate (strategy negotiate)").is_visible()

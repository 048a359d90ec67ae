"""Benchmarks, side by side in one process run (the machines are shared and noisy: only
ratios measured together mean something). Run on demand, not in CI:

    python benchmarks/bench.py queue          # the queue alone (a whole process) vs SimPy
    python benchmarks/bench.py model          # the full model vs SimPy; memory 30 vs 180 days
    python benchmarks/bench.py compare        # default `ccsim compare` wall time, --jobs 1 vs 2
    python benchmarks/bench.py sweep          # a sweep on a Dask LocalCluster vs --jobs 2
    python benchmarks/bench.py sensitivity    # a Morris screen of 20 parameters; Dask vs --jobs 2
    python benchmarks/bench.py fit            # `ccsim fit` on a generated log of 1 million calls
    python benchmarks/bench.py calibrate      # 3 parameters to the 6 shipped targets, default scenario
    python benchmarks/bench.py cli            # `ccsim --help` and `ccsim erlang` vs `import typer, rich`
    python benchmarks/bench.py guard          # the size guard's estimates vs measured runs
    python benchmarks/bench.py dashboard      # `ccsim dashboard`: a new caller, a run's first progress
    python benchmarks/bench.py all [--quick]  # everything (--quick: a tenth of the work)

Targets (from the issues): the queue alone, whole process, >= 20x SimPy's loop on the same
M/M/50+M; the full model, whole process, >= 2x SimPy's bare-queue loop; 180-day memory
<= 1.5x the 30-day one; default compare < 60 s; a calibration of three parameters to six
targets on the default scenario < 10 min on 2 cores; `ccsim --help` <= 4x and `ccsim
erlang` <= 8x the time of `python -c "import typer, rich"`; the dashboard's call replay
answers a new caller in < 0.2 s and its comparison shows progress within 1 s of Run; a
Morris screen of 20 parameters (10 trajectories, 2 replications) on a 30-day scenario
< 15 min with --jobs 2 on 2 cores.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def simpy_mmcm(
    csrs: int, load: float, aht_s: float, patience_s: float, arrivals: int, seed: int = 1
) -> dict:
    """The same M/M/c+M in idiomatic SimPy: a Resource, a request raced with a timeout."""
    import simpy

    rng = np.random.default_rng(seed)
    lam = load * csrs / aht_s
    inter = rng.exponential(1 / lam, arrivals)
    service = rng.exponential(aht_s, arrivals)
    patience = rng.exponential(patience_s, arrivals)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=csrs)
    stats = {"abandoned": 0, "wait": 0.0}

    def caller(i):
        arrive = env.now
        with agents.request() as req:
            result = yield req | env.timeout(patience[i])
            stats["wait"] += env.now - arrive
            if req not in result:
                stats["abandoned"] += 1
                return
            yield env.timeout(service[i])

    def source():
        for i in range(arrivals):
            yield env.timeout(inter[i])
            env.process(caller(i))

    env.process(source())
    env.run()
    return {
        "abandonment_rate": stats["abandoned"] / arrivals,
        "mean_wait_s": stats["wait"] / arrivals,
    }


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def _ccsim(*args: str) -> tuple[float, dict]:
    """Seconds a whole ``ccsim`` process takes (start-up included) and its JSON output."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


def bench_queue(quick: bool) -> None:
    from sim.erlang import erlang_metrics

    csrs, load, aht = 50, 0.96, 300.0
    arrivals = 300_000 if quick else 3_000_000
    rate = load * csrs / aht * 3600
    hours = arrivals / rate
    print(
        f"== The queue alone (people off), M/M/{csrs}+M, load {load}, patience 2 x AHT, "
        f"{arrivals:,} arrivals: a whole `ccsim run` process vs SimPy's loop =="
    )
    _ccsim("run", "--behaviour", "off", "--hours", "1")  # warm the compiled cache
    t_sim, r_sim = _ccsim(
        "run", "--behaviour", "off", "--arrival-rate", f"{rate}", "--hours", f"{hours}",
        "--csrs", str(csrs), "--aht", f"{aht}", "--patience", f"{2 * aht}", "--interval-min", "60",
    )  # fmt: skip
    t_py, r_py = timed(simpy_mmcm, csrs, load, aht, 2 * aht, arrivals)
    exact = erlang_metrics(rate, aht, csrs, 2 * aht)
    a_sim, a_py = r_sim["offered"] / t_sim, arrivals / t_py
    print(
        f"ccsim (whole process) {a_sim:,.0f} arrivals/s ({t_sim:.2f} s); SimPy loop "
        f"{a_py:,.0f} arrivals/s ({t_py:.1f} s); ratio {a_sim / a_py:.1f}x (target 20x)"
    )
    print(
        f"   abandonment: ccsim {r_sim['abandonment_rate']:.4f}, SimPy {r_py['abandonment_rate']:.4f}, "
        f"Erlang A {exact['abandonment_rate']:.4f}; mean wait (s): ccsim {r_sim['mean_wait_s']:.2f}, "
        f"SimPy {r_py['mean_wait_s']:.2f}, Erlang A {exact['mean_wait_s']:.2f}"
    )


#: The fixed workload of the full-model benchmark, whatever the defaults become.
WORKLOAD = {
    "scenario.customers": 50_000,
    "scenario.first_contacts_per_day": 4000,
    "operations.csrs": 50,
}


def _model_run(days: int, policy: str = "negotiate") -> tuple[float, int, float]:
    """Seconds to build and run the fixed workload in this process, contacts simulated,
    seconds to build."""
    from policies.policy import load_policy
    from sim.model import ContactCenter, People, people_operations
    from sim.parameters import Parameters

    params = Parameters({**WORKLOAD, "scenario.days": days})
    floor = load_policy(policy).floor()
    start = time.perf_counter()
    model = ContactCenter(people_operations(params, floor), People(params, floor), seed=1)
    built = time.perf_counter()
    model.run()
    elapsed = time.perf_counter() - start
    return elapsed, model.summary()["contacts"], built - start


def _peak_rss_mb() -> float:
    """This process's peak resident memory, MB.

    Linux's ``VmHWM`` is the peak of this program's own memory. ``ru_maxrss`` is not: a
    child started by fork and exec (as ``subprocess`` does) inherits the parent's peak at
    the fork, which made a large benchmark process look like a large model.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb_of(days: int) -> float:
    """Peak resident memory of a fresh process running ``days`` days (MB)."""
    code = (
        "import sys; sys.path.insert(0, %r); from benchmarks.bench import _model_run, _peak_rss_mb; "
        "_model_run(%d); print(_peak_rss_mb())"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code % (root, days)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_model(quick: bool) -> None:
    days = 5 if quick else 30
    print(
        f"== Full model (50,000 customers, 4,000 first contacts a day, 50 CSRs, negotiate, "
        f"{days} days): a whole `ccsim run` process vs SimPy's bare M/M/50+M loop =="
    )
    sets = [x for k, v in WORKLOAD.items() for x in ("--set", f"{k}={v}")]
    _ccsim("run", "--days", "1", *sets)  # warm the compiled cache
    t_model, summary = _ccsim("run", "--policy", "negotiate", "--days", str(days), *sets)
    _, _, t_build = _model_run(1)
    n = 20_000 if quick else 200_000
    t_py, _ = timed(simpy_mmcm, 50, 0.96, 300.0, 600.0, n)
    contacts = summary["contacts"]
    c_rate, s_rate = contacts / t_model, n / t_py
    print(
        f"ccsim: {contacts:,} contacts in {t_model:.2f} s, start-up and building the base "
        f"included = {c_rate:,.0f} contacts/s (building 50,000 customers: {t_build:.2f} s); "
        f"SimPy: {s_rate:,.0f} arrivals/s; ratio {c_rate / s_rate:.2f}x (target 2x)"
    )
    if not quick:
        short, long_ = _peak_rss_mb_of(30), _peak_rss_mb_of(180)
        print(
            f"peak memory: 30 days {short:.0f} MB, 180 days {long_:.0f} MB, ratio {long_ / short:.2f}x"
        )


def bench_compare(quick: bool) -> None:
    print("== Default `ccsim compare` (7 presets, default replications and days, charts) ==")
    args = ["--quiet"] + (["--days", "5"] if quick else [])
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "experiments.cli",
                    "compare",
                    "--jobs",
                    str(jobs),
                    "--out",
                    out,
                    *args,
                ],
                check=True,
                capture_output=True,
            )
            print(f"--jobs {jobs}: {time.perf_counter() - start:.1f} s")


def bench_sweep(quick: bool) -> None:
    from dask.distributed import Client, LocalCluster

    from experiments.design import design_points, parse_param
    from experiments.options import make_tasks
    from experiments.runner import Scenario, execute
    from policies.policy import load_policy, preset_names

    points = 20 if quick else 200
    print(f"== Sweep: {points} points x 7 policies x 5 replications (small scenario) ==")
    ranges = [parse_param("operations.csrs=5:15:2"), parse_param("customers.loss_aversion=1.5:3:2")]
    design = design_points(ranges, "lhs", points, seed=1)
    scenario = Scenario(
        overrides={
            "scenario.days": 1,
            "scenario.customers": 2000,
            "scenario.first_contacts_per_day": 200.0,
            "operations.supervisors": 1,
        }
    )
    tasks = make_tasks([load_policy(p) for p in preset_names()], scenario, 5, 1, design)
    start = time.perf_counter()
    execute(tasks, jobs=2)
    t_jobs = time.perf_counter() - start
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        execute(tasks, scheduler=client)
        t_dask = time.perf_counter() - start
    print(
        f"{len(tasks):,} runs: --jobs 2 {t_jobs:.1f} s ({len(tasks) / t_jobs:.1f} runs/s); "
        f"LocalCluster(2) {t_dask:.1f} s ({len(tasks) / t_dask:.1f} runs/s); overhead {t_dask / t_jobs - 1:+.0%}"
    )


#: The screen's 20 parameters: the six a one-at-a-time screen found to move the
#: negotiate-minus-avoid retention gap, moves, skills and memory that it found not to,
#: and a wage, which cannot move retention (a null control: its index must be 0).
SCREEN = (
    "scenario.first_contacts_per_day",
    "customers.loss_aversion",
    "memory.anger_weight",
    "conversation.escalation_anger",
    "conversation.resolved_need",
    "issues.return_probability",
    "memory.peak_weight",
    "memory.resolved_gain",
    "memory.wait_loss_per_min",
    "customers.mean_patience_s",
    "customers.balance_base",
    "issues.failure_share",
    "issues.mean_difficulty",
    "csr.empathy",
    "csr.problem_solving",
    "csr.self_control",
    "moves.solve.talk_s",
    "moves.solve.fix",
    "moves.insist_policy.provoke",
    "scenario.csr_wage_per_hour",
)


def bench_sensitivity(quick: bool) -> None:
    from dask.distributed import Client, LocalCluster

    from experiments.options import make_tasks
    from experiments.runner import Scenario, execute
    from experiments.sensitivity import Design, parse_factor
    from policies.policy import load_policy

    days, trajectories = (5, 2) if quick else (30, 10)
    print(
        f"== Morris screen: {len(SCREEN)} parameters (default +-50%), {trajectories} "
        f"trajectories, 2 replications, negotiate-avoid retention, {days} days, --jobs 2 =="
    )
    argv = ["sensitivity", "--contrast", "negotiate-avoid", "--metric", "retention_rate"]
    for key in SCREEN:
        argv += ["--param", key]
    argv += ["--trajectories", str(trajectories), "--reps", "2", "--days", str(days)]
    with tempfile.TemporaryDirectory() as out:
        took, data = _ccsim(*argv, "--jobs", "2", "--quiet", "--out", out)
    runs = trajectories * (len(SCREEN) + 1) * 2 * 2
    print(f"{runs:,} runs in {took / 60:.1f} min ({runs / took:.2f} runs/s); target < 15 min")
    print(data["finding"])
    for row in data["indices"][:8]:
        print(f"  {row['parameter']:<36} mu* {row['mu_star']:.4f} +- {row['mu_star_ci']:.4f}")
    wage = next(r for r in data["indices"] if r["parameter"] == "scenario.csr_wage_per_hour")
    print(f"  (null control) scenario.csr_wage_per_hour mu* {wage['mu_star']:.4g}")

    # Runs per second on a 2-worker Dask LocalCluster against --jobs 2, on one trajectory.
    design = Design("morris", tuple(parse_factor(k) for k in SCREEN), 1, seed=1)
    tasks = make_tasks(
        [load_policy("negotiate"), load_policy("avoid")],
        Scenario(overrides={"scenario.days": days}),
        2,
        1,
        design.points(),
    )
    start = time.perf_counter()
    execute(tasks, jobs=2)
    t_jobs = time.perf_counter() - start
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        execute(tasks, scheduler=client)
        t_dask = time.perf_counter() - start
    print(
        f"{len(tasks)} runs: --jobs 2 {len(tasks) / t_jobs:.2f} runs/s; LocalCluster(2) "
        f"{len(tasks) / t_dask:.2f} runs/s ({t_jobs / t_dask:.2f}x)"
    )


def _call_log(calls: int, path: str, seed: int = 1) -> dict:
    """A per-call log of about ``calls`` calls over whole days of the packaged weekday
    shape, written as an ACD would (ISO times); returns the parameters it was drawn with.

    The queue is stylised (each caller is offered an exponential wait and hangs up if
    their patience is shorter): enough for the estimators to face a realistic mix of
    answered and abandoned calls, without simulating a million calls first.
    """
    from importlib import resources

    import pandas as pd

    truth = {"mu": float(np.log(240.0)), "sigma": 0.6, "patience_s": 180.0, "offered_wait_s": 40.0}
    rng = np.random.default_rng(seed)
    shape = pd.read_csv(resources.files("sim.data").joinpath("weekday_profile.csv"))["share"]
    share = (shape / shape.sum()).to_numpy()
    per_day = 20_000
    days = max(1, round(calls / per_day))
    width = 86_400.0 / len(share)
    starts = (np.arange(days)[:, None] * 86_400.0 + np.arange(len(share)) * width).ravel()
    counts = rng.poisson(np.tile(share * per_day, days))
    arrived = np.repeat(starts, counts) + rng.random(counts.sum()) * width
    n = len(arrived)
    offered = rng.exponential(truth["offered_wait_s"], n)
    patience = rng.exponential(truth["patience_s"], n)
    handle = rng.lognormal(truth["mu"], truth["sigma"], n)
    answered = patience >= offered
    base = np.datetime64("2024-01-01T00:00:00", "ms")

    def iso(seconds: np.ndarray) -> np.ndarray:
        return (base + np.round(seconds * 1000).astype("timedelta64[ms]")).astype(str)

    pd.DataFrame(
        {
            "arrived": iso(arrived),
            "answered": np.where(answered, iso(arrived + offered), ""),
            "ended": iso(np.where(answered, arrived + offered + handle, arrived + patience)),
            "outcome": np.where(answered, "answered", "abandoned"),
        }
    ).to_csv(path, index=False)
    return {**truth, "calls": n, "days": days}


def bench_fit(quick: bool) -> None:
    import json

    calls = 100_000 if quick else 1_000_000
    print(f"== `ccsim fit` on a generated log of {calls:,} calls (CSV, ISO times) ==")
    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "calls.csv")
        start = time.perf_counter()
        truth = _call_log(calls, log)
        made = time.perf_counter() - start
        size = os.path.getsize(log) / 1e6
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "experiments.cli",
                "fit",
                log,
                "--json",
                "--out",
                os.path.join(work, "fit"),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - start
    got = json.loads(done.stdout)
    print(
        f"{truth['calls']:,} calls over {truth['days']} days ({size:.0f} MB, written in "
        f"{made:.1f} s): fit {took:.1f} s end to end (read, fit, write, charts), "
        f"{truth['calls'] / took:,.0f} calls/s"
    )
    print(
        f"   mu {got['handle_time_mu']:.4f} (true {truth['mu']:.4f}), sigma "
        f"{got['handle_time_sigma']:.4f} (true {truth['sigma']}), mean patience "
        f"{got['patience_mean_s']:.1f} s (true {truth['patience_s']}, {got['patience_model']})"
    )


def bench_calibrate(quick: bool) -> None:
    """The issue's speed check: three parameters to the six shipped targets on the default
    scenario, 2 workers (``--quick``: 10 days, the same search)."""
    print("== `ccsim calibrate --targets default`: 3 free parameters, 6 targets, --jobs 2 ==")
    free = [
        "customers.mean_patience_s=60:900",
        "customers.balance_base=3:30",
        "customers.background_churn_per_year=0:0.2",
    ]
    args = ["calibrate", "--targets", "default", "--jobs", "2", "--quiet"]
    args += [a for f in free for a in ("--free", f)] + (["--days", "10"] if quick else [])
    with tempfile.TemporaryDirectory() as out:
        seconds, result = _ccsim(*args, "--out", out)
    print(
        f"{seconds:.0f} s, {result['evaluations']} evaluations x 3 replications, loss "
        f"{result['loss']:.3g} ({result['message']}); fitted {result['params']}"
    )


def _wall(argv: list[str], repeat: int) -> float:
    """Median wall time of a command, whole process, s."""
    import statistics

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_cli(quick: bool) -> None:
    print("== Start-up: ccsim commands against importing Typer and Rich (median wall time) ==")
    repeat = 3 if quick else 9
    ccsim = [sys.executable, "-m", "experiments.cli"]
    base = _wall([sys.executable, "-c", "import typer, rich"], repeat)
    rows = (
        ("ccsim --help", [*ccsim, "--help"], 4),
        (
            "ccsim erlang (C)",
            [*ccsim, "erlang", "--arrival-rate", "200", "--aht", "180", "--agents", "14"],
            8,
        ),
        (
            "ccsim erlang (A, target)",
            [
                *ccsim,
                "erlang",
                "--arrival-rate",
                "576",
                "--aht",
                "300",
                "--patience",
                "600",
                "--target-sl",
                "0.8",
            ],
            8,
        ),
    )
    print(f"python -c 'import typer, rich': {base:.3f} s")
    for name, argv, target in rows:
        t = _wall(argv, repeat)
        verdict = "ok" if t <= target * base else "OVER"
        print(f"{name}: {t:.3f} s = {t / base:.1f}x (target <= {target}x: {verdict})")


def bench_guard(quick: bool) -> None:
    """The size guard's per-task estimates next to a measured task (a warm worker)."""
    from experiments import guard
    from experiments.runner import Scenario, Task, run_task
    from policies.policy import load_policy

    print("== Size guard: estimated vs measured time and peak memory of one task ==")
    cases = [
        {"scenario.days": 10},
        {"scenario.days": 10, "scenario.customers": 200_000},
        {"scenario.days": 3, "operations.csrs": 20_000},
    ]
    if not quick:
        cases.append({"scenario.days": 60})
    warm = {
        "scenario.days": 1,
        "scenario.customers": 2000,
        "scenario.first_contacts_per_day": 200.0,
    }
    run_task(Task(load_policy("negotiate"), Scenario(overrides=warm), 1, 0))
    for over in cases:
        scenario = Scenario(overrides=over, trace_anger=True)
        policy = load_policy("negotiate")
        cost = guard.estimate(guard.workload([policy], scenario, reps=1))
        start = time.perf_counter()
        run_task(Task(policy, scenario, 1, 0))
        took = time.perf_counter() - start
        print(
            f"{over}: time {took:.2f} s measured, {cost.task_s:.2f} s estimated; peak memory so far "
            f"{_peak_rss_mb():.0f} MB, estimated {cost.worker_bytes / 2**20:.0f} MB"
        )


#: Clicks a button in the page and resolves with the ms until the page's text holds the
#: expected words (the page's own latency: no Playwright actionability checks).
_LATENCY_JS = """([label, expected]) => new Promise(resolve => {
  const button = [...document.querySelectorAll("button")]
    .find(b => b.textContent.trim() === label && b.offsetParent !== null);
  const start = performance.now();
  const done = () => document.body.textContent.includes(expected);
  const watch = new MutationObserver(() => {
    if (done()) { watch.disconnect(); resolve(performance.now() - start); }
  });
  watch.observe(document.body, {subtree: true, childList: true, characterData: true});
  button.click();
})"""


def _page_latency(page, label: str, expected: str) -> float:
    """Ms from a click on the visible button ``label`` to ``expected`` in the page."""
    return page.evaluate(_LATENCY_JS, [label, expected])


def bench_dashboard(quick: bool) -> None:
    """The dashboard's two speed targets, in this process and in Chromium (if installed)."""
    import re
    import shutil
    import socket

    from experiments.dashboard import comparison as cmp
    from experiments.dashboard.replay import new_caller, replay

    print("== Dashboard: a new caller's replay; a comparison's first progress ==")
    replay(["negotiate", "avoid"], *new_caller(0))  # compiled code loaded
    times = []
    for n in range(1, 21 if quick else 201):
        start = time.perf_counter()
        replay(["negotiate", "avoid"], *new_caller(n))
        times.append(time.perf_counter() - start)
    print(
        f"replay of a new caller (two calls), in process: median {np.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms (target < 200 ms)"
    )
    with tempfile.TemporaryDirectory() as root:
        settings = cmp.Settings(("negotiate", "avoid"), reps=2, days=1, csrs=4)
        start = time.perf_counter()
        run = cmp.Comparison.prepare(settings, root)
        run.start()
        started = time.perf_counter() - start
        run.cancel()
    print(f"comparison checked and started, in process: {started * 1000:.0f} ms (target < 1 s)")
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found: the in-browser figures are skipped")
        return
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as root:
        server = subprocess.Popen(
            [sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port)]
            + ["--results", root],
            stdout=subprocess.PIPE,
            text=True,
        )
        url = re.search(r"http://\S+", server.stdout.readline()).group(0)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium)
                page = browser.new_page()
                page.goto(url)
                page.get_by_text("Caller #0").wait_for(timeout=60_000)
                clicks = [
                    _page_latency(page, "New caller", f"Caller #{n}:")
                    for n in range(1, 6 if quick else 21)
                ]
                print(
                    f"new caller, click to page updated in Chromium: median "
                    f"{np.median(clicks):.0f} ms, max {max(clicks):.0f} ms (target < 200 ms)"
                )
                page.get_by_role("tab", name="Policy comparison").click()
                page.get_by_role("button", name="Run").wait_for()
                shown = _page_latency(page, "Run", "replications")
                page.get_by_text(re.compile(r"running: \d+ of \d+ replications")).wait_for()
                page.get_by_role("button", name="Cancel").click()
                page.get_by_text(re.compile("cancelled")).first.wait_for(timeout=60_000)
                print(
                    f"comparison, Run to progress shown in Chromium: {shown:.0f} ms (target < 1 s)"
                )
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "what",
        choices=(
            "queue",
            "model",
            "compare",
            "sweep",
            "sensitivity",
            "fit",
            "calibrate",
            "cli",
            "guard",
            "dashboard",
            "all",
        ),  # fmt: skip
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for name, fn in (
        ("queue", bench_queue),
        ("model", bench_model),
        ("compare", bench_compare),
        ("sweep", bench_sweep),
        ("sensitivity", bench_sensitivity),
        ("fit", bench_fit),
        ("calibrate", bench_calibrate),
        ("cli", bench_cli),
        ("guard", bench_guard),
        ("dashboard", bench_dashboard),
    ):
        if args.what in (name, "all"):
            fn(args.quick)


if __name__ == "__main__":
    main()

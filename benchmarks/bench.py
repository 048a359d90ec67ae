"""Benchmarks, side by side in one process run (the machines are shared and noisy: only
ratios measured together mean something). Run on demand, not in CI:

    python benchmarks/bench.py queue          # ccsim's queue core vs SimPy, M/M/c+M
    python benchmarks/bench.py model          # the full model vs SimPy; memory 30 vs 180 days
    python benchmarks/bench.py compare        # default `ccsim compare` wall time, --jobs 1 vs 2
    python benchmarks/bench.py sweep          # a sweep on a Dask LocalCluster vs --jobs 2
    python benchmarks/bench.py cli            # `ccsim --help` and `ccsim erlang` vs `import typer, rich`
    python benchmarks/bench.py guard          # the size guard's estimates vs measured runs
    python benchmarks/bench.py all [--quick]  # everything (--quick: a tenth of the work)

Targets (from the issues): queue core >= 5x SimPy arrivals/s; full model contacts/s >=
SimPy bare-queue arrivals/s; 180-day memory <= 1.5x the 30-day one; default compare < 60 s;
`ccsim --help` <= 4x and `ccsim erlang` <= 8x the time of `python -c "import typer, rich"`.
"""

from __future__ import annotations

import argparse
import gc
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


def ccsim_mmcm(
    csrs: int, load: float, aht_s: float, patience_s: float, arrivals: int, seed: int = 1
) -> dict:
    from sim.arrivals import constant_profile
    from sim.model import ContactCenter, OperationsConfig
    from sim.staffing import Staffing

    rate_per_h = load * csrs / aht_s * 3600
    config = OperationsConfig(
        constant_profile(rate_per_h, arrivals / rate_per_h, 60),
        Staffing.fixed(csrs),
        aht_s=aht_s,
        patience_s=patience_s,
    )
    model = ContactCenter(config, seed=seed, keep_records=True).run()
    s = model.summary()
    return {
        "abandonment_rate": s["abandonment_rate"],
        "mean_wait_s": s["mean_wait_s"],
        "offered": s["offered"],
    }


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def bench_queue(quick: bool) -> None:
    from sim.erlang import erlang_metrics

    print("== Queue core: ccsim vs SimPy, M/M/c+M, load 0.96, mean patience = 2 x AHT ==")
    # Warm up both (imports, first allocations) so that only the simulation is timed.
    ccsim_mmcm(5, 0.9, 300.0, 600.0, 2000)
    simpy_mmcm(5, 0.9, 300.0, 600.0, 2000)
    for csrs, arrivals in ((50, 200_000), (500, 1_000_000)):
        n = arrivals // 10 if quick else arrivals
        aht = 300.0
        t_sim, r_sim = timed(ccsim_mmcm, csrs, 0.96, aht, 2 * aht, n)
        t_py, r_py = timed(simpy_mmcm, csrs, 0.96, aht, 2 * aht, n)
        exact = erlang_metrics(0.96 * csrs / aht * 3600, aht, csrs, 2 * aht)
        a_sim, a_py = r_sim["offered"] / t_sim, n / t_py
        print(
            f"{csrs} CSRs, {n:,} arrivals: ccsim {a_sim:,.0f} arrivals/s ({t_sim:.2f} s), "
            f"SimPy {a_py:,.0f} arrivals/s ({t_py:.2f} s), ratio {a_sim / a_py:.1f}x"
        )
        print(
            f"   abandonment: ccsim {r_sim['abandonment_rate']:.4f}, SimPy {r_py['abandonment_rate']:.4f}, "
            f"Erlang A {exact['abandonment_rate']:.4f}; mean wait (s): ccsim {r_sim['mean_wait_s']:.2f}, "
            f"SimPy {r_py['mean_wait_s']:.2f}, Erlang A {exact['mean_wait_s']:.2f}"
        )


def _model_run(days: int, policy: str = "negotiate") -> tuple[float, int, float]:
    """Seconds to build and run the default model, contacts simulated, seconds to build."""
    from policies.policy import load_policy
    from sim.behaviour import BehaviourCenter
    from sim.parameters import Parameters

    params = Parameters({"scenario.days": days})
    start = time.perf_counter()
    model = BehaviourCenter(params, load_policy(policy).floor(), seed=1)
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
        f"== Full model (default population, negotiate, {days} days, 50 CSRs) vs SimPy bare queue =="
    )
    _model_run(1)  # warm up: imports, and compiling the loops if the cache is cold
    t_model, contacts, t_build = _model_run(days)
    n = 20_000 if quick else 200_000
    t_py, _ = timed(simpy_mmcm, 50, 0.96, 300.0, 600.0, n)
    c_rate, s_rate = contacts / t_model, n / t_py
    print(
        f"ccsim full model: {contacts:,} contacts in {t_model:.2f} s = {c_rate:,.0f} contacts/s "
        f"(building the 50,000 customers and CSRs: {t_build:.2f} s of it); "
        f"SimPy M/M/50+M: {s_rate:,.0f} arrivals/s; ratio {c_rate / s_rate:.2f}x"
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "what", choices=("queue", "model", "compare", "sweep", "cli", "guard", "all")
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for name, fn in (
        ("queue", bench_queue),
        ("model", bench_model),
        ("compare", bench_compare),
        ("sweep", bench_sweep),
        ("cli", bench_cli),
        ("guard", bench_guard),
    ):
        if args.what in (name, "all"):
            fn(args.quick)


if __name__ == "__main__":
    main()

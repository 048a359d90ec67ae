"""``ccsim fit``: known parameters come back from call logs, within stated tolerances.

Two sources of logs with known truth:

- an independent generator written here: Poisson arrivals with a piecewise-constant
  profile, lognormal handle times, exponential or Weibull patience, a fixed head count,
  served first come first served by a plain-Python multi-server queue;
- ccsim's own ``--contacts`` export, with patience made a plain exponential of known mean
  (``customers.patience_anger_factor = 0`` and every persona's urgency 1: see
  ``sim.engine.contact.patience``).

Tolerances are z = 4 standard errors, each derived in a comment where it is used; with
the handful of comparisons here a correct estimator fails one by chance about once in
several thousand runs, and the seeds are fixed.
"""

from __future__ import annotations

import heapq
import json
import math
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from experiments.call_log import LogFormat, read_call_log
from experiments.cli import app
from experiments.fitting import Fit, fit_call_log, fit_patience
from policies.policy import load_policy
from sim.arrivals import profile_from_file
from sim.catalogue import PERSONAS
from sim.model import ContactCenter, People, people_operations
from sim.parameters import Parameters, read_params_file

Z = 4.0
runner = CliRunner()

# --- the independent generator ---------------------------------------------------------------

#: Expected calls per 30-minute interval from 08:00 to 18:00 (20 intervals).
PROFILE = np.array(
    [40, 60, 80, 100, 110, 105, 95, 90, 85, 80, 90, 100, 105, 95, 85, 75, 65, 55, 45, 35],
    dtype=float,
)
OPEN_S = 8 * 3600.0
INTERVAL_S = 1800.0
MU, SIGMA = math.log(240.0), 0.6  # handle time: lognormal of log seconds
THETA = 180.0  # mean patience, s (exponential)
AGENTS = 17


def simulate_center(
    days: int,
    seed: int,
    *,
    profile: np.ndarray = PROFILE,
    open_s: float = OPEN_S,
    agents: int = AGENTS,
    patience: Callable[[np.random.Generator, int], np.ndarray] | None = None,
    service: Callable[[np.random.Generator, int], np.ndarray] | None = None,
) -> pd.DataFrame:
    """A call log: ``arrived, answered, ended, outcome`` as an ACD writes it (ISO times).

    Each day's arrivals are a Poisson process with a piecewise-constant rate (a Poisson
    count per interval, uniform times within it: the exact construction). ``agents``
    identical servers serve in arrival order; a caller whose wait would exceed their
    patience hangs up at the end of it and takes no server. Under FCFS a caller's wait
    depends only on those ahead, so one pass in arrival order with a heap of the servers'
    free times is the whole queue (an abandoning caller leaves the heap unchanged).
    """
    rng = np.random.default_rng(seed)
    patience = patience or (lambda r, n: r.exponential(THETA, n))
    service = service or (lambda r, n: r.lognormal(MU, SIGMA, n))
    starts = open_s + np.arange(len(profile)) * INTERVAL_S
    times = []
    for day in range(days):
        counts = rng.poisson(profile)
        begin = np.repeat(day * 86_400.0 + starts, counts)
        times.append(begin + rng.random(len(begin)) * INTERVAL_S)
    arrived = np.sort(np.concatenate(times))
    n = len(arrived)
    willing, work = patience(rng, n), service(rng, n)
    answered = np.full(n, np.nan)
    ended = np.empty(n)
    free = [0.0] * agents
    for i, (a, p, s) in enumerate(
        zip(arrived.tolist(), willing.tolist(), work.tolist(), strict=True)
    ):
        start = max(a, free[0])
        if start - a <= p:
            answered[i] = start
            ended[i] = start + s
            heapq.heapreplace(free, start + s)
        else:
            ended[i] = a + p
    return pd.DataFrame(
        {
            "arrived": _iso(arrived),
            "answered": np.where(np.isnan(answered), "", _iso(np.nan_to_num(answered))),
            "ended": _iso(ended),
            "outcome": np.where(np.isnan(answered), "abandoned", "answered"),
        }
    )


def _iso(seconds: np.ndarray) -> np.ndarray:
    """ISO-8601 stamps with milliseconds, seconds counted from Monday 2024-01-01 00:00."""
    stamps = np.datetime64("2024-01-01T00:00:00", "ms") + np.round(seconds * 1000).astype(
        "timedelta64[ms]"
    )
    return stamps.astype(str)


def fit_frame(frame: pd.DataFrame, folder: Path, name: str = "calls.csv", **options) -> Fit:
    path = folder / name
    frame.to_csv(path, index=False)
    return fit_call_log(read_call_log(path), **options)


def abandonments(frame: pd.DataFrame) -> int:
    return int((frame["outcome"] == "abandoned").sum())


def profile_error(fit: Fit, days: int) -> tuple[float, float]:
    """The largest error of the mean calls per interval, in units of sqrt(expected), and
    its bound: a mean of ``days`` Poisson counts has standard error sqrt(lambda / days),
    so each standardised error is within Z / sqrt(days)."""
    profile = fit.profile.set_index("interval_start")["mean"]
    clock = [
        f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}"
        for s in OPEN_S + np.arange(20) * INTERVAL_S
    ]
    observed = profile.loc[clock].to_numpy()
    closed = profile.drop(index=clock)
    assert (closed == 0).all(), "calls outside the opening hours"
    return float(np.max(np.abs(observed - PROFILE) / np.sqrt(PROFILE))), Z / math.sqrt(days)


def recovery(fit: Fit, frame: pd.DataFrame, days: int) -> dict[str, tuple[float, float]]:
    """Error and bound of each recovered quantity of the generator's log."""
    handle = fit.estimates["handle_time"]
    n = fit.summary["answered"]
    exponential = fit.estimates["patience"]["models"]["exponential"]
    d = abandonments(frame)
    return {
        # mu and sigma: the MLE of a normal on log seconds has standard errors
        # sigma / sqrt(n) and sigma / sqrt(2 n) (Fisher information), n answered calls.
        "mu": (abs(handle["mu"] - MU), Z * SIGMA / math.sqrt(n)),
        "sigma": (abs(handle["sigma"] - SIGMA), Z * SIGMA / math.sqrt(2 * n)),
        # Exponential patience, right-censored at the waits of answered calls: the
        # Fisher information of the mean is d / theta^2 for d abandonments, so the
        # standard error of the MLE is theta / sqrt(d).
        "patience": (abs(exponential["mean_s"] - THETA), Z * THETA / math.sqrt(d)),
        "profile": profile_error(fit, days),
    }


# --- recovery from the independent generator ---------------------------------------------------

SMALL_DAYS, LARGE_DAYS, SMALL_LOGS = 2, 32, 8


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, list]:
    """Eight small logs (2 days, ~3,200 calls each) and one 16 times larger (32 days)."""
    folder = tmp_path_factory.mktemp("generated")
    small = [simulate_center(SMALL_DAYS, seed) for seed in range(SMALL_LOGS)]
    large = simulate_center(LARGE_DAYS, 100)
    return {
        "small": [
            recovery(fit_frame(f, folder, f"small{i}.csv"), f, SMALL_DAYS)
            for i, f in enumerate(small)
        ],
        "large": [recovery(fit_frame(large, folder, "large.csv"), large, LARGE_DAYS)],
    }


@pytest.mark.parametrize("quantity", ["mu", "sigma", "patience", "profile"])
def test_fit_recovers_the_generators_parameters_within_their_bounds(generated, quantity):
    for size in ("small", "large"):
        for errors in generated[size]:
            error, bound = errors[quantity]
            assert error <= bound, f"{size} log: {quantity} off by {error:.4g} > {bound:.4g}"


@pytest.mark.parametrize("quantity", ["mu", "sigma", "patience", "profile"])
def test_error_bounds_and_errors_shrink_as_the_log_grows(generated, quantity):
    """Sixteen times the calls: bounds about four times tighter, and errors smaller.

    One small log against one large one would show a larger error on the large log by
    chance about 16% of the time (P(|Z1| / 4 > |Z2|)); against the root mean square of
    eight small logs it is about 0.4% (P(F(1, 8) > 16)).
    """
    small = generated["small"]
    (large_error, large_bound) = generated["large"][0][quantity]
    small_bound = float(np.mean([e[quantity][1] for e in small]))
    small_rms = math.sqrt(np.mean([e[quantity][0] ** 2 for e in small]))
    assert large_bound < small_bound / 3
    assert large_error < small_rms


def test_weibull_patience_is_recognised_and_its_mean_recovered(tmp_path):
    """Weibull patience of shape 0.6 (hazard falling with the wait): the AIC must prefer
    the Weibull, whose mean must be within Z of its own standard error of the truth."""
    shape, scale = 0.6, 150.0
    truth = scale * math.gamma(1 + 1 / shape)
    frame = simulate_center(8, 7, patience=lambda r, n: scale * r.weibull(shape, n))
    patience = fit_frame(frame, tmp_path).estimates["patience"]
    assert patience["model"] == "weibull"
    assert patience["delta_aic"] > 10
    assert abs(patience["mean_s"] - truth) <= Z * patience["mean_se_s"]
    assert abs(patience["models"]["weibull"]["shape"] - shape) < 0.1


def test_censoring_keeps_patience_right_when_most_calls_are_answered_at_once(tmp_path):
    """At a high service level most waits are short answered ones: the few who hang up
    are the impatient, so averaging their waits (ignoring the answered calls, the
    censored observations) badly understates patience. The censored fit must not."""
    theta = 300.0
    frame = simulate_center(
        16,
        11,
        profile=np.full(20, 60.0),
        agents=14,
        patience=lambda r, n: r.exponential(theta, n),
    )
    fit = fit_frame(frame, tmp_path)
    assert fit.summary["service_level"] > 0.9
    d = abandonments(frame)
    tolerance = Z * theta / math.sqrt(d)  # standard error theta / sqrt(d), as above
    calls = read_call_log(tmp_path / "calls.csv").calls
    naive = calls.loc[~calls["answered"], "wait_s"].mean()
    assert abs(theta - naive) > 2 * tolerance, "the naive estimate should be badly biased"
    assert abs(fit.estimates["patience"]["models"]["exponential"]["mean_s"] - theta) <= tolerance
    assert abs(fit.summary["patience_mean_s"] - theta) <= Z * fit.estimates["patience"]["mean_se_s"]
    # Kaplan-Meier with a band of z = 4 (pointwise) covers the true survival curve.
    z4 = 1 - 2 * stats.norm.sf(Z)
    _, table = fit_patience(calls["wait_s"].to_numpy(), ~calls["answered"].to_numpy(), z4)
    for t in (10.0, 30.0, 60.0):
        low = np.interp(t, table["time_s"], table["km_low"])
        high = np.interp(t, table["time_s"], table["km_high"])
        assert low <= math.exp(-t / theta) <= high, t


def test_day_to_day_variation_of_poisson_days_is_the_poisson_one(tmp_path):
    """Poisson days: the CV of daily totals estimates 1 / sqrt(mean). The sample CV of
    D days has a standard error of about CV / sqrt(2 (D - 1))."""
    days = 32
    fit = fit_frame(simulate_center(days, 5), tmp_path)
    arrivals = fit.estimates["arrivals"]
    assert arrivals["days"] == days
    expected = 1 / math.sqrt(PROFILE.sum())
    assert abs(arrivals["daily_cv"] - expected) <= Z * expected / math.sqrt(2 * (days - 1))
    assert set(arrivals["by_weekday"]) == {
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    }


def test_erlang_a_cross_check_agrees_with_a_stationary_mmn_m_log(tmp_path):
    """A stationary M/M/n+M around the clock is what Erlang A describes: its predicted
    abandonment and service level must match the log's within Z standard errors of the
    observed rate, taken from the spread of daily rates (days are nearly independent
    batches; the fitted AHT and patience add a little noise, covered by the margin)."""
    days, agents = 8, 10
    frame = simulate_center(
        days,
        3,
        profile=np.full(48, 55.0),
        open_s=0.0,
        agents=agents,
        service=lambda r, n: r.exponential(300.0, n),
        patience=lambda r, n: r.exponential(240.0, n),
    )
    fit = fit_frame(frame, tmp_path, agents=agents)
    calls = read_call_log(tmp_path / "calls.csv").calls
    day = calls["arrived"].dt.date
    for metric, per_call in (
        ("abandonment_rate", ~calls["answered"]),
        ("service_level", calls["answered"] & (calls["wait_s"] <= 20.0)),
    ):
        daily = per_call.groupby(day).mean()
        se = daily.std(ddof=1) / math.sqrt(days)
        assert abs(fit.summary[f"erlang_a_{metric}"] - fit.summary[metric]) <= Z * se, metric


# --- ccsim's own export ------------------------------------------------------------------------

CCSIM_PATIENCE = 240.0


def ccsim_contacts(days: int, seed: int) -> pd.DataFrame:
    """The per-contact export of a small center whose patience is a plain exponential."""
    params = Parameters(
        {
            "scenario.days": days,
            "scenario.customers": 20000,
            "scenario.first_contacts_per_day": 600.0,
            "operations.csrs": 4,
            "operations.supervisors": 0,
            "customers.mean_patience_s": CCSIM_PATIENCE,
            "customers.patience_anger_factor": 0.0,
            **{f"persona.{p}.urgency": 1.0 for p in PERSONAS},
        }
    )
    floor = load_policy("negotiate").floor()
    model = ContactCenter(
        people_operations(params, floor), People(params, floor), seed=seed, keep_contacts=True
    )
    return model.run().contacts_frame()


CCSIM_FORMAT = LogFormat(
    arrived="arrival_s",
    answered="answered_s",
    ended="end_s",
    waited="wait_s",
    time_format="seconds",
    origin="2024-01-01",
)


def fit_contacts(contacts: pd.DataFrame, path: Path) -> Fit:
    contacts.to_parquet(path, index=False)
    return fit_call_log(read_call_log(path, CCSIM_FORMAT))


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, list]:
    """Eight 2-day exports (about 1,250 contacts each) and one 32-day export."""
    folder = tmp_path_factory.mktemp("exported")
    runs = {
        "small": [ccsim_contacts(2, seed) for seed in range(8)],
        "large": [ccsim_contacts(32, 99)],
    }
    return {
        size: [(c, fit_contacts(c, folder / f"{size}{i}.parquet")) for i, c in enumerate(frames)]
        for size, frames in runs.items()
    }


def test_fit_of_ccsims_export_matches_its_empirical_handle_times(exported):
    """Conversations are not lognormal by construction: the fit must reproduce the
    export's own AHT, CV and log-moments (the lognormal MLE is the mean and standard
    deviation of log seconds)."""
    contacts, fit = exported["large"][0]
    answered = contacts[contacts["outcome"] == "answered"]
    handle = (answered["end_s"] - answered["answered_s"]).to_numpy()
    assert fit.summary["offered"] == len(contacts)
    assert fit.summary["aht_s"] == pytest.approx(handle.mean(), rel=1e-9)
    assert fit.summary["handle_time_cv"] == pytest.approx(
        handle.std(ddof=1) / handle.mean(), rel=1e-9
    )
    assert fit.summary["handle_time_mu"] == pytest.approx(np.log(handle).mean(), abs=1e-6)
    assert fit.summary["handle_time_sigma"] == pytest.approx(np.log(handle).std(), rel=1e-5)
    asa = (answered["answered_s"] - answered["arrival_s"]).mean()
    assert fit.summary["asa_s"] == pytest.approx(asa, rel=1e-9)


def test_fit_of_ccsims_export_recovers_its_mean_patience_and_tightens(exported):
    """Exponential patience of known mean: within Z theta / sqrt(d) (as above) on every
    export; the bound and the error shrink from 2-day exports to the 32-day one."""
    errors = {}
    for size, runs in exported.items():
        errors[size] = []
        for contacts, fit in runs:
            d = int((contacts["outcome"] == "abandoned").sum())
            mean = fit.estimates["patience"]["models"]["exponential"]["mean_s"]
            error, bound = abs(mean - CCSIM_PATIENCE), Z * CCSIM_PATIENCE / math.sqrt(d)
            assert error <= bound, f"{size}: {mean:.1f} s vs {CCSIM_PATIENCE} s"
            errors[size].append((error, bound))
    small_rms = math.sqrt(np.mean([e**2 for e, _ in errors["small"]]))
    assert errors["large"][0][1] < np.mean([b for _, b in errors["small"]]) / 3
    assert errors["large"][0][0] < small_rms


def test_fit_of_ccsims_export_recovers_the_shape_of_its_arrival_profile(exported, tmp_path):
    """First contacts are a thinned Poisson process of the packaged weekday shape, thinned
    alike in every interval, so their share per interval estimates the shape; a share of N
    calls has standard error sqrt(p (1 - p) / N). Repeats and redials come on top of the
    shape, so only first contacts (attempt 1) are compared."""
    from importlib import resources

    shape = pd.read_csv(resources.files("sim.data").joinpath("weekday_profile.csv"))
    share = (shape["share"] / shape["share"].sum()).to_numpy()
    bounds = []
    for contacts, _ in (exported["small"][0], exported["large"][0]):
        first = contacts[contacts["attempt"] == 1]
        fit = fit_contacts(first, tmp_path / "first.parquet")
        mean = fit.profile.set_index("interval_start").loc[shape["interval_start"], "mean"]
        observed = (mean / mean.sum()).to_numpy()
        bound = Z * np.sqrt(share * (1 - share) / len(first))
        assert np.all(np.abs(observed - share) <= bound)
        bounds.append(bound.max())
    assert bounds[1] < bounds[0] / 3


# --- the command -------------------------------------------------------------------------------


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text, text
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, text


@pytest.fixture(scope="module")
def command_run(exported, tmp_path_factory):
    """`ccsim fit` on a ccsim export, mapped with options as a user would."""
    folder = tmp_path_factory.mktemp("command")
    contacts, fit = exported["small"][0]
    log = folder / "contacts.parquet"
    contacts.to_parquet(log, index=False)
    out = folder / "out"
    result = runner.invoke(
        app,
        [
            "fit", str(log), "--arrived", "arrival_s", "--answered", "answered_s",
            "--ended", "end_s", "--waited", "wait_s", "--time-format", "seconds",
            "--origin", "2024-01-01", "--agents", "4", "--json", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out, fit


def test_fit_json_has_the_documented_keys_and_the_fitted_values(command_run):
    summary, out, fit = command_run
    for key in (
        "offered", "abandonment_rate", "asa_s", "service_level", "aht_s", "handle_time_cv",
        "handle_time_mu", "handle_time_sigma", "patience_mean_s", "patience_model",
    ):  # fmt: skip
        assert summary[key] == fit.summary[key], key
    assert summary["patience_model"] in ("exponential", "weibull")
    assert 0 <= summary["erlang_a_abandonment_rate"] <= 1
    assert summary["results"] == str(out)


def test_fit_writes_a_results_folder_that_ccsim_reads_back(command_run):
    summary, out, _ = command_run
    for name in (
        "manifest.json", "estimates.json", "params.toml", "intervals.csv", "profile.csv",
        "daily.csv", "handle_time_by_interval.csv", "handle_time_histogram.csv",
        "patience_survival.csv", "charts/arrival_profile.png", "charts/handle_time.png",
        "charts/patience_survival.png",
    ):  # fmt: skip
        assert (out / name).is_file(), name
    params = read_params_file(out / "params.toml")
    assert params["customers.mean_patience_s"] == round(summary["patience_mean_s"], 1)
    assert params["operations.csrs"] == 4
    profile = profile_from_file(out / "intervals.csv", "2024-01-01:2024-01-02")
    assert profile.expected.sum() == summary["offered"]
    estimates = json.loads((out / "estimates.json").read_text())
    assert estimates["not_in_params"]["handle_time_lognormal_sigma"] == pytest.approx(
        summary["handle_time_sigma"]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "fit" and manifest["parameters"]["agents"] == 4
    assert "customers" in tomllib.loads((out / "params.toml").read_text())


def write_log(path: Path, rows: list[str], header: str = "arrived,answered,ended,outcome") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = [
    "2024-01-01T09:00:00,2024-01-01T09:00:10,2024-01-01T09:05:00,answered",
    "2024-01-01T09:01:00,,2024-01-01T09:02:30,abandoned",
    "2024-01-01T09:02:00,2024-01-01T09:02:40,2024-01-01T09:06:00,answered",
    "2024-01-01T09:03:00,2024-01-01T09:03:05,2024-01-01T09:09:00,answered",
]


def test_a_few_bad_rows_are_skipped_with_a_warning_naming_the_first(tmp_path):
    log = write_log(tmp_path / "calls.csv", [*GOOD * 3, "2024-01-01T09:04:00,soon,,answered"])
    result = runner.invoke(app, ["fit", str(log), "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        f"ccsim: warning: skipped 1 of 13 rows that could not be used (first: {log}:14: "
        "answered: cannot read 'soon' (valid: ISO-8601, e.g. 2024-03-15T09:30:00))"
    )
    summary = json.loads(result.stdout)
    assert summary["offered"] == 12 and summary["skipped_rows"] == 1
    assert summary["abandonment_rate"] == pytest.approx(0.25)
    # Waits 10, 40 and 5 s answered: two of three answered within 20 s, of four offered.
    assert summary["service_level"] == pytest.approx(0.5)
    assert summary["asa_s"] == pytest.approx(55 / 3)


def test_vendor_labels_and_time_formats_are_mapped(tmp_path):
    rows = [
        "01/01/2024 09:00:00;01/01/2024 09:00:10;01/01/2024 09:05:00;ANS",
        "01/01/2024 09:01:00;;01/01/2024 09:02:30;ABN",
    ]
    path = tmp_path / "vendor.csv"
    path.write_text(
        "\n".join(["start,pickup,stop,disposition", *[r.replace(";", ",") for r in rows]]) + "\n"
    )
    fmt = LogFormat(
        arrived="start",
        answered="pickup",
        ended="stop",
        outcome="disposition",
        answered_labels=("ans",),
        abandoned_labels=("ABN",),
        time_format="%d/%m/%Y %H:%M:%S",
    )
    calls = read_call_log(path, fmt).calls
    assert calls["answered"].tolist() == [True, False]
    assert calls["wait_s"].tolist() == [10.0, 90.0]
    assert calls["handle_s"].iloc[0] == 290.0


def test_waits_across_a_daylight_saving_change_use_the_offsets(tmp_path):
    """Clocks go forward at 02:00 on 2024-03-31 in central Europe: a caller arriving at
    01:59:50 (+01:00) and answered at 03:00:10 (+02:00) waited 20 s, not an hour."""
    log = write_log(
        tmp_path / "dst.csv",
        [
            "2024-03-31T01:59:50+01:00,2024-03-31T03:00:10+02:00,2024-03-31T03:05:10+02:00,answered",
            "2024-03-31T03:10:00+02:00,,2024-03-31T03:11:00+02:00,abandoned",
        ],
    )
    calls = read_call_log(log).calls
    assert calls["wait_s"].tolist() == [20.0, 60.0]
    assert calls["handle_s"].iloc[0] == 300.0
    assert calls["arrived"].dt.hour.tolist() == [1, 3]  # the center's own clock


def _latin1(path: Path) -> Path:
    path.write_bytes(
        b"arrived,answered,ended,outcome\n"
        + "2024-01-01T09:00:00,,2024-01-01T09:01:00,abandonné\n".encode("latin-1")
    )
    return path


@pytest.mark.parametrize(
    ("make", "args", "fragments"),
    [
        (lambda p: write_log(p, GOOD, header="start,answered,ended,outcome"), [],
         ["calls.csv:1", "no column 'arrived'", "--arrived", "start"]),
        (lambda p: write_log(p, []), [], ["no calls in the log"]),
        (lambda p: p.write_text("") or p, [], ["file is empty"]),
        (lambda p: write_log(p, [r.replace("2024-01-01T", "01.01.2024 ") for r in GOOD]), [],
         ["4 of 4 rows cannot be used", "calls.csv:2: arrived: cannot read '01.01.2024 09:00:00'"]),
        (lambda p: write_log(p, [r.replace(",answered", ",ANS") for r in GOOD]), [],
         ["3 of 4 rows", "outcome: unknown outcome 'ANS'", "--answered-label"]),
        (lambda p: write_log(p, [*GOOD[:1], *["x,y,z,answered"] * 2]), [],
         ["2 of 3 rows cannot be used", "calls.csv:3: arrived: cannot read 'x'"]),
        (_latin1, [], ["calls.csv:2", "not utf-8 text", "--encoding"]),
        (lambda p: write_log(p, GOOD), ["--encoding", "klingon"], ["unknown encoding"]),
        (lambda p: write_log(p, GOOD), ["--time-format", "dd/mm/yyyy"], ["--time-format"]),
        (lambda p: write_log(p, GOOD), ["--time-format", "%d.%Q"], ["--time-format", "'Q'"]),
        (lambda p: write_log(p, GOOD), ["--interval-min", "7"], ["--interval-min", "divide a day"]),
        (lambda p: write_log(p, GOOD), ["--time-format", "seconds", "--origin", "soon"], ["--origin"]),
        (lambda p: write_log(p, [GOOD[0], *GOOD[2:], "2024-01-01T09:04:00,,,abandoned"]), [],
         ["no abandoned call has a readable hang-up time", "--waited"]),
        (lambda p: p, [], ["file not found"]),
        (lambda p: write_log(p, GOOD), ["--abandoned-label", "ANSWERED"], ["both an answered"]),
    ],
    ids=[
        "missing-column", "empty-log", "empty-file", "malformed-times", "unknown-outcome",
        "mostly-unusable", "not-utf8", "unknown-encoding", "bad-time-format", "bad-directive",
        "bad-interval", "bad-origin", "no-hang-up-times", "missing-file", "label-twice",
    ],
)  # fmt: skip
def test_every_user_error_is_one_line_and_exit_2(tmp_path, make, args, fragments):
    path = make(tmp_path / "calls.csv")
    result = runner.invoke(app, ["fit", str(path), *args, "--out", str(tmp_path / "out")])
    assert_one_line_error(result, *fragments)


def test_a_file_that_is_not_parquet_is_refused(tmp_path):
    path = tmp_path / "calls.parquet"
    path.write_text("arrived,answered,ended,outcome\n")
    assert_one_line_error(runner.invoke(app, ["fit", str(path)]), "cannot read as Parquet")


def test_a_parquet_log_with_timestamp_columns_and_categorical_labels_is_read(tmp_path):
    """Parquet keeps types: times as timestamps (no format to give) and labels as a
    category; missing answer times are nulls."""
    t0 = pd.Timestamp("2024-01-01 09:00:00")
    frame = pd.DataFrame(
        {
            "arrived": [t0, t0 + pd.Timedelta(seconds=60)],
            "answered": [t0 + pd.Timedelta(seconds=12), pd.NaT],
            "ended": [t0 + pd.Timedelta(seconds=312), t0 + pd.Timedelta(seconds=105)],
            "outcome": pd.Categorical(["answered", "abandoned"]),
        }
    )
    frame.to_parquet(tmp_path / "calls.parquet", index=False)
    calls = read_call_log(tmp_path / "calls.parquet").calls
    assert calls["wait_s"].tolist() == [12.0, 45.0]
    assert calls["handle_s"].iloc[0] == 300.0


def test_a_row_with_the_wrong_number_of_fields_is_named_by_its_line(tmp_path):
    log = write_log(tmp_path / "calls.csv", [*GOOD[:2], GOOD[2] + ",extra", GOOD[3]])
    result = runner.invoke(app, ["fit", str(log), "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"(first: {log}:4: expected 4 fields, found 5)" in result.stderr
    assert json.loads(result.stdout)["offered"] == 3


def test_without_abandonments_patience_is_not_guessed(tmp_path):
    """Nobody hung up: every patience is censored, nothing bounds it from above, so no
    mean patience is reported or written to params.toml."""
    answered = [r for r in GOOD if r.endswith(",answered")]
    log = write_log(tmp_path / "calls.csv", answered)
    out = tmp_path / "out"
    result = runner.invoke(app, ["fit", str(log), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["patience_model"] == "none" and summary["patience_mean_s"] is None
    assert "customers.mean_patience_s" not in read_params_file(out / "params.toml")

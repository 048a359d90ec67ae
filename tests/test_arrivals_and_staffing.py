"""Time-varying inputs: interval volumes of a real day, staffing schedules, and their errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.arrivals import constant_profile, profile_from_file, sample_arrivals
from sim.errors import InputError
from sim.model import ContactCenter, OperationsConfig
from sim.records import ANSWERED
from sim.staffing import Staffing, read_schedule

BANK = Path(__file__).parent / "data" / "bank_two_days_6min.csv"


def test_a_real_day_is_read_as_240_six_minute_intervals():
    profile = profile_from_file(BANK, "1999-03-15")
    assert len(profile.starts_s) == 240 and profile.length_s == 360.0
    assert profile.expected.sum() == 1706
    assert profile.labels[100] == "1999-03-15 10:00"


def test_a_date_range_lays_days_end_to_end():
    profile = profile_from_file(BANK, "1999-03-15:1999-03-16")
    assert len(profile.starts_s) == 480 and profile.starts_s[240] == 86_400.0


def test_simulated_arrivals_fit_the_interval_counts():
    """Pooled over replications, arrivals per hour are Poisson with the file's means.

    Chi-square goodness of fit of 60 replications' hourly counts against 60 x the file's
    hourly volume (hours with an expected count of at least 5); a correct generator fails
    this at the 0.1% level once in a thousand seeds, and the seed is fixed.
    """
    profile = profile_from_file(BANK, "1999-03-15")
    rng = np.random.default_rng(7)
    reps = 60
    counts = np.zeros(24)
    for _ in range(reps):
        hours = (sample_arrivals(profile, rng) // 3600).astype(int)
        counts += np.bincount(hours, minlength=24)
    expected = reps * profile.expected.reshape(24, 10).sum(axis=1)
    keep = expected >= 5
    chi2 = (((counts[keep] - expected[keep]) ** 2) / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum()) > 0.001
    # The model offers exactly the arrivals it draws.
    model = ContactCenter(
        OperationsConfig(profile, Staffing.fixed(8), aht_s=200, patience_s=300), seed=3
    ).run()
    assert model.summary()["offered"] == len(
        sample_arrivals(profile, model.streams.generator("arrivals"))
    )


def schedule_file(tmp_path: Path, rows: list[tuple[str, int]]) -> Path:
    path = tmp_path / "schedule.csv"
    path.write_text("interval_start,csrs\n" + "".join(f"{t},{n}\n" for t, n in rows))
    return path


def peak_and_night_wait(staffing: Staffing, seed: int = 4) -> tuple[float, float]:
    profile = profile_from_file(BANK, "1999-03-15")
    config = OperationsConfig(profile, staffing, aht_s=180, patience_s=600)
    table = ContactCenter(config, seed=seed).run().interval_table()
    hour = table["start_s"] // 3600
    peak = table[(hour >= 9) & (hour < 17)]
    night = table[(hour >= 19) & (hour < 23)]
    return (
        peak["wait_all_s"].sum() / peak["offered"].sum(),
        night["wait_all_s"].sum() / night["offered"].sum(),
    )


def test_a_staffing_schedule_lowers_waits_where_it_adds_csrs(tmp_path):
    """Four more CSRs from 09:00 to 17:00 cut the peak's waits and leave the evening's alone."""
    flat = read_schedule(schedule_file(tmp_path, [("00:00", 6)]))
    peaky = read_schedule(schedule_file(tmp_path, [("00:00", 6), ("09:00", 10), ("17:00", 6)]))
    flat_peak, flat_night = peak_and_night_wait(flat)
    sched_peak, sched_night = peak_and_night_wait(peaky)
    assert sched_peak < 0.5 * flat_peak
    assert sched_night == pytest.approx(flat_night, rel=0.25, abs=2.0)


def test_csrs_off_duty_do_not_answer(tmp_path):
    staffing = read_schedule(schedule_file(tmp_path, [("00:00", 0), ("08:00", 8), ("20:00", 0)]))
    profile = profile_from_file(BANK, "1999-03-15")
    model = ContactCenter(
        OperationsConfig(profile, staffing, aht_s=180, patience_s=600), seed=5, keep_records=True
    ).run()
    records = model.records_frame()
    answered = records[records["outcome"] == ANSWERED]
    assert answered["start_s"].between(8 * 3600, 20 * 3600).all()
    early = records[records["arrival_s"] < 8 * 3600 - 600]
    # Nobody is there before 08:00: early callers hang up (patience 10 min on average) or
    # are answered at 08:00 at the earliest.
    assert (early["outcome"] != ANSWERED).mean() > 0.9


def test_a_constant_profile_reports_in_intervals_of_its_own():
    profile = constant_profile(120, 2.5, interval_min=30)
    assert len(profile.starts_s) == 5 and profile.widths_s[-1] == 1800
    assert profile.expected.sum() == pytest.approx(300)


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        ("date,interval_start,calls\n1999-01-01,00:00,3\n1999-01-01,00:06,x\n", 3, "calls"),
        ("date,interval_start,calls\n1999-01-01,00:00,3\n1999-13-01,00:06,2\n", 3, "date"),
        ("date,interval_start,calls\n1999-01-01,0x:00,3\n", 2, "interval_start"),
        ("date,interval_start,calls\n1999-01-01,00:00,-4\n", 2, "calls"),
        ("date,start,calls\n1999-01-01,00:00,3\n", 1, None),
    ],
)
def test_a_malformed_volume_file_names_the_file_line_and_field(tmp_path, content, line, field):
    path = tmp_path / "volumes.csv"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        profile_from_file(path, "1999-01-01")
    message = str(err.value)
    assert f"{path}:{line}" in message
    if field:
        assert field in message
    else:
        assert "missing column 'interval_start'" in message


def test_a_missing_file_and_a_missing_date_are_named():
    with pytest.raises(InputError, match="nofile.csv: file not found"):
        profile_from_file("nofile.csv", "1999-01-01")
    with pytest.raises(
        InputError, match=r"2001-01-01 is not in the file \(valid: dates 1999-03-15 to 1999-03-16\)"
    ):
        profile_from_file(BANK, "2001-01-01")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        profile_from_file(BANK, "15/03/1999")


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ("interval_start,csrs\n00:00,3\n08:00,-1\n", ":3: csrs"),
        (
            "interval_start,csrs\n08:00,3\n07:00,2\n",
            ":3: interval_start: interval starts must increase",
        ),
        ("interval_start,agents\n00:00,3\n", ":1: missing column 'csrs'"),
        ("interval_start,csrs\n00:00,0\n", "nobody is ever on duty"),
    ],
)
def test_a_malformed_schedule_is_refused_with_its_line(tmp_path, rows, fragment):
    path = tmp_path / "s.csv"
    path.write_text(rows)
    with pytest.raises(InputError, match=fragment.replace("(", r"\(")):
        read_schedule(path)


@pytest.mark.parametrize(
    "kwargs", [dict(aht_s=0), dict(aht_s=-5), dict(patience_s=0), dict(aht_cv=-1)]
)
def test_impossible_queue_parameters_are_refused(kwargs):
    with pytest.raises(InputError):
        OperationsConfig(constant_profile(100, 1), Staffing.fixed(2), **kwargs)


@pytest.mark.parametrize("csrs", [0, -3, 2.5])
def test_zero_or_negative_csrs_are_refused(csrs):
    with pytest.raises(InputError, match="csrs"):
        Staffing.fixed(csrs)


@pytest.mark.parametrize(("rate", "hours"), [(0, 1), (-5, 1), (100, 0)])
def test_zero_or_negative_rates_and_horizons_are_refused(rate, hours):
    with pytest.raises(InputError):
        constant_profile(rate, hours)

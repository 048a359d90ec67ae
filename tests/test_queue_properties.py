"""Properties of the queue that hold for any configuration (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.arrivals import constant_profile
from sim.model import ContactCenter, OperationsConfig
from sim.records import ABANDONED, ANSWERED, WAITING
from sim.staffing import Staffing

configs = st.fixed_dictionaries(
    {
        "csrs": st.integers(1, 10),
        "rate_per_h": st.floats(5, 400),
        "hours": st.floats(0.5, 6),
        "aht_s": st.floats(20, 900),
        "patience_s": st.one_of(st.none(), st.floats(5, 1200)),
        "lognormal": st.booleans(),
        "schedule": st.one_of(st.none(), st.lists(st.integers(0, 10), min_size=2, max_size=6)),
        "seed": st.integers(0, 10_000),
    }
)


def build(cfg) -> ContactCenter:
    profile = constant_profile(cfg["rate_per_h"], cfg["hours"], 30)
    if cfg["schedule"] and max(cfg["schedule"]) > 0:
        counts = np.array(cfg["schedule"])
        breaks = np.arange(len(counts)) * 3600.0
        staffing = Staffing(breaks, counts, "test")
    else:
        staffing = Staffing.fixed(cfg["csrs"])
    config = OperationsConfig(
        profile,
        staffing,
        aht_s=cfg["aht_s"],
        aht_cv=1.5 if cfg["lognormal"] else 1.0,
        handle_time="lognormal" if cfg["lognormal"] else "exponential",
        patience_s=cfg["patience_s"],
    )
    return ContactCenter(config, seed=cfg["seed"], keep_records=True).run()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_every_contact_is_accounted_for(cfg):
    """offered = answered + abandoned + still waiting at the end."""
    s = build(cfg).summary()
    assert s["offered"] == s["answered"] + s["abandoned"] + s["waiting_at_end"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_waits_are_never_negative_and_match_the_clock(cfg):
    records = build(cfg).records_frame()
    assert (records["wait_s"] >= 0).all()
    answered = records[records["outcome"] == ANSWERED]
    assert np.allclose(answered["start_s"] - answered["arrival_s"], answered["wait_s"])
    assert (answered["end_s"] >= answered["start_s"]).all()
    if cfg["patience_s"] is None:
        assert (records["outcome"] != ABANDONED).all()
    else:
        assert (records["outcome"] != WAITING).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_rates_stay_in_their_ranges(cfg):
    s = build(cfg).summary()
    for key in ("occupancy", "service_level", "abandonment_rate", "p_wait"):
        assert np.isnan(s[key]) or 0.0 <= s[key] <= 1.0
    if s["offered"]:
        assert s["service_level"] <= 1.0 - s["abandonment_rate"] + 1e-12


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_a_csr_handles_one_contact_at_a_time(cfg):
    records = build(cfg).records_frame()
    answered = records[records["outcome"] == ANSWERED].sort_values(["csr", "start_s"])
    for _, calls in answered.groupby("csr"):
        assert (calls["start_s"].to_numpy()[1:] >= calls["end_s"].to_numpy()[:-1] - 1e-9).all()

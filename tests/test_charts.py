"""Charts: each plot takes a DataFrame and an optional ax, returns the ax, and draws what
is in the table; draw_all writes valid PNG and SVG files for the data a folder has."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from experiments import charts  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def reps() -> pd.DataFrame:
    rows = []
    for policy, retention, escalation, cost, aht, repeats in (
        ("avoid", 0.60, 0.15, 0.1, 110, 0.8),
        ("negotiate", 0.95, 0.02, 1.5, 300, 0.05),
        ("accommodate", 0.85, 0.04, 6.0, 230, 0.5),
    ):
        for r in range(3):
            rows.append(
                {
                    "point": 0,
                    "policy": policy,
                    "replication": r,
                    "seed": r,
                    "retention_rate": retention + 0.01 * (r - 1),
                    "escalation_rate": escalation,
                    "concession_per_contact": cost,
                    "aht_first_contact_s": aht + r,
                    "repeat_contacts_per_issue": repeats,
                    "net_value": retention * 1e6,
                }
            )
    return pd.DataFrame(rows)


def test_bars_are_the_policy_means_and_the_title_names_the_best(reps):
    fig, ax = plt.subplots()
    out = charts.plot_retention(reps, ax=ax)
    assert out is ax
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([60.0, 95.0, 85.0])
    assert ax.get_title().startswith("negotiate has the highest retention (95.0%)")
    assert "avoid the lowest" in ax.get_title()
    plt.close(fig)


def test_a_plot_makes_its_own_axes_when_none_is_given(reps):
    ax = charts.plot_escalation(reps)
    assert ax is not None and "negotiate has the lowest escalation rate" in ax.get_title()
    plt.close(ax.figure)


def test_repeats_and_handle_time_shows_why_avoid_is_short_but_costly(reps):
    ax = charts.plot_repeats_and_handle_time(reps)
    assert "avoid has the shortest first calls" in ax.get_title()
    assert "0.80 repeat contacts per issue" in ax.get_title()
    plt.close(ax.figure)


def test_concession_cost_against_retention(reps):
    ax = charts.plot_concession_vs_retention(reps)
    xs = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert xs == pytest.approx([0.1, 1.5, 6.0])
    assert ax.get_title().startswith("accommodate pays most per contact (6.00)")
    plt.close(ax.figure)


def test_anger_curves_are_medians_by_move():
    traces = pd.DataFrame(
        {
            "strategy": ["calm"] * 3 + ["hot"] * 3,
            "trace": [
                [0.5, 0.4, 0.2],
                [0.5, 0.3, 0.1],
                [0.5, 0.35, 0.15],
                [0.5, 0.7, 0.9],
                [0.5, 0.8, 0.9],
                [0.5, 0.6, 0.8],
            ],
        }
    )
    ax = charts.plot_anger_curves(traces)
    calm = ax.get_lines()[0].get_ydata()
    assert calm == pytest.approx([0.5, 0.35, 0.15])
    assert "calm ends calmest (median 0.15)" in ax.get_title()
    plt.close(ax.figure)


def test_account_trajectories_and_churn_share():
    accounts = pd.DataFrame(
        {
            "policy": ["a"] * 4 + ["b"] * 4,
            "day": [0, 0, 1, 1] * 2,
            "customer": [1, 2] * 4,
            "balance": [3.0, 4.0, 2.0, 3.0, 3.0, 4.0, -1.0, 1.0],
            "churned": [False] * 6 + [True, False],
        }
    )
    ax = charts.plot_account_trajectories(accounts)
    assert ax.get_lines()[0].get_ydata().tolist() == [3.5, 2.5]
    assert "50% of the cohort overdrawn under b, 0% under a" in ax.get_title()
    plt.close(ax.figure)


def test_staffing_crossover_needs_a_head_count_sweep(reps):
    from sim.errors import InputError

    with pytest.raises(InputError):
        charts.plot_staffing_crossover(reps)
    swept = pd.concat(
        [
            reps.assign(
                **{
                    "param:operations.csrs": 10,
                    "net_value": np.where(reps["policy"] == "negotiate", 1.0, 2.0),
                }
            ),
            reps.assign(
                **{
                    "param:operations.csrs": 50,
                    "net_value": np.where(reps["policy"] == "negotiate", 3.0, 2.0),
                }
            ),
        ]
    )
    ax = charts.plot_staffing_crossover(swept)
    assert ax.get_title() == "Negotiation stops paying at 10 CSRs or fewer"
    plt.close(ax.figure)


def test_outcomes_by_group_are_grouped_bars():
    breakdown = pd.DataFrame(
        {
            "policy": ["x", "x", "y", "y"],
            "group": "temperament",
            "level": ["choleric", "melancholic"] * 2,
            "metric": "escalation_rate",
            "value": [0.3, 0.01, 0.1, 0.0],
            "replication": 0,
        }
    )
    ax = charts.plot_outcomes_by_group(breakdown, "temperament", "escalation_rate")
    assert sorted(p.get_height() for p in ax.patches) == pytest.approx([0.0, 1.0, 10.0, 30.0])
    assert "highest among choleric customers (30.0%, x)" in ax.get_title()
    plt.close(ax.figure)


def test_draw_all_writes_valid_png_and_svg_and_skips_absent_data(tmp_path, reps):
    reps.to_parquet(tmp_path / "replications.parquet")
    written = charts.draw_all(tmp_path, check=False)  # a table written by hand, no manifest
    names = {p.stem for p in written}
    assert {
        "retention",
        "escalation",
        "repeats_and_handle_time",
        "concession_vs_retention",
    } <= names
    assert "anger_curve" not in names and "staffing_crossover" not in names
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG
        else:
            assert path.read_text().lstrip().startswith("<?xml")

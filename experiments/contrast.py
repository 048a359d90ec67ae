"""Outcomes per design point: one policy's metric, or a paired contrast of two policies.

``ccsim sensitivity`` and ``ccsim frontier`` ask the same question of every design point:
what is the outcome here, and how sure are we? The outcome is either one policy's metric
(the mean over replications) or a *contrast*, ``negotiate-avoid``: the first policy minus
the second, replication by replication. Replication ``i`` of both policies at a point met
the same customers (common random numbers), so the paired difference cancels most of the
noise both runs share, and its confidence interval is the t interval of the differences.

Imported by the command modules inside their functions only (pandas, SciPy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.statistics import mean_ci
from sim.errors import InputError


@dataclass(frozen=True)
class Contrast:
    """The first policy minus the second, on the same replication seeds.

    Attributes:
        first: Name of the policy whose outcome is counted positive.
        second: Name of the policy subtracted (the baseline).
    """

    first: str
    second: str

    def __str__(self) -> str:
        return f"{self.first}-{self.second}"


def parse_contrast(text: str) -> tuple[Contrast, list[str]]:
    """Read ``A-B`` into a contrast and the two policy names or paths to load.

    Preset names may hold a hyphen themselves (``mixed-floor``), so every hyphen is tried
    as the split, and the first one at which both sides are policies wins.

    Returns:
        The contrast (with the loaded policies' names) and the two names as typed.

    Raises:
        InputError: no split names two known policies.
    """
    from policies.policy import load_policy, preset_names

    text = text.strip()
    for i, ch in enumerate(text):
        if ch != "-" or i in (0, len(text) - 1):
            continue
        left, right = text[:i], text[i + 1 :]
        try:
            a, b = load_policy(left), load_policy(right)
        except InputError:
            continue
        if a.name == b.name:
            raise InputError(
                f"a contrast of {a.name} with itself is zero by construction",
                field="--contrast",
                valid="two different policies, e.g. negotiate-avoid",
            )
        return Contrast(a.name, b.name), [left, right]
    raise InputError(
        f"cannot read contrast {text!r}",
        field="--contrast",
        valid=f"A-B of two policies ({', '.join(preset_names())} or .toml files), "
        "e.g. negotiate-avoid",
    )


def check_metric(metric: str) -> str:
    """A metric a contrast or a sensitivity can be taken of (the headline metrics)."""
    import difflib

    from experiments.commands.compare import HEADLINE

    if metric not in HEADLINE:
        close = difflib.get_close_matches(metric, HEADLINE, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(f"unknown metric {metric!r}{hint}", field="--metric", valid=HEADLINE)
    return metric


def outcome_by_point(
    reps: pd.DataFrame,
    metric: str,
    *,
    policy: str | None = None,
    contrast: Contrast | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """The outcome at every design point, with its confidence interval.

    Args:
        reps: Replications table (``point``, ``policy``, ``replication``, ``param:*`` and
            metric columns), e.g. ``replications.parquet``.
        metric: The metric column.
        policy: The policy whose metric is the outcome (when there is no contrast; default:
            the only policy in the table).
        contrast: The paired contrast that is the outcome instead.
        level: Confidence level of the intervals.

    Returns:
        One row per point, in point order: ``point``, the ``param:*`` columns, ``mean``,
        ``ci_low``, ``ci_high`` (t interval over replications; of the paired differences
        for a contrast), ``sd`` and ``n`` (replications, or pairs, with a finite value).
    """
    if metric not in reps.columns:
        raise InputError(f"the runs have no metric {metric!r}", field="--metric")
    params = [c for c in reps.columns if c.startswith("param:")]
    if contrast is None:
        names = list(dict.fromkeys(reps["policy"]))
        policy = policy or names[0]
        if policy not in names:
            raise InputError(f"no runs of policy {policy!r}", field="policy", valid=names)
        values = reps[reps["policy"] == policy].pivot_table(
            index="point", columns="replication", values=metric, aggfunc="first", dropna=False
        )
    else:
        wide = reps[reps["policy"].isin([contrast.first, contrast.second])].pivot_table(
            index=["point", "replication"],
            columns="policy",
            values=metric,
            aggfunc="first",
            dropna=False,
        )
        for name in (contrast.first, contrast.second):
            if name not in wide.columns:
                raise InputError(f"no runs of policy {name!r}", field="--contrast")
        diff = (wide[contrast.first] - wide[contrast.second]).rename("diff").reset_index()
        values = diff.pivot(index="point", columns="replication", values="diff")
    ids = reps.drop_duplicates("point").set_index("point")[params]
    rows = []
    for point, row in values.iterrows():
        x = row.to_numpy(dtype=float)
        mean, low, high = mean_ci(x, level)
        finite = x[np.isfinite(x)]
        rows.append(
            {
                "point": int(point),
                **ids.loc[point].to_dict(),
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "sd": float(finite.std(ddof=1)) if len(finite) > 1 else float("nan"),
                "n": len(finite),
            }
        )
    return pd.DataFrame(rows).sort_values("point", ignore_index=True)

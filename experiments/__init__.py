"""Experiments: the CLI, replications with common random numbers, statistics, charts.

``from experiments import build_model`` gives the Mesa-native Python API
(:mod:`experiments.api`); it is imported on first use, so the CLI starts fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ContactCenterModel", "build_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from experiments import api

        return getattr(api, name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")

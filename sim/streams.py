"""Named random streams: one per decision, so that policies share their randomness.

Common random numbers (MODEL.md section 9) need every source of chance, the arrival
times, each customer's issues and patience, the handle-time noise, to come from its own
stream, keyed by a stable name and the replication seed. Changing what one part of the
model consumes then leaves every other part's draws unchanged (the Starsim pattern).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (the same on every machine and run)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Random generators keyed by name, all derived from one replication seed.

    Args:
        seed: The replication seed (a non-negative integer).
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def generator(self, name: str) -> np.random.Generator:
        """A fresh generator for the stream ``name`` (same seed and name, same draws)."""
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
        return np.random.Generator(np.random.PCG64(seq))


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of replications ``0..replications-1`` of an experiment with master ``seed``.

    Replication ``i`` gets the same seed whatever the number of replications or workers,
    and the same seed faces every policy (common random numbers).
    """
    root = np.random.SeedSequence(int(seed))
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in root.spawn(replications)]

"""Random numbers drawn in batches, one buffer per use, each from its own stream.

Drawing one number at a time from NumPy costs more than the move it decides, so each
buffer holds a batch of uniforms and of standard normals; code reserves what it may need
with :func:`take` and gives back what it did not use by setting the position back.
Each buffer has its own generator (common random numbers: what one part of the model
consumes never shifts another part's draws).
"""

from __future__ import annotations

from sim.engine import helper

#: Buffers (rows of ``draws_u``, ``draws_n`` and ``draw_pos``), and their generators'
#: order in the ``rngs`` tuple.
CONVERSATION, OUTCOMES, SERVICE = 0, 1, 2
BUFFERS = 3


@helper
def take(draws_u, draws_n, pos, which, k, rngs):
    """Reserve ``k`` uniforms and ``k`` normals of buffer ``which`` (rows of ``draws_u``
    and ``draws_n``; ``pos[which]`` is its position); returns the index of the first.
    An exhausted batch is replaced by a new one from its generator ``rngs[which]``."""
    u, n = draws_u[which], draws_n[which]
    j = pos[which]
    if j + k > u.shape[0]:
        rng = rngs[which]
        # One number at a time (the same stream as a batch), so nothing is allocated.
        for x in range(u.shape[0]):
            u[x] = rng.random()
        for x in range(n.shape[0]):
            n[x] = rng.standard_normal()
        j = 0
    pos[which] = j + k
    return j

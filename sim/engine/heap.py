"""One binary heap for the event heap and the queues by priority.

A heap is the first ``n`` rows of a structured array with the fields ``key`` and
``order``, ordered by ``(key, order)``: (time, order of scheduling) for events,
(priority, contact number) for a queue (:data:`sim.schema.EVENT`,
:data:`sim.schema.QUEUE_ENTRY`). Both pairs are unique, so what is popped never depends
on how the heap happens to be arranged. Rows move through a hole, with ``tmp`` (a
one-row array of the same dtype) holding the row being placed.
"""

from __future__ import annotations

from sim.engine import inline


@inline
def _below(a, b):
    """Whether row ``a`` comes before row ``b``."""
    return a["key"] < b["key"] or (a["key"] == b["key"] and a["order"] < b["order"])


@inline
def sift_up(h, n, tmp):
    """Row ``n`` was just written after the heap's ``n`` rows: move it to its place."""
    tmp[0] = h[n]
    i = n
    while i > 0:
        parent = (i - 1) // 2
        if not _below(tmp[0], h[parent]):
            break
        h[i] = h[parent]
        i = parent
    h[i] = tmp[0]


@inline
def pop_first(h, n, tmp):
    """Move the first of the heap's ``n`` rows to row ``n - 1``, and restore the heap
    over the other ``n - 1`` rows."""
    n -= 1
    tmp[0] = h[n]  # the last row, to be placed from the top down
    h[n] = h[0]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _below(h[child + 1], h[child]):
            child += 1
        if not _below(h[child], tmp[0]):
            break
        h[i] = h[child]
        i = child
    if n > 0:
        h[i] = tmp[0]

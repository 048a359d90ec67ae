"""Every table of the engine, declared once: field names, types, units and meanings.

The compiled engine (:mod:`sim.engine`) keeps the whole state of a run in NumPy
structured arrays, one per table declared in this package (the people, the queue and
its records, the conversation), and reads and writes their fields by name
(``slot["anger"]``). The same code runs compiled by Numba and, with
``NUMBA_DISABLE_JIT=1``, as plain Python over the same arrays. Nothing outside this
package knows a column number.

A *slot* holds one contact together with its issue: it lives from the issue's first
contact until the issue is resolved or dropped, and each repeat contact about the issue
reuses it.
"""

from sim.schema.conversation import CALL, CALL_TRACE, MOVE, PERSONA, PROGRAM, TEMPERAMENT
from sim.schema.people import CSR, CUSTOMER, SLOT, TIER
from sim.schema.queue import (
    CANDIDATE,
    CONTACT_ROW,
    COUNTER,
    EVENT,
    GLOBALS,
    INTERVAL,
    QUEUE_ENTRY,
    RECORD,
    TRACE,
)
from sim.schema.table import Field, Table, f, grown, i

__all__ = [
    "CALL_TRACE",
    "CALL",
    "CANDIDATE",
    "CONTACT_ROW",
    "COUNTER",
    "CSR",
    "CUSTOMER",
    "EVENT",
    "Field",
    "GLOBALS",
    "INTERVAL",
    "MOVE",
    "PERSONA",
    "PROGRAM",
    "QUEUE_ENTRY",
    "RECORD",
    "SLOT",
    "TEMPERAMENT",
    "TIER",
    "TRACE",
    "Table",
    "f",
    "grown",
    "i",
]

"""What a run of the contact center shows: its interval records and sums, the summary
``ccsim run --json`` prints, the followed cohort's accounts, anger traces and contacts.

A mixin of :class:`sim.model.ContactCenter`: the read-outs, kept apart from the clock
and the engine's driving.
"""

from __future__ import annotations

import numpy as np

from sim.arrivals import SECONDS_PER_DAY
from sim.outcomes import contact_table, people_outcomes
from sim.records import interval_frame, summarize
from sim.schema import RECORD
from sim.staffing import Staffing


class ReadOuts:
    """The read-outs of a :class:`sim.model.ContactCenter` (attributes it sets: ``config``,
    ``people``, ``params``, ``csrs``, ``records``, ``account_rows``, ``horizon_s``,
    ``keep_contacts``, ``_st`` and ``_customer_id0``)."""

    def records_frame(self):
        """Every interval record of the run (needs ``keep_records=True``)."""
        rows = np.concatenate(self.records) if self.records else RECORD.allocate(0)
        return RECORD.frame(rows)

    def interval_table(self, tier: int = 0):
        """Per-interval sums of a tier (contacts counted by the interval they arrived in),
        with the CSR-seconds staffed in each."""
        ops = self.config
        if tier == 0:
            staffing = ops.staffing
        else:
            staffing = Staffing.fixed(ops.supervisors) if ops.supervisors else None
        sums = self._st.intervals[tier] if tier < len(self._st.intervals) else None
        return interval_frame(ops.profile, sums, staffing)

    def outcomes(self) -> dict:
        """Everything ``ccsim run --json`` prints: the front line's operations metrics
        and, with people, the supervisors' waits and the people's outcomes (retention,
        escalation, resolution, cost, satisfaction, with breakdowns)."""
        out = summarize(self.interval_table(0), self.config.warmup_s)
        if self.people is None:
            return out
        if len(self._st.intervals) > 1:
            sup = summarize(self.interval_table(1), self.config.warmup_s)
            out["supervisor_asa_s"] = sup["asa_s"]
            out["supervisor_abandonment_rate"] = sup["abandonment_rate"]
        out.update(self._people_outcomes())
        return out

    #: The same as :meth:`outcomes`.
    summary = outcomes

    def _people_outcomes(self) -> dict:
        p, ops = self.params, self.config
        staffed_s = ops.staffing.staffed_seconds(ops.profile.starts_s, ops.profile.widths_s)
        labor = (float(staffed_s.sum()) / 3600.0) * p["scenario.csr_wage_per_hour"] + (
            ops.supervisors * self.horizon_s / 3600.0 * p["scenario.supervisor_wage_per_hour"]
        )
        return people_outcomes(
            p,
            self._st.customers,
            self._st.counters,
            labor_cost=labor,
            callbacks=self.callbacks,
            days=self.horizon_s / SECONDS_PER_DAY,
        )

    @property
    def callbacks(self) -> int:
        """Callback offers taken."""
        return int(self._st.globals[0]["callbacks"])

    def accounts_frame(self):
        """Daily account balances of the followed cohort (day, customer, balance, churned)."""
        import pandas as pd

        return pd.DataFrame.from_records(
            self.account_rows, columns=("day", "customer", "balance", "churned")
        )

    @property
    def anger_traces(self) -> list[tuple[str, int, int, list[float]]]:
        """Anger before and after each move of traced calls: (strategy, temperament,
        persona, anger trace)."""
        st = self._st
        n = int(st.globals[0]["traces"])
        return [
            (self.csrs[int(row["csr"])].strategy, int(row["temperament"]), int(row["persona"]),
             st.trace_values[x, : int(row["length"])].tolist())
            for x, row in enumerate(st.traces[:n])
        ]  # fmt: skip

    def contacts_frame(self):
        """One row per concluded contact (needs ``keep_contacts=True``)."""
        n = int(self._st.globals[0]["rows"]) if self.keep_contacts else 0
        return contact_table(
            self._st,
            n,
            customer_ids=self._customer_id0 + np.arange(len(self._st.customers), dtype=np.int64),
            strategies=[c.strategy for c in self.csrs if c.tier == 0],
        )

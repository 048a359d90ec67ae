"""The people of the contact center, as Mesa agents: CSRs (and, in ``customers.py``,
the customers who call them)."""

from __future__ import annotations

import mesa


class CSR(mesa.Agent):
    """A customer service representative (or, on tier 1, a supervisor).

    The queueing core needs only which tier and position the CSR holds; the behaviour
    layer adds strategy, skills, stress and concession authority (``attach_profile``).

    Args:
        model: The contact-center model.
        tier: 0 for the front line, 1 for the supervisors.
        position: Index of the CSR within its tier (0-based; also its shift order).
    """

    def __init__(self, model: mesa.Model, tier: int, position: int) -> None:
        super().__init__(model)
        self.tier = tier
        self.position = position
        self.contacts_handled = 0
        self.busy_s = 0.0

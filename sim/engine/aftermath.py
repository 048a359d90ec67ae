"""After a contact: how it is remembered, the emotional account, churn, and the repeat.

MODEL.md section 5: the account changes by the remembered experience
(:func:`sim.memory.remembered_value`: peak-end anger, outcome, remedy, courtesy, wait,
escalation, the erosion of recoveries) with losses weighed by loss aversion and the
customer's grudge; an overdraft is churn. An unresolved issue comes back as a repeat
contact (a caller who hung up redials within the hour; otherwise days later, angrier),
or the customer gives up on it: a silent withdrawal. Conceding to an invalid claim
trains the customer to complain more (DOMAIN.md section 3).
"""

from __future__ import annotations

import math

from sim.catalogue import FAILURE
from sim.engine import helper, inline
from sim.engine import observe as obs
from sim.engine.draws import OUTCOMES, take
from sim.engine.events import ARRIVE, CANDIDATE, schedule
from sim.memory import account_change, csat, remembered_value

SECONDS_PER_DAY = 86_400.0


@inline
def free_slot(st, slot_no):
    g = st.globals[0]
    st.free[g["free"]] = slot_no
    g["free"] += 1


@inline
def overdrawn(cust, now):
    """An account below zero ends the relationship (DOMAIN.md section 1): True if so."""
    if cust["balance"] < 0:
        cust["churned"] = 1
        cust["churned_s"] = now
        cust["churn_cause"] = 1
        return True
    return False


@inline
def problem_settled(cust, slot, resolved, satisfaction):
    """The fate of the customer's first problem, when the slot holds it, and the
    satisfaction (0..1) the contact that settled it left."""
    if slot["tracked"]:
        if resolved:
            cust["first_problem"] = 4 if slot["attempt"] == 1 else 3
        else:
            cust["first_problem"] = 2
        cust["first_problem_csat"] = satisfaction
        slot["tracked"] = 0


@helper
def conclude(st, slot_no, now, rngs):
    """The contact ends at ``now`` (answered, or hung up): memory, the account, churn,
    and the repeat if unresolved."""
    P = st.params[0]
    slot = st.slots[slot_no]
    abandoned = slot["abandoned"] != 0
    c = slot["customer"]
    cust = st.customers[c]
    grudge = st.temperaments[cust["temperament"]]["grudge"]
    j = take(st.draws_u, st.draws_n, st.draw_pos, OUTCOMES, 4, rngs)
    u = st.draws_u[OUTCOMES]
    complaint = False
    answered = slot["calls"] > 0
    if answered:
        resolved = slot["resolved"] > 0 and not abandoned
        end = slot["last_anger"]
        peak, conceded = slot["peak"], slot["conceded"]
        escalated = slot["escalated"] > 0
        slot["remedy_left"] = slot["last_remedy"]
        slot["fix_left"] = slot["last_fix"]
        slot["info_left"] = slot["last_info"]
        expressiveness = st.temperaments[cust["temperament"]]["expressiveness"]
        if not resolved and end >= P["complaint_anger"] and u[j] < expressiveness:
            complaint = True  # a formal complaint (DOMAIN.md section 4)
        real_failure = slot["nature"] == FAILURE and slot["valid"] > 0
        value = remembered_value(
            P,
            peak,
            end,
            resolved,
            slot["asked"] > 0,
            1.0 - slot["last_remedy"],
            1.0 - slot["last_respect"],
            slot["wait_s"],
            escalated or complaint,
            cust["failures"] - (1 if real_failure else 0),
        )
        if abandoned:
            value -= P["abandon_withdrawal"]
        if slot["conceded_invalid"]:
            old = cust["propensity"]
            new = min(P["cap"], old * (1 + P["invalid_training"]))
            cust["propensity"] = new
            if new > old:
                rate_rose(st, c, old, new)
            obs.invalid_concession(st, slot)
        if escalated or complaint:
            cust["escalations"] += 1
        if complaint:
            cust["complaints"] += 1
    else:
        resolved, escalated = False, False
        peak = end = slot["anger"]
        conceded = 0.0
        value = -P["abandon_withdrawal"] - P["wait_loss_per_min"] * slot["wait_s"] / 60.0
    change = account_change(value, P["loss_aversion"], grudge)
    if resolved and P["follow_up"] > 0.0:
        change += P["follow_up_gain"]  # a follow-up call confirms the fix (DOMAIN.md 7)
    gone = cust["churned"] != 0  # left while this contact was under way (another issue)
    if not gone:  # once the relationship has ended, no contact changes the account
        cust["balance"] += change
    cust["last_resolved"] = 1 if resolved else 0
    obs.contact_concluded(st, slot, answered, resolved, escalated, complaint, conceded, value)
    repeat = False
    if not gone and not overdrawn(cust, now) and not resolved:
        repeat = _repeat_or_give_up(st, slot_no, now, u[j + 1], u[j + 2], u[j + 3], abandoned)
    if resolved or not repeat:
        problem_settled(cust, slot, resolved, csat(value, P["csat_scale"]))
    if P["keep_contacts"] > 0.0:
        obs.keep_row(
            st, slot_no, now, abandoned, escalated, complaint, resolved, conceded, peak, end
        )
    if repeat:
        # The issue comes back: the slot now holds the repeat contact.
        open_contact(slot, slot["next_anger"], slot["next_patience_unit"], slot["attempt"] + 1)
    else:
        free_slot(st, slot_no)


@inline
def open_contact(slot, anger, patience_unit, attempt):
    """A fresh contact about the slot's issue (it arrives later: ``contact_arrives``)."""
    slot["anger"], slot["patience_unit"] = anger, patience_unit
    slot["attempt"] = attempt
    slot["wait_s"] = 0.0
    slot["balance_before"] = math.nan
    slot["answered_s"] = math.nan
    slot["stress"] = 0.0
    slot["arrival_s"] = math.nan
    slot["csr"] = -1
    slot["callback"] = 0
    slot["calls"] = 0
    slot["tier"] = 0
    slot["moves0"] = 0
    slot["moves1"] = 0
    slot["abandoned"] = 0
    slot["queued"] = 0


@helper
def _repeat_or_give_up(st, slot_no, now, u_return, u_delay, u_patience, abandoned):
    """Schedule the issue's repeat contact (True); or drop it, and if the customer gives
    up on it, a silent withdrawal (MODEL.md section 5)."""
    P = st.params[0]
    slot = st.slots[slot_no]
    c = slot["customer"]
    cust = st.customers[c]
    temper = st.temperaments[cust["temperament"]]
    attempt = slot["attempt"]
    floor = P["return_floor"]
    returns = P["return_probability"] * (floor + (1.0 - floor) * temper["expressiveness"])
    if attempt < P["max_contacts"] and u_return < returns:
        # A caller who hung up in the queue redials soon; an unresolved issue comes back
        # days later. Both from now: the contact has just ended.
        mean_delay = P["redial_min"] * 60.0 if abandoned else P["repeat_days"] * SECONDS_PER_DAY
        when = now + -math.log(1.0 - u_delay) * mean_delay
        if when >= P["horizon_s"]:
            return False
        slot["next_anger"] = min(
            1.0, slot["opening_anger"] + P["repeat_anger"] * attempt * temper["reactivity"]
        )
        slot["next_patience_unit"] = -math.log(1.0 - u_patience)
        schedule(st, when, ARRIVE, 0, slot_no, 0.0)
        return True
    cust["unresolved"] += 1
    cust["balance"] += account_change(
        -P["unresolved_withdrawal"], P["loss_aversion"], temper["grudge"]
    )
    overdrawn(cust, now)
    return False


@helper
def rate_rose(st, c, old, new):
    """Schedule today's candidates of customer ``c`` still to come that pass at the new
    issue rate but failed at the old one (exactly what thinning at call time gives)."""
    now = st.globals[0]["now"]
    day = st.day
    for k in range(day.shape[0]):
        cand = day[k]
        if (
            cand["who"] == c
            and cand["threshold"] >= old
            and cand["threshold"] < new
            and cand["time_s"] > now
        ):
            schedule(st, cand["time_s"], CANDIDATE, 0, k, 0.0)

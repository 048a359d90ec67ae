"""The moves of one call (MODEL.md section 4): the inner loop of the model.

At each turn the CSR perceives the customer (with noise that shrinks with perception),
the strategy's rule tables pick a move (unless the CSR hands over, or takes the bait),
and the move changes anger, the four needs (vent, respect, remedy, information), the
fix, the concession and the talk time. How much depends on who is on both ends: the
customer's temperament (reactivity, recovery) and persona (the move x persona table,
talk factor, insults) and the CSR's skills, lowered by stress. A strategy is only the
rule tables that pick moves (:mod:`sim.rule_program`); nothing here knows its name.
"""

from __future__ import annotations

import math

from sim.catalogue import BAIT_MOVE, CLOSE_MOVE, FAILURE, HANDOVER_MOVE, VENTING
from sim.engine import helper
from sim.rule_program import (
    ABOVE,
    BELOW,
    CHOICE_HEAD,
    INSULTED,
    INVALID,
    RULE_HEAD,
    TALKER,
    TERM_WIDTH,
    VALID,
)
from sim.schema import CALL_TRACE

#: Columns of a call's trace, by name (compile-time constants to Numba).
T_ANGER, T_VENT, T_RESPECT = (CALL_TRACE.index(n) for n in ("anger", "vent", "respect"))
T_REMEDY, T_INFO, T_FIX = (CALL_TRACE.index(n) for n in ("remedy", "info", "fix"))
T_TALK = CALL_TRACE.index("talk_s")


@helper
def _holds(rows, r, start, seen, seen_valid, seen_talker, insulted):
    """Whether every term of the condition packed in ``rows[r, start:]`` holds.

    Rows are indexed, never sliced: a slice costs more than the test itself when made
    for every rule at every move.
    """
    for k in range(start, rows.shape[1], TERM_WIDTH):
        kind = int(rows[r, k])
        if kind == ABOVE:
            ok = seen[int(rows[r, k + 1])] > rows[r, k + 2]
        elif kind == BELOW:
            ok = seen[int(rows[r, k + 1])] < rows[r, k + 2]
        elif kind == VALID:
            ok = seen_valid
        elif kind == INVALID:
            ok = not seen_valid
        elif kind == TALKER:
            ok = seen_talker
        elif kind == INSULTED:
            ok = insulted
        else:  # ALWAYS, and the padding of shorter conditions
            ok = True
        if not ok:
            return False
    return True


@helper
def _next_move(rules, first, used, seen, seen_valid, seen_talker, insulted):
    """The first rule of the table starting at row ``first`` whose move is not used up
    and whose condition holds; else close."""
    for r in range(first, rules.shape[0]):
        move = int(rules[r, 0])
        if move < 0:
            break
        if used[move] < rules[r, 1] and _holds(
            rules, r, RULE_HEAD, seen, seen_valid, seen_talker, insulted
        ):
            return move
    return CLOSE_MOVE


@helper
def keep_trace(trace, i, anger, vent, respect, remedy, info, fix, talk):
    """Row ``i`` of a call's trace (the columns of :data:`sim.schema.CALL_TRACE`)."""
    trace[i, T_ANGER], trace[i, T_VENT], trace[i, T_RESPECT] = anger, vent, respect
    trace[i, T_REMEDY], trace[i, T_INFO], trace[i, T_FIX] = remedy, info, fix
    trace[i, T_TALK] = talk


@helper
def play(c, P, used, moves, trace, cat, mod, rules, table_rows, choices, u, nrm, j):
    """Play a call to its end.

    Args:
        c: The call (a :data:`sim.schema.CALL` row); its state is updated in place and
            its outputs written at the end.
        P: The engine's parameters (a :data:`sim.engine_params.PARAMS` row).
        used: Scratch, int64[moves]: times each move was made (reset here).
        moves: Output, int64[max moves]: the moves made, ``c["n_moves"]`` of them.
        trace: Output, float64[max moves + 1, len(CALL_TRACE)]: after each move (when
            tracing), the columns of :data:`sim.schema.CALL_TRACE`: anger, the four needs,
            the fix left and the talk time so far (s, without the call's overhead).
        cat: The move catalogue (:data:`sim.schema.MOVE` rows).
        mod: The customer's row of the move x persona table, float64[moves].
        rules, table_rows, choices: The strategy's rule program
            (:class:`sim.rule_program.RuleProgram`).
        u, nrm: Pre-drawn uniforms and standard normals.
        j: Index of the first reserved draw; five draws are used per move.

    Returns:
        The index after the last draw used (the rest of the reservation is given back).
    """
    used[:] = 0
    sigma = P["talk_sigma"]
    half_var = 0.5 * sigma * sigma
    noise = P["anger_noise"]
    seen_noise = P["perception_noise"] * (1.0 - c["perception"])
    threshold = P["escalation_anger"] + P["escalation_span"] * (1.0 - c["expressiveness"])
    block, gate, relief = P["listening_block"], P["vent_gate"], P["progress_relief"]
    insincere, penalty = P["insincere_empathy"], P["stress_skill_penalty"]
    slip, handover, per_insult = P["slip_rate"], P["handover_stress"], P["stress_per_insult"]
    handover_anger = P["handover_anger"]
    soothe_floor = P["soothe_floor"]
    soothe_slope = 1.0 - soothe_floor
    diagnosis_floor = P["diagnosis_floor"]
    diagnosis_slope = 1.0 - diagnosis_floor
    fix_low = 1.0 - P["fix_noise"]
    fix_span = 2.0 * P["fix_noise"]
    info_progress, remedy_progress = P["info_progress"], P["remedy_progress"]
    managed_talk, difficulty_effect = P["managed_talk"], P["difficulty_effect"]
    max_moves = int(P["max_moves"])
    front_line = c["front_line"] > 0.0
    can_escalate = c["can_escalate"] > 0.0
    seen_valid = c["seen_valid"] > 0.0
    seen_talker = c["seen_talker"] > 0.0
    valid = c["valid"] > 0.0
    tracing = c["tracing"] > 0.0
    reactivity, recovery = c["reactivity"], c["recovery"]
    talk_factor, insult_rate = c["talk_factor"], c["insult_rate"]
    empathy0, solving0, control = c["empathy"], c["solving"], c["control"]
    stress, authority, asked = c["stress"], c["authority"], c["asked"]
    difficulty = c["difficulty"]
    anger = c["anger"]
    vent, respect, remedy = c["vent"], c["respect"], c["remedy"]
    info, fix, diagnosis = c["info"], c["fix"], c["diagnosis"]
    conceded, peak = c["conceded"], c["peak"]
    n_moves = 0
    insulted = False
    conceded_invalid = False
    insults = 0.0
    escalated = False
    handed_over = False
    chosen = -1
    stress_gain = 0.0
    talk = 0.0
    effective = 1.0 - penalty * stress
    empathy, solving = empathy0 * effective, solving0 * effective
    fix_scale = (1.0 - difficulty_effect * difficulty) * solving
    while True:
        # What the CSR perceives before choosing (MODEL.md section 3: perception). A
        # tuple, not an array: nothing is allocated per move.
        seen = (
            anger + seen_noise * nrm[j],
            vent + seen_noise * nrm[j + 1],
            respect + seen_noise * nrm[j + 2],
            info + seen_noise * nrm[j + 3],
            fix,
            remedy,
        )
        if n_moves >= max_moves - 1:
            m = CLOSE_MOVE
        elif stress > handover and can_escalate and anger > handover_anger and front_line:
            m = HANDOVER_MOVE
        elif insulted and u[j] < slip * stress * (1.0 - control):
            m = BAIT_MOVE  # taking the bait (DOMAIN.md section 8)
        else:
            if chosen < 0:
                # An adaptive strategy picks its rule table on the first reading.
                chosen = 0
                for k in range(choices.shape[0]):
                    if _holds(choices, k, CHOICE_HEAD, seen, seen_valid, seen_talker, insulted):
                        chosen = int(choices[k, 0])
                        break
            m = _next_move(
                rules, chosen * table_rows, used, seen, seen_valid, seen_talker, insulted
            )
        used[m] += 1
        moves[n_moves] = m
        n_moves += 1
        move = cat[m]
        talk += move["talk_s"] * talk_factor * math.exp(sigma * nrm[j + 4] - half_var)
        if move["manage_time"] > 0.0:
            talk_factor = 1.0 + (talk_factor - 1.0) * managed_talk
        # Anger: provocation (times reactivity), solutions before venting, soothing that
        # lands with empathy and after venting, all shaped by the persona.
        mod_m = mod[m]
        soothe_m = move["soothe"]
        rise = (move["provoke"] * mod_m + move["premature"] * vent) * reactivity
        if soothe_m > 0.0:
            if move["sincere"] > 0.0 and empathy < insincere:
                # An insincere apology harms, the more the less sincere (DOMAIN.md 6).
                rise += soothe_m * mod_m * reactivity * (1.0 - empathy / insincere)
            else:
                rise -= (
                    soothe_m
                    * mod_m
                    * recovery
                    * (soothe_floor + soothe_slope * empathy)
                    * (1.0 - gate * vent)
                )
        anger += rise + noise * nrm[j + 1]
        anger = 0.0 if anger < 0.0 else (1.0 if anger > 1.0 else anger)
        # Needs; progress on the problem brings relief (DOMAIN.md sections 2 and 7).
        listening = 1.0 - block * anger
        vent *= 1.0 - move["vent"]
        respect_m = move["respect"]
        if respect_m >= 0.0:
            respect = respect * (1.0 - respect_m)
        else:
            respect = respect + (1.0 - respect) * -respect_m
        progress = 0.0
        info_m = move["info"]
        if info_m > 0.0:
            met = info * info_m * listening
            info -= met
            progress += info_progress * met
        diag_m = move["diagnose"]
        if diag_m > 0.0:
            diagnosis += diag_m * (1.0 - diagnosis)
        fix_m = move["fix"]
        if fix_m > 0.0 and fix > 0.0:
            gain = (
                fix_m
                * fix_scale
                * (diagnosis_floor + diagnosis_slope * diagnosis)
                * listening
                * (fix_low + fix_span * u[j + 1])
            )
            gain = fix if gain > fix else gain
            fix -= gain
            progress += gain
        remedy_m, grant_m = move["remedy"], move["grant"]
        if remedy_m > 0.0 and remedy > 0.0:
            want = remedy * asked
            left = authority - conceded
            pay = grant_m * want
            if left < 0.0:
                left = 0.0
            if left < pay:
                pay = left
            if grant_m == 0.0:
                share = remedy_m
            else:
                share = remedy_m * (pay / (grant_m * want) if want > 0 else 1.0)
            progress += remedy_progress * remedy * share
            remedy *= 1.0 - share
            conceded += pay
            if pay > 0.0 and not valid:
                conceded_invalid = True
        if progress > 0.0:
            anger -= relief * recovery * progress
            anger = 0.0 if anger < 0.0 else anger
        # The customer's reaction: insults feed the CSR's stress.
        insulted = u[j + 2] < insult_rate * anger
        if insulted:
            insults += 1.0
            gain = per_insult * (1.0 - control)
            stress = stress + gain
            if stress > 1.0:
                stress = 1.0
            stress_gain += gain
            effective = 1.0 - penalty * stress
            empathy, solving = empathy0 * effective, solving0 * effective
            fix_scale = (1.0 - difficulty_effect * difficulty) * solving
        if anger > peak:
            peak = anger
        if tracing:
            keep_trace(trace, n_moves, anger, vent, respect, remedy, info, fix, talk)
        j += 5
        if move["hands_over"] > 0.0:
            handed_over = escalated = can_escalate
            break
        if move["ends"] > 0.0:
            break
        if anger >= threshold and can_escalate and front_line:
            escalated = True  # the customer demands a supervisor
            break
    c["anger"], c["peak"], c["n_moves"] = anger, peak, n_moves
    c["insulted_last"] = 1.0 if insulted else 0.0
    c["vent"], c["respect"], c["remedy"] = vent, respect, remedy
    c["info"], c["fix"], c["diagnosis"], c["conceded"] = info, fix, diagnosis, conceded
    c["talk_s"] = talk + P["call_overhead_s"]
    c["stress_gain"] = stress_gain
    c["conceded_invalid"] = 1.0 if conceded_invalid else 0.0
    c["insults"] = insults
    c["escalated"] = 1.0 if escalated else 0.0
    c["handed_over"] = 1.0 if handed_over else 0.0
    c["resolved"] = 1.0 if _resolved(c, P) else 0.0
    return j


@helper
def _resolved(c, P):
    """Whether the issue's primary need is met (fix, information, venting, or remedy)."""
    tol = P["resolved_need"]
    nature = int(c["nature"])
    if nature == FAILURE:
        if c["valid"] > 0.0:
            return c["fix"] <= tol
        # An invalid claim ends when explained, or when the customer was given what they
        # asked for.
        return c["info"] <= tol or (c["asked"] > 0 and c["remedy"] <= tol)
    if nature == VENTING:
        return c["vent"] <= tol and c["respect"] <= P["vent_resolution_respect"]
    return c["info"] <= tol

"""The inner loop of a conversation, compiled with Numba (MODEL.md section 4).

One call of :func:`play` plays a call to its end: at each turn the CSR perceives the
customer (with noise), the strategy's rule tables pick a move (unless the CSR hands
over, or takes the bait), and the move changes anger, the four needs, the fix, the
concession and the talk time. This is where a contact center model spends its time, so
the loop works on flat arrays: the call's state in one vector (indices below), the move
catalogue as a matrix, the strategy as a :class:`sim.rule_program.RuleProgram`, and
random numbers pre-drawn in batches by :class:`sim.conversation.RandomBuffer`.

The arithmetic is written in the order of the mechanism's description in
:mod:`sim.conversation`; ``NUMBA_DISABLE_JIT=1`` runs the same code as plain Python.
"""

from __future__ import annotations

import math

from numba import njit

from sim.moves import BAIT_MOVE, CLOSE_MOVE, HANDOVER_MOVE
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

# --- the call's state vector: inputs -------------------------------------------------------
ANGER, VENT, RESPECT, REMEDY, INFO, FIX, DIAGNOSIS, CONCEDED, PEAK = range(9)
ASKED, IS_VALID, NATURE, SEEN_VALID, SEEN_TALKER, FRONT_LINE, CAN_ESCALATE = range(9, 16)
REACTIVITY, RECOVERY, EXPRESSIVENESS, TALK_FACTOR, INSULT_RATE, DIFFICULTY = range(16, 22)
EMPATHY, SOLVING, PERCEPTION, CONTROL, STRESS, AUTHORITY, TRACING = range(22, 29)
# --- outputs, written at the end (their input values are ignored); the call's state above
# is updated in place too --------------------------------------------------------------------
N_MOVES, INSULTED_LAST, TALK, STRESS_GAIN, CONCEDED_INVALID, INSULTS = range(29, 35)
ESCALATED, HANDED_OVER, RESOLVED = range(35, 38)
STATE_SIZE = 38

# --- conversation parameters vector ------------------------------------------------------
(
    OVERHEAD_S,
    MAX_MOVES,
    TALK_SIGMA,
    ANGER_NOISE,
    PERCEPTION_NOISE,
    LISTENING_BLOCK,
    VENT_GATE,
    PROGRESS_RELIEF,
    ESCALATION_ANGER,
    ESCALATION_SPAN,
    RESOLVED_NEED,
    INSINCERE_EMPATHY,
    STRESS_PER_INSULT,
    STRESS_SKILL_PENALTY,
    SLIP_RATE,
    HANDOVER_STRESS,
) = range(16)
PARAMS_SIZE = 16

# --- move effect columns (sim.moves.FIELDS order) ----------------------------------------
(
    M_TALK,
    M_SOOTHE,
    M_PROVOKE,
    M_PREMATURE,
    M_VENT,
    M_RESPECT,
    M_INFO,
    M_FIX,
    M_DIAGNOSE,
    M_REMEDY,
    M_GRANT,
    M_MANAGE,
    M_ENDS,
    M_OVER,
    M_SINCERE,
) = range(15)

# Issue natures (as in sim.conversation).
_FAILURE, _VENTING = 0, 3


@njit(cache=True)
def _holds(rows, r, start, seen, seen_valid, seen_talker, insulted):
    """Whether every term of the condition packed in ``rows[r, start:]`` holds.

    Rows are indexed, never sliced: a slice is an array view whose bookkeeping costs
    more than the test itself when made for every rule at every move.
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


@njit(cache=True)
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


@njit(cache=True)
def play(s, used, moves, trace, rows, mod, cp, rules, table_rows, choices, u, nrm, j):
    """Play a call to its end.

    Args:
        s: The call's state vector (float64[STATE_SIZE]); updated in place.
        used: Scratch, int64[number of moves]: times each move was made (reset here).
        moves: Output, int64[max moves]: the moves made, ``s[N_MOVES]`` of them.
        trace: Output, float64[max moves + 1]: anger after each move (when tracing),
            ``trace[0]`` the opening anger.
        rows: Move effects, float64[moves, 15] (``sim.moves.FIELDS`` order).
        mod: The customer's persona row of the move x persona table, float64[moves].
        cp: Conversation parameters, float64[PARAMS_SIZE].
        rules, table_rows, choices: The strategy's :class:`sim.rule_program.RuleProgram`:
            its tables stacked (``table_rows`` rows each), and the adaptive choices.
        u, nrm: Pre-drawn uniforms and standard normals.
        j: Index of the first reserved draw; five draws are used per move.

    Returns:
        The index after the last draw used (the rest of the reservation is given back).
    """
    used[:] = 0
    sigma = cp[TALK_SIGMA]
    half_var = 0.5 * sigma * sigma
    noise = cp[ANGER_NOISE]
    seen_noise = cp[PERCEPTION_NOISE] * (1.0 - s[PERCEPTION])
    threshold = cp[ESCALATION_ANGER] + cp[ESCALATION_SPAN] * (1.0 - s[EXPRESSIVENESS])
    block, gate, relief = cp[LISTENING_BLOCK], cp[VENT_GATE], cp[PROGRESS_RELIEF]
    insincere, penalty = cp[INSINCERE_EMPATHY], cp[STRESS_SKILL_PENALTY]
    slip, handover, per_insult = cp[SLIP_RATE], cp[HANDOVER_STRESS], cp[STRESS_PER_INSULT]
    max_moves = int(cp[MAX_MOVES])
    front_line = s[FRONT_LINE] > 0.0
    can_escalate = s[CAN_ESCALATE] > 0.0
    seen_valid = s[SEEN_VALID] > 0.0
    seen_talker = s[SEEN_TALKER] > 0.0
    valid = s[IS_VALID] > 0.0
    tracing = s[TRACING] > 0.0
    reactivity, recovery = s[REACTIVITY], s[RECOVERY]
    talk_factor, insult_rate = s[TALK_FACTOR], s[INSULT_RATE]
    empathy0, solving0, control = s[EMPATHY], s[SOLVING], s[CONTROL]
    stress, authority, asked = s[STRESS], s[AUTHORITY], s[ASKED]
    anger = s[ANGER]
    vent, respect, remedy = s[VENT], s[RESPECT], s[REMEDY]
    info, fix, diagnosis = s[INFO], s[FIX], s[DIAGNOSIS]
    conceded, peak = s[CONCEDED], s[PEAK]
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
    fix_scale = (1.0 - 0.5 * s[DIFFICULTY]) * solving
    while True:
        # What the CSR perceives before choosing (MODEL.md section 3: perception).
        # A tuple, not an array: nothing is allocated per move (and the loop can be
        # compiled into code that does not count references, sim.event_loop).
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
        elif stress > handover and can_escalate and anger > 0.6 and front_line:
            m = HANDOVER_MOVE
        elif insulted and u[j] < slip * stress * (1.0 - control):
            m = BAIT_MOVE  # taking the bait (DOMAIN.md section 8)
        else:
            if chosen < 0:
                # An adaptive strategy picks its rule table on the first reading.
                chosen = 0
                for c in range(choices.shape[0]):
                    if _holds(choices, c, CHOICE_HEAD, seen, seen_valid, seen_talker, insulted):
                        chosen = int(choices[c, 0])
                        break
            m = _next_move(
                rules, chosen * table_rows, used, seen, seen_valid, seen_talker, insulted
            )
        used[m] += 1
        moves[n_moves] = m
        n_moves += 1
        talk += rows[m, M_TALK] * talk_factor * math.exp(sigma * nrm[j + 4] - half_var)
        if rows[m, M_MANAGE] > 0.0:
            talk_factor = 1.0 + (talk_factor - 1.0) * 0.3
        # Anger: provocation (times reactivity), solutions before venting, soothing that
        # lands with empathy and after venting, all shaped by the persona.
        mod_m = mod[m]
        soothe_m = rows[m, M_SOOTHE]
        rise = (rows[m, M_PROVOKE] * mod_m + rows[m, M_PREMATURE] * vent) * reactivity
        if soothe_m > 0.0:
            if rows[m, M_SINCERE] > 0.0 and empathy < insincere:
                # An insincere apology harms, the more the less sincere (DOMAIN.md 6).
                rise += soothe_m * mod_m * reactivity * (1.0 - empathy / insincere)
            else:
                rise -= soothe_m * mod_m * recovery * (0.4 + 0.6 * empathy) * (1.0 - gate * vent)
        anger += rise + noise * nrm[j + 1]
        anger = 0.0 if anger < 0.0 else (1.0 if anger > 1.0 else anger)
        # Needs; progress on the problem brings relief (DOMAIN.md sections 2 and 7).
        listening = 1.0 - block * anger
        vent *= 1.0 - rows[m, M_VENT]
        respect_m = rows[m, M_RESPECT]
        if respect_m >= 0.0:
            respect = respect * (1.0 - respect_m)
        else:
            respect = respect + (1.0 - respect) * -respect_m
        progress = 0.0
        info_m = rows[m, M_INFO]
        if info_m > 0.0:
            met = info * info_m * listening
            info -= met
            progress += 0.5 * met
        diag_m = rows[m, M_DIAGNOSE]
        if diag_m > 0.0:
            diagnosis += diag_m * (1.0 - diagnosis)
        fix_m = rows[m, M_FIX]
        if fix_m > 0.0 and fix > 0.0:
            gain = fix_m * fix_scale * (0.5 + 0.5 * diagnosis) * listening * (0.5 + u[j + 1])
            gain = fix if gain > fix else gain
            fix -= gain
            progress += gain
        remedy_m, grant_m = rows[m, M_REMEDY], rows[m, M_GRANT]
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
            progress += 0.5 * remedy * share
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
            fix_scale = (1.0 - 0.5 * s[DIFFICULTY]) * solving
        if anger > peak:
            peak = anger
        if tracing:
            trace[n_moves] = anger
        j += 5
        if rows[m, M_OVER] > 0.0:
            handed_over = escalated = can_escalate
            break
        if rows[m, M_ENDS] > 0.0:
            break
        if anger >= threshold and can_escalate and front_line:
            escalated = True  # the customer demands a supervisor
            break
    s[ANGER], s[PEAK], s[N_MOVES], s[INSULTED_LAST] = anger, peak, n_moves, insulted
    s[VENT], s[RESPECT], s[REMEDY] = vent, respect, remedy
    s[INFO], s[FIX], s[DIAGNOSIS], s[CONCEDED] = info, fix, diagnosis, conceded
    s[TALK] = talk + cp[OVERHEAD_S]
    s[STRESS_GAIN] = stress_gain
    s[CONCEDED_INVALID] = conceded_invalid
    s[INSULTS] = insults
    s[ESCALATED] = escalated
    s[HANDED_OVER] = handed_over
    s[RESOLVED] = _resolved(s, cp[RESOLVED_NEED])
    return j


@njit(cache=True)
def _resolved(s, tol):
    """Whether the issue's primary need is met (fix, information, venting, or remedy)."""
    nature = int(s[NATURE])
    if nature == _FAILURE:
        if s[IS_VALID] > 0.0:
            return s[FIX] <= tol
        # An invalid claim ends when explained, or when the customer was given what they
        # asked for.
        return s[INFO] <= tol or (s[ASKED] > 0 and s[REMEDY] <= tol)
    if nature == _VENTING:
        return s[VENT] <= tol and s[RESPECT] <= 0.5
    return s[INFO] <= tol

"""One call: its opening and its moves, the same for the model and the lab.

When a CSR answers, the call opens (DOMAIN.md section 3): the CSR recognises the
customer's behaviour type with probability equal to their perception and reads a claim
right with a probability that grows with it; the needs to vent and for respect grow
with anger (an angry customer sends two messages, facts and feelings). Then the moves
are played (:func:`sim.engine.conversation.play`). :func:`play_call` is the only
opening there is: the model's :func:`serve` and the lab (:mod:`sim.lab`) both call it.
"""

from __future__ import annotations

from sim.catalogue import VENTING
from sim.engine import compiled, helper
from sim.engine.conversation import T_ANGER, keep_trace, play
from sim.engine.draws import CONVERSATION, take


@helper
def play_call(
    c, P, slot, csr, temper, persona, q, anger, front, can_escalate, tracing,
    cat, persona_mod, rules, table_rows, choices, used, moves, trace,
    draws_u, draws_n, draw_pos, rngs,
):  # fmt: skip
    """Open a call about ``slot``'s issue at ``anger`` and play it to its end.

    Args:
        c: The call row to fill (:data:`sim.schema.CALL`); holds the outcome after.
        P: The engine's parameters row.
        slot: The contact and its issue (:data:`sim.schema.SLOT` row).
        csr: The answering CSR (:data:`sim.schema.CSR` row); its stress is read, not
            changed.
        temper, persona: The customer's temperament and persona rows; ``q`` is the
            persona's number.
        anger: Anger when the call opens, 0..1.
        front: True for the front line; ``can_escalate``: a second tier exists.
        tracing: Keep anger, needs and talk time after each move in ``trace``.
        cat, persona_mod: The move catalogue and the move x persona table.
        rules, table_rows, choices: The CSR's rule program.
        used, moves, trace: Scratch and outputs of the moves (see ``play``).
        draws_u, draws_n, draw_pos, rngs: The random buffers (:mod:`sim.engine.draws`).
    """
    u, nrm = draws_u[CONVERSATION], draws_n[CONVERSATION]
    j = take(draws_u, draws_n, draw_pos, CONVERSATION, 3, rngs)
    u_persona, u_valid = u[j], u[j + 2]  # u[j + 1] is drawn and left unused
    perception = csr["perception"]
    nature, valid = slot["nature"], slot["valid"] > 0
    seen_persona = q if u_persona < perception else 0
    floor = P["claim_reading_floor"]
    seen_valid = valid if u_valid < floor + (1.0 - floor) * perception else not valid
    if nature != VENTING:
        vent = min(1.0, persona["vent_need"] * (P["vent_at_calm"] + anger))
    else:
        vent = 1.0
    respect = min(1.0, persona["respect_need"] * (P["respect_at_calm"] + anger))
    c["anger"], c["vent"], c["respect"] = anger, vent, respect
    c["remedy"], c["info"], c["fix"] = slot["remedy_left"], slot["info_left"], slot["fix_left"]
    c["diagnosis"], c["conceded"], c["peak"] = 0.0, 0.0, anger
    c["asked"], c["valid"], c["nature"] = slot["asked"], 1.0 if valid else 0.0, float(nature)
    c["seen_valid"] = 1.0 if seen_valid else 0.0
    c["seen_talker"] = 1.0 if seen_persona == int(P["talker"]) else 0.0
    c["front_line"] = 1.0 if front else 0.0
    c["can_escalate"] = 1.0 if can_escalate else 0.0
    c["reactivity"], c["recovery"] = temper["reactivity"], temper["recovery"]
    c["expressiveness"] = temper["expressiveness"]
    c["talk_factor"], c["insult_rate"] = persona["talk_factor"], persona["insult_rate"]
    c["difficulty"] = slot["difficulty"]
    c["empathy"], c["solving"] = csr["empathy"], csr["problem_solving"]
    c["perception"], c["control"] = perception, csr["self_control"]
    c["stress"], c["authority"] = csr["stress"], csr["authority"]
    c["tracing"] = 1.0 if tracing else 0.0
    keep_trace(trace, 0, anger, vent, respect, c["remedy"], c["info"], c["fix"], 0.0)
    j = take(draws_u, draws_n, draw_pos, CONVERSATION, 5 * int(P["max_moves"]), rngs)
    # What the moves did not use is given back.
    draw_pos[CONVERSATION] = play(
        c, P, used, moves, trace, cat, persona_mod[q], rules, table_rows, choices, u, nrm, j
    )


@compiled
def lab_call(
    calls, params, slots, csrs, temperaments, personas, t, q, anger, can_escalate,
    cat, persona_mod, rules, table_rows, choices, used, moves, trace,
    draws_u, draws_n, draw_pos, rngs,
):  # fmt: skip
    """One front-line call of the lab (:mod:`sim.lab`): ``play_call`` on one-row tables."""
    play_call(
        calls[0], params[0], slots[0], csrs[0], temperaments[t], personas[q], q, anger, True,
        can_escalate, True, cat, persona_mod, rules, table_rows, choices, used, moves,
        trace, draws_u, draws_n, draw_pos, rngs,
    )  # fmt: skip


@helper
def serve(st, slot_no, k, now, rngs):
    """CSR ``k`` answers the contact in ``slot_no`` at ``now`` and plays the call;
    returns the call's talk time, s.

    Waiting has raised the customer's anger (MODEL.md section 2), the CSR's stress has
    decayed while idle (section 3); after the call the contact keeps what it left, and
    the CSR's stress rises with insults and very angry calls.
    """
    P = st.params[0]
    slot, csr = st.slots[slot_no], st.csrs[k]
    cust = st.customers[slot["customer"]]
    t, q = cust["temperament"], cust["persona"]
    temper, persona = st.temperaments[t], st.personas[q]
    tier = slot["tier"]
    wait = now - slot["tier_arrival_s"]
    if slot["callback"]:
        wait *= P["callback_weight"]
    slot["wait_s"] += wait
    anger = min(1.0, slot["anger"] + P["wait_anger_per_min"] * wait / 60.0 * temper["reactivity"])
    idle = now - csr["free_since_s"]
    if idle > 0:
        csr["stress"] *= 0.5 ** (idle / (60.0 * P["stress_half_life_min"]))
    if tier == 0:
        slot["csr"] = csr["position"]
        slot["answered_s"] = now
        slot["stress"] = csr["stress"]
    g = st.globals[0]
    tracing = (
        P["trace"] > 0.0
        and t == int(P["trace_temperament"])
        and q == int(P["trace_persona"])
        and tier == 0
        and g["traces"] < st.traces.shape[0]
    )
    program = st.programs[csr["program"]]
    r0, c0 = program["rule_start"], program["choice_start"]
    c = st.call[0]
    play_call(
        c, P, slot, csr, temper, persona, q, anger, tier == 0, P["tiers"] > 1, tracing,
        st.moves, st.persona_mod, st.rules[r0 : r0 + program["rules"]],
        program["table_rows"], st.choices[c0 : c0 + program["choices"]],
        st.used, st.call_moves, st.call_trace, st.draws_u, st.draws_n, st.draw_pos, rngs,
    )  # fmt: skip
    _keep_call(st, slot_no, c, anger, tracing, k, t, q)
    return c["talk_s"]


@helper
def _keep_call(st, slot_no, c, anger, tracing, k, t, q):
    """What the contact keeps of the call, and what the call did to the CSR."""
    P = st.params[0]
    slot, csr = st.slots[slot_no], st.csrs[k]
    peak = c["peak"]
    n_moves = int(c["n_moves"])
    calls = slot["calls"]
    if calls == 0:
        slot["start_anger"] = anger
        slot["peak"] = peak
        slot["conceded"] = c["conceded"]
        slot["escalated"] = 1 if c["escalated"] > 0.0 else 0
        slot["conceded_invalid"] = 1 if c["conceded_invalid"] > 0.0 else 0
    else:
        slot["peak"] = max(slot["peak"], peak)
        slot["conceded"] += c["conceded"]
        if c["escalated"] > 0.0:
            slot["escalated"] = 1
        if c["conceded_invalid"] > 0.0:
            slot["conceded_invalid"] = 1
    slot["last_anger"], slot["last_remedy"], slot["last_fix"] = c["anger"], c["remedy"], c["fix"]
    slot["last_info"], slot["last_respect"] = c["info"], c["respect"]
    slot["resolved"] = 1 if c["resolved"] > 0.0 else 0
    if P["keep_contacts"] > 0.0 and calls < 2:
        width = st.slot_moves.shape[1] // 2
        for x in range(n_moves):
            st.slot_moves[slot_no, calls * width + x] = st.call_moves[x]
        if calls == 0:
            slot["moves0"] = n_moves
        else:
            slot["moves1"] = n_moves
    slot["calls"] = calls + 1
    # Very angry calls add stress, the less the more self-controlled (DOMAIN.md 8);
    # per tenth of anger above the threshold.
    angry = max(0.0, peak - P["angry_call_anger"]) * 10.0 * P["stress_per_angry"]
    angry *= 1.0 - csr["self_control"]
    csr["stress"] = min(1.0, csr["stress"] + c["stress_gain"] + angry)
    slot["anger"] = c["anger"]
    if tracing:
        g = st.globals[0]
        x = g["traces"]
        g["traces"] = x + 1
        for m in range(n_moves + 1):
            st.trace_values[x, m] = st.call_trace[m, T_ANGER]
        row = st.traces[x]
        row["csr"], row["temperament"], row["persona"], row["length"] = k, t, q, n_moves + 1

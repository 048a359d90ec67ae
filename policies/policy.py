"""Service policies as TOML files: data that names a floor's strategies and levers.

A policy file (docs/model.md section 2.4)::

    name = "my-floor"
    description = "One line for `ccsim policies`."

    [strategy]
    mix = { negotiate = 0.5, compromise = 0.5 }   # or { adaptive = 1.0 }
    supervisor = "negotiate"

    [strategies.gentle]            # optional: your own strategy, as rules over moves
    rules = [
      { move = "listen" },
      { move = "let_vent", when = "vent>0.3", at_most = 3 },
      { move = "solve", when = "fix>0.3", at_most = 3 },
    ]

    [routing]
    discipline = "fifo"            # fifo | value | anger | match

    [staffing]
    csrs = 50                      # or schedule = "schedule.csv" (relative to the file)

    [levers]
    concession_authority = 30.0    # currency per contact
    follow_up = false
    callback_wait_s = 0            # 0: never offer a callback
    training = 0.0                 # added to every mean CSR skill

Loading a policy never executes code: conditions are parsed from a fixed vocabulary.
Every value is checked for its type and range (a weight is a finite number, not a
boolean; ``at_most`` a whole number; a name plain printable text), and errors name the
file, the line and the key, with the valid choices. A staffing schedule named by the file
is read and checked when the policy is loaded, and its SHA-256 becomes part of the policy,
so that results are keyed by what the schedule holds.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from policies.strategies import (
    BUILT_IN_RULES,
    AdaptiveStrategy,
    Rule,
    RuleStrategy,
    adaptive,
    built_in,
)
from sim.errors import InputError
from sim.floor import ROUTINGS, Floor
from sim.inputs import MAX_TOML_BYTES, read_text
from sim.parameters import key_line, parse_toml

TOP_KEYS = ("name", "description", "strategy", "strategies", "routing", "staffing", "levers")
SECTION_KEYS = {
    "strategy": ("mix", "supervisor"),
    "routing": ("discipline",),
    "staffing": ("csrs", "schedule"),
    "levers": ("concession_authority", "follow_up", "callback_wait_s", "training"),
}
RULE_KEYS = ("move", "when", "at_most")
#: A policy's name: letters, digits and a little punctuation, as it is printed in tables,
#: charts and file names (no control characters or terminal escapes).
NAME = re.compile(r"^\w[\w .+#()'-]{0,59}$")
#: Most times a rule may fire in one call.
MAX_AT_MOST = 1000


@dataclass(frozen=True)
class Policy:
    """A loaded, validated policy (pure data; ``floor()`` builds the simulation's view).

    Attributes:
        name: Policy name.
        description: One line describing it.
        mix: Strategy name -> weight.
        supervisor: Strategy of the second tier.
        custom: Rules of strategies defined in the file, by name.
        routing: Queue discipline (see ``sim.floor.ROUTINGS``).
        csrs: Head count, if the policy sets it.
        schedule: Staffing schedule path, if the policy sets it.
        concession_authority: Currency per contact, if the policy sets it.
        follow_up: Follow-up contacts on resolved issues.
        callback_wait_s: Offer a callback when the expected wait exceeds this (0: never).
        training: Added to every mean CSR skill.
        source: The file it came from.
        schedule_sha256: SHA-256 of the schedule file's bytes, if the policy names one.
    """

    name: str
    description: str
    mix: dict[str, float]
    supervisor: str = "negotiate"
    custom: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    routing: str = "fifo"
    csrs: int | None = None
    schedule: str | None = None
    concession_authority: float | None = None
    follow_up: bool = False
    callback_wait_s: float = 0.0
    training: float = 0.0
    source: str = ""
    schedule_sha256: str | None = None

    def strategy(self, name: str) -> RuleStrategy | AdaptiveStrategy:
        """A strategy object by name: the file's own, a built-in, or ``adaptive``."""
        if name in self.custom:
            return RuleStrategy(name, self.custom[name], source=self.source)
        if name == "adaptive":
            return adaptive()
        return built_in(name)

    def floor(self) -> Floor:
        """The simulation's view of this policy."""
        return Floor(
            name=self.name,
            strategies=tuple((self.strategy(n), w) for n, w in self.mix.items()),
            supervisor_strategy=self.strategy(self.supervisor),
            routing=self.routing,
            follow_up=self.follow_up,
            callback_wait_s=self.callback_wait_s or None,
            concession_authority=self.concession_authority,
            training=self.training,
            csrs=self.csrs,
            schedule=self.schedule,
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything that defines the policy (for manifests)."""
        return {
            "name": self.name,
            "description": self.description,
            "mix": self.mix,
            "supervisor": self.supervisor,
            "custom": {k: [r.__dict__ for r in v] for k, v in self.custom.items()},
            "routing": self.routing,
            "csrs": self.csrs,
            "schedule": self.schedule,
            "concession_authority": self.concession_authority,
            "follow_up": self.follow_up,
            "callback_wait_s": self.callback_wait_s,
            "training": self.training,
            "source": self.source,
            "schedule_sha256": self.schedule_sha256,
        }


def preset_names() -> list[str]:
    """Names of the built-in presets."""
    folder = resources.files("policies.presets")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a built-in preset."""
    return resources.files("policies.presets").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def load_policy(name_or_path: str | Path) -> Policy:
    """A preset by name, or a user's policy file by path.

    Raises:
        InputError: unknown name (with the closest names), or a malformed file (with the
            file, line and key).
    """
    text_name = str(name_or_path)
    presets = preset_names()
    if text_name in presets:
        return parse_policy(preset_text(text_name), source=f"preset {text_name}")
    path = Path(text_name)
    if path.suffix.lower() == ".toml" or path.exists():
        text = read_text(path, max_bytes=MAX_TOML_BYTES).text
        return parse_policy(text, source=str(path), base=path.parent)
    close = difflib.get_close_matches(text_name, presets, n=3, cutoff=0.4)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise InputError(
        f"unknown policy {text_name!r}{hint}",
        field="policy",
        valid=[*presets, "a path to a .toml file"],
    )


def parse_policy(text: str, source: str = "<policy>", base: Path | None = None) -> Policy:
    """Parse and validate a policy's TOML text.

    Args:
        text: The TOML text.
        source: Where it came from (for error messages).
        base: Folder that a relative ``staffing.schedule`` path is relative to.

    Raises:
        InputError: naming the source, line and key of the first problem found.
    """
    data = parse_toml(text, source=source)

    def fail(key: str, message: str, valid=None) -> InputError:
        return InputError(message, source=source, line=key_line(text, key), field=key, valid=valid)

    for key in data:
        if key not in TOP_KEYS:
            raise fail(key, "unknown key", TOP_KEYS)
    for section, allowed in SECTION_KEYS.items():
        value = data.get(section, {})
        if not isinstance(value, dict):
            raise fail(section, f"must be a table, got {_shown(value)}", allowed)
        for key in value:
            if key not in allowed:
                raise fail(f"{section}.{key}", "unknown key", allowed)
    name = data.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise fail(
            "name",
            f"must be a short plain name, got {_shown(name)}",
            "letters, digits, spaces and . + # ( ) ' - (at most 60)",
        )
    description = data.get("description", "")
    if not isinstance(description, str) or not description.isprintable() or len(description) > 500:
        raise fail("description", "must be one line of printable text (at most 500 characters)")
    custom = _custom_strategies(data.get("strategies", {}), text, source, fail)
    known = {*BUILT_IN_RULES, "adaptive", *custom}
    strategy = data.get("strategy", {})
    mix = strategy.get("mix")
    if not isinstance(mix, dict) or not mix:
        raise fail("strategy.mix", "needs a table of strategy = weight", sorted(known))
    for sname, weight in mix.items():
        if sname not in known:
            raise fail("strategy.mix", f"unknown strategy {sname!r}", sorted(known))
        if not _real(weight) or not math.isfinite(weight) or weight < 0:
            raise fail(
                "strategy.mix",
                f"weight of {sname} must be a finite number >= 0, got {_shown(weight)}",
            )
    if sum(mix.values()) <= 0:
        raise fail("strategy.mix", "weights sum to 0")
    supervisor = strategy.get("supervisor", "negotiate")
    if not isinstance(supervisor, str) or supervisor not in known:
        raise fail("strategy.supervisor", f"unknown strategy {_shown(supervisor)}", sorted(known))
    routing = data.get("routing", {}).get("discipline", "fifo")
    if not isinstance(routing, str) or routing not in ROUTINGS:
        raise fail("routing.discipline", f"unknown discipline {_shown(routing)}", ROUTINGS)
    staffing = data.get("staffing", {})
    csrs = staffing.get("csrs")
    if csrs is not None and (not isinstance(csrs, int) or isinstance(csrs, bool) or csrs < 1):
        raise fail("staffing.csrs", f"must be a whole number >= 1, got {_shown(csrs)}")
    schedule, schedule_sha256 = _schedule(staffing.get("schedule"), base, fail)
    levers = data.get("levers", {})
    numbers = {}
    for key, low, high in (
        ("concession_authority", 0.0, None),
        ("callback_wait_s", 0.0, None),
        ("training", -1.0, 1.0),
    ):
        value = levers.get(key)
        if value is None:
            continue
        if (
            not _real(value)
            or not math.isfinite(value)
            or value < low
            or (high is not None and value > high)
        ):
            valid = f"a finite number >= {low:g}" + (
                f" and <= {high:g}" if high is not None else ""
            )
            raise fail(f"levers.{key}", f"bad value {_shown(value)}", valid)
        numbers[key] = float(value)
    follow_up = levers.get("follow_up", False)
    if not isinstance(follow_up, bool):
        raise fail("levers.follow_up", f"bad value {_shown(follow_up)}", "true, false")
    return Policy(
        name=name,
        description=description,
        mix={k: float(v) for k, v in mix.items()},
        supervisor=supervisor,
        custom=custom,
        routing=routing,
        csrs=csrs,
        schedule=schedule,
        concession_authority=numbers.get("concession_authority"),
        follow_up=follow_up,
        callback_wait_s=numbers.get("callback_wait_s", 0.0),
        training=numbers.get("training", 0.0),
        source=source,
        schedule_sha256=schedule_sha256,
    )


def _real(value: Any) -> bool:
    """A TOML integer or float (TOML booleans are Python ints: refused)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as the user wrote it, shortened, for an error message."""
    return repr(value)[:40]


def _custom_strategies(table: Any, text: str, source: str, fail) -> dict[str, tuple[Rule, ...]]:
    """The file's own strategies (``[strategies.NAME]`` tables of rules), validated."""
    if not isinstance(table, dict):
        raise fail("strategies", f"must be a table of strategies, got {_shown(table)}")
    custom: dict[str, tuple[Rule, ...]] = {}
    for sname, body in table.items():
        key = f"strategies.{sname}"
        if not NAME.match(sname):
            raise fail(key, "needs a short plain name (letters, digits, - and _)")
        rules = body.get("rules") if isinstance(body, dict) else None
        if not isinstance(rules, list) or not rules:
            raise fail(key, "needs rules = [ { move = ..., when = ..., at_most = ... }, ... ]")
        parsed = []
        for number, rule in enumerate(rules, start=1):
            if not isinstance(rule, dict) or "move" not in rule:
                raise fail(key, f"rule {number} needs a move")
            for k in rule:
                if k not in RULE_KEYS:
                    raise fail(key, f"rule {number}: unknown key {k!r}", RULE_KEYS)
            move, when, at_most = rule["move"], rule.get("when", "always"), rule.get("at_most", 1)
            if not isinstance(move, str) or not isinstance(when, str):
                raise fail(key, f"rule {number}: move and when must be text")
            if (
                not isinstance(at_most, int)
                or isinstance(at_most, bool)
                or not 1 <= at_most <= MAX_AT_MOST
            ):
                raise fail(
                    key,
                    f"rule {number}: at_most must be a whole number, got {_shown(at_most)}",
                    f"1 to {MAX_AT_MOST}",
                )
            parsed.append(Rule(move, when, at_most))
        custom[sname] = tuple(parsed)
        try:
            RuleStrategy(sname, custom[sname], source=source)  # validate moves and conditions
        except InputError as err:
            raise InputError(
                str(err).split(": ", 1)[-1],
                source=source,
                line=key_line(text, key) or _find_line(text, f"[{key}]"),
                field=key,
            ) from None
    return custom


def _schedule(value: Any, base: Path | None, fail) -> tuple[str | None, str | None]:
    """A policy's schedule path (relative to its file) and the SHA-256 of its contents."""
    if value is None:
        return None, None
    if not isinstance(value, str) or not value.strip():
        raise fail("staffing.schedule", f"must be a file path, got {_shown(value)}")
    from sim.staffing import read_schedule

    path = Path(value)
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path), read_schedule(path).sha256


def _find_line(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None

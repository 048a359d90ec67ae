"""Service policies as TOML files: data that names a floor's strategies and levers.

A policy file (MODEL.md section 6)::

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
Errors name the file, the line and the key.
"""

from __future__ import annotations

import difflib
import re
import tomllib
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
from sim.parameters import key_line

TOP_KEYS = ("name", "description", "strategy", "strategies", "routing", "staffing", "levers")
SECTION_KEYS = {
    "strategy": ("mix", "supervisor"),
    "routing": ("discipline",),
    "staffing": ("csrs", "schedule"),
    "levers": ("concession_authority", "follow_up", "callback_wait_s", "training"),
}
RULE_KEYS = ("move", "when", "at_most")


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
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise InputError("file not found", source=path)
        return parse_policy(path.read_text(encoding="utf-8"), source=str(path), base=path.parent)
    close = difflib.get_close_matches(text_name, presets, n=3, cutoff=0.4)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise InputError(
        f"unknown policy {text_name!r}{hint}",
        field="policy",
        valid=[*presets, "a path to a .toml file"],
    )


def parse_policy(text: str, source: str = "<policy>", base: Path | None = None) -> Policy:
    """Parse and validate a policy's TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise InputError(
            f"not valid TOML ({err})", source=source, line=int(match.group(1)) if match else None
        ) from None

    def fail(key: str, message: str, valid=None) -> InputError:
        return InputError(message, source=source, line=key_line(text, key), field=key, valid=valid)

    for key in data:
        if key not in TOP_KEYS:
            raise fail(key, "unknown key", TOP_KEYS)
    for section, allowed in SECTION_KEYS.items():
        value = data.get(section, {})
        if not isinstance(value, dict):
            raise fail(section, "must be a table", allowed)
        for key in value:
            if key not in allowed:
                raise fail(f"{section}.{key}", "unknown key", allowed)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise fail("name", "missing or not a string")
    custom: dict[str, tuple[Rule, ...]] = {}
    for sname, table in (data.get("strategies") or {}).items():
        key = f"strategies.{sname}"
        rules = table.get("rules") if isinstance(table, dict) else None
        if not isinstance(rules, list) or not rules:
            raise fail(key, "needs rules = [ { move = ..., when = ..., at_most = ... }, ... ]")
        parsed = []
        for rule in rules:
            if not isinstance(rule, dict) or "move" not in rule:
                raise fail(key, "each rule needs a move")
            for k in rule:
                if k not in RULE_KEYS:
                    raise fail(key, f"unknown rule key {k!r}", RULE_KEYS)
            parsed.append(
                Rule(
                    str(rule["move"]), str(rule.get("when", "always")), int(rule.get("at_most", 1))
                )
            )
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
    known = {*BUILT_IN_RULES, "adaptive", *custom}
    strategy = data.get("strategy", {})
    mix = strategy.get("mix")
    if not isinstance(mix, dict) or not mix:
        raise fail("strategy.mix", "needs a table of strategy = weight", sorted(known))
    for sname, weight in mix.items():
        if sname not in known:
            raise fail("strategy.mix", f"unknown strategy {sname!r}", sorted(known))
        if not isinstance(weight, int | float) or weight < 0:
            raise fail("strategy.mix", f"weight of {sname} must be a number >= 0")
    if sum(mix.values()) <= 0:
        raise fail("strategy.mix", "weights sum to 0")
    supervisor = strategy.get("supervisor", "negotiate")
    if supervisor not in known:
        raise fail("strategy.supervisor", f"unknown strategy {supervisor!r}", sorted(known))
    routing = data.get("routing", {}).get("discipline", "fifo")
    if routing not in ROUTINGS:
        raise fail("routing.discipline", f"unknown discipline {routing!r}", ROUTINGS)
    staffing = data.get("staffing", {})
    csrs = staffing.get("csrs")
    if csrs is not None and (not isinstance(csrs, int) or isinstance(csrs, bool) or csrs < 1):
        raise fail("staffing.csrs", f"must be a whole number >= 1, got {csrs!r}")
    schedule = staffing.get("schedule")
    if schedule is not None:
        path = Path(schedule)
        if base is not None and not path.is_absolute():
            path = base / path
        schedule = str(path)
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
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < low
            or (high is not None and value > high)
        ):
            valid = f"a number >= {low:g}" + (f" and <= {high:g}" if high is not None else "")
            raise fail(f"levers.{key}", f"bad value {value!r}", valid)
        numbers[key] = float(value)
    follow_up = levers.get("follow_up", False)
    if not isinstance(follow_up, bool):
        raise fail("levers.follow_up", f"bad value {follow_up!r}", "true, false")
    return Policy(
        name=name,
        description=str(data.get("description", "")),
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
    )


def _find_line(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None

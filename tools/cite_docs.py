"""Point the parameter sources of ``sim/defaults.toml`` at the documents that ship.

The defaults cited the project's design notes (``DOMAIN.md``, ``MODEL.md``), which users
do not have. Their content ships, rewritten, as ``docs/domain.md`` (the same section
numbers) and ``docs/model.md`` (the ODD protocol, other numbers). This script rewrites the
citations mechanically and touches only ``source = ...`` lines (and, in one-line tables
such as ``persona_move``, only the text after ``source =``), so that edits to values and
bounds merge cleanly. It is idempotent: after a merge conflict on such a line, keep the
other side and run it again.

    python tools/cite_docs.py [sim/defaults.toml]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: MODEL.md section -> docs/model.md section, when the hint after it says nothing better.
MODEL_SECTIONS = {
    "1": "7.1",
    "2": "2.1",
    "3": "2.2",
    "4": "7.3",
    "5": "7.6",
    "6": "2.4",
    "7": "7.9",
    "8": "8",
    "9": "4.9",
    "10": "8",
}
#: Words in the hint that follows a citation -> the docs/model.md section about them.
HINTS = (
    ("long enough", "2.5"),
    ("patience", "7.2"),
    ("waiting", "7.2"),
    ("abandonment", "7.2"),
    ("stress", "7.8"),
    ("perception", "4.7"),
    ("unresolved issue returns", "7.7"),
    ("repeat contact", "7.7"),
    ("silent churn", "7.7"),
    ("escalation threshold", "7.5"),
    ("melancholics rarely escalate", "7.5"),
)
MODEL = re.compile(r"MODEL\.md section (\d+)")


def rewrite(line: str) -> str:
    """One ``source = ...`` line with its citations pointed at the shipped documents."""

    def model(match: re.Match) -> str:
        # The clause holding the citation (between semicolons) says what it is about.
        start = line.rfind(";", 0, match.start()) + 1
        end = line.find(";", match.end())
        hint = line[start : end if end >= 0 else len(line)].lower()
        section = next((s for word, s in HINTS if word in hint), MODEL_SECTIONS[match[1]])
        return f"docs/model.md section {section}"

    line = MODEL.sub(model, line)
    line = line.replace("DOMAIN.md", "docs/domain.md")
    return line.replace("shared/data README", "the Anonymous Bank center of Brown et al. (2005)")


def main(path: str = "sim/defaults.toml") -> int:
    """Rewrite the file in place; print how many lines changed."""
    file = Path(path)
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        if line.lstrip().startswith("source ="):
            line = rewrite(line)
        elif ", source = " in line:  # a one-line table: only its source text changes
            head, tail = line.split(", source = ", 1)
            line = f"{head}, source = {rewrite(tail)}"
        out.append(line)
    changed = sum(a != b for a, b in zip(lines, out, strict=True))
    file.write_text("".join(out), encoding="utf-8")
    print(f"{changed} source lines rewritten in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

"""What comments and docs point at exists: every dotted name of ccsim's own modules and
every path of the repository that the code, the tests or the README mention."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *ROOT.glob("sim/**/*.py"),
    *ROOT.glob("policies/**/*.py"),
    *ROOT.glob("experiments/**/*.py"),
    *ROOT.glob("benchmarks/*.py"),
    *ROOT.glob("tests/*.py"),
    ROOT / "README.md",
    *ROOT.glob("docs/*.md"),
    ROOT / "sim" / "defaults.toml",
]
DOTTED = re.compile(r"\b((?:sim|policies|experiments)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
PATH = re.compile(
    r"\b((?:sim|policies|experiments|benchmarks|tests|docs)/[\w./-]*\.(?:py|toml|md|csv))"
)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_dotted_names_in_comments_and_docs_exist():
    missing = set()
    for path in SOURCES:
        for match in DOTTED.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1).rstrip(".")
            if name.endswith((".py", ".toml", ".md", ".csv")):
                continue
            if not _resolves(name):
                missing.add((path.relative_to(ROOT).as_posix(), name))
    assert not missing, sorted(missing)


def test_paths_in_comments_and_docs_exist():
    missing = {
        (path.relative_to(ROOT).as_posix(), match.group(1))
        for path in SOURCES
        for match in PATH.finditer(path.read_text(encoding="utf-8"))
        if not (ROOT / match.group(1)).exists()
    }
    assert not missing, sorted(missing)


def test_tests_read_the_model_through_its_public_api():
    """The engine's tables are ``model.state``; no test reaches into private attributes
    of a model (they may change with the engine)."""
    private = re.compile(r"\b(model|m|m1|m2|center|runs\[\d\])\._[a-z]")
    offenders = [
        f"{path.name}:{n}"
        for path in ROOT.glob("tests/*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line) and "private" not in line
    ]
    assert offenders == []

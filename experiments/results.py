"""Results folders: a manifest beside every table, every file written atomically.

A results folder holds what a command produced and everything needed to reproduce it:
``manifest.json`` names the command line, every parameter, the seeds, the versions of
the packages and the git revision. Files are written to a temporary name and renamed
into place, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PACKAGES = ("ccsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "typer")


def new_results_dir(command: str, out: Path | None, root: Path = Path("results")) -> Path:
    """The folder to write to: ``out`` if given, else ``results/<command>-<timestamp>``."""
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = root / f"{command}-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    return out


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (NaN written as null)."""
    write_text(path, json.dumps(_clean(data), indent=2, sort_keys=False) + "\n")


def write_table(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV or Parquet (by suffix) atomically."""
    if path.suffix == ".parquet":
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return _clean(value.item())
    if isinstance(value, Path):
        return str(value)
    return value


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a result depends on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_revision() -> str:
    """The git revision of the ccsim source (with ``-dirty`` if modified), or ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def manifest(command: str, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The manifest of a results folder."""
    return {
        "command": command,
        "command_line": " ".join(["ccsim", *sys.argv[1:]]) if sys.argv else command,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "parameters": parameters,
        **extra,
        "versions": package_versions(),
        "git_revision": git_revision(),
    }

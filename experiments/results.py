"""Writing results: every file atomically, a manifest beside every table.

A results folder holds what a command produced and everything needed to reproduce it:
``manifest.json`` names the command line, every parameter, the seeds, the version of ccsim
and of the packages it ran on, and the git revision when ccsim runs from its own checkout.
Files are written to a temporary name in the same folder, flushed to disk (fsync) and
renamed into place, so neither an interrupted run nor a power cut leaves a half-written
file under a final name. How a folder is claimed, marked and checked is in
:mod:`experiments.folder`.

This module is imported by light commands (``ccsim erlang``): pandas is imported only
where a table is written.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.errors import Interrupted, RunError  # noqa: F401  (part of this API)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

PACKAGES = ("ccsim", "mesa", "numpy", "numba", "scipy", "pandas", "pyarrow", "matplotlib", "typer")
#: Prefix of the temporary files :func:`atomic_write` leaves only if it is killed.
TEMP_PREFIX = ".ccsim-tmp-"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)``, flush the file to disk, then rename it to ``path``.

    The temporary file lives in the target's folder (a rename across file systems is not
    atomic) and its name starts with :data:`TEMP_PREFIX`, so that a later run can remove
    what a killed one left.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; results are meant to be shared
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_file(path: str | Path) -> None:
    """Flush a written file's data to the disk (a rename alone may reach it first)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries, so that a rename survives a crash (POSIX only)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (NaN written as null: the file is strict JSON)."""
    write_text(path, json.dumps(clean(data), indent=2, sort_keys=False) + "\n")


def write_table(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV or Parquet (by suffix) atomically."""
    if path.suffix == ".parquet":
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def clean(value: Any, *, keep_nan: bool = False) -> Any:
    """Plain JSON-able data: NumPy scalars to Python, paths to text, NaN to None.

    Args:
        value: Nested dicts, lists and scalars.
        keep_nan: Keep NaN and infinities as floats (for files only Python reads back,
            so that a missing metric stays a number after a round trip).
    """
    if isinstance(value, dict):
        return {str(k): clean(v, keep_nan=keep_nan) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v, keep_nan=keep_nan) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return clean(value.item(), keep_nan=keep_nan)
    if isinstance(value, float) and not keep_nan and not math.isfinite(value):
        return None
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


def ccsim_version() -> str:
    """The installed version of ccsim (``unknown`` when it is not installed)."""
    try:
        return metadata.version("ccsim")
    except metadata.PackageNotFoundError:
        return "unknown"


def source_root() -> Path:
    """The folder holding the ``experiments`` package (a checkout, or site-packages)."""
    return Path(__file__).resolve().parent.parent


def git_revision(root: Path | None = None) -> str | None:
    """ccsim's git revision (``-dirty`` if modified), or None when not run from its checkout.

    A revision is only ccsim's when the repository's top folder is the folder holding this
    package and declares the ``ccsim`` project: a ccsim installed into a user's own
    repository (or a venv inside one) must not log that repository's commit as its own.
    """
    root = source_root() if root is None else root
    pyproject = root / "pyproject.toml"
    try:
        if 'name = "ccsim"' not in pyproject.read_text(encoding="utf-8"):
            return None
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
            return None
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, UnicodeDecodeError, subprocess.SubprocessError):
        return None


def command_line() -> str:
    """The command line as typed (for manifests)."""
    return " ".join(["ccsim", *sys.argv[1:]]) if sys.argv else "ccsim"


def manifest(command: str, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The manifest of a results folder.

    Args:
        command: The ccsim command (``compare``, ``sweep``, ...).
        parameters: Every parameter value the run used, by dotted key.
        **extra: Seeds, policies, scenario and anything else that defines the run.
    """
    out = {
        "command": command,
        "command_line": command_line(),
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "ccsim_version": ccsim_version(),
        "parameters": parameters,
        **extra,
        "versions": package_versions(),
    }
    revision = git_revision()
    if revision is not None:
        out["git_revision"] = revision
    return out

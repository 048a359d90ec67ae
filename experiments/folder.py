"""Results folders that cannot lie: one command line per folder, complete or marked so.

A folder is *claimed* before a run writes anything into it:

- a new folder gets a unique automatic name (two runs started in the same second get two
  folders) or is the user's ``--out``, checked to be a folder ccsim can write;
- an existing folder is reused only by the *same run*: the same command, inputs (file
  contents included), policies, parameters and seed, whose finished replications are then
  kept (resumption). A folder of another run, or one that is not a ccsim results folder, is
  refused in one line;
- a lock (``.lock``) keeps two ccsim processes out of one folder at a time;
- leftovers of a killed run (temporary files) and the tables of an earlier finish are
  removed, and ``manifest.json`` is written with ``"status": "incomplete"``.

When the run has written every table, :meth:`Claim.finish` writes the full manifest with
``"status": "complete"``, last. Whatever stops a run in between leaves a folder marked
incomplete, which ``ccsim plot`` and ``ccsim report`` refuse (:func:`finished_folder`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.results import TEMP_PREFIX, clean, command_line, write_json
from sim.errors import InputError

MANIFEST = "manifest.json"
LOCK = ".lock"
INCOMPLETE, COMPLETE = "incomplete", "complete"
#: What a run writes besides ``manifest.json`` and ``tasks/``: removed when a run starts
#: again in its folder, so that a folder never mixes two finishes.
OUTPUTS = (
    "replications.parquet",
    "replications.csv",
    "summary.csv",
    "differences.csv",
    "breakdown.parquet",
    "intervals.parquet",
    "intervals.csv",
    "accounts.parquet",
    "contacts.parquet",
    "traces.parquet",
    "staffing.csv",
    "evaluations.csv",
    "calibration_targets.csv",
    "calibrated_parameters.csv",
    "calibrated.toml",
    "calibration.json",
    "breakdowns.json",
    "report.html",
    "charts",
)
#: Root of automatic folder names.
DEFAULT_ROOT = Path("results")


def run_key(identity: dict[str, Any]) -> str:
    """A short hash of everything that defines a run's results (see :class:`Claim`)."""
    blob = json.dumps(clean(identity), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def check_out(out: Path | None, option: str = "--out") -> None:
    """Refuse an ``--out`` that cannot be a results folder, before anything runs.

    Raises:
        InputError: an existing file, a path inside a file, a system folder (``/proc``,
            ``/sys``, ``/dev``) or a folder ccsim may not write into.
    """
    if out is None:
        return
    resolved = Path(os.path.abspath(out))
    if resolved.parts[1:2] and resolved.parts[1] in ("proc", "sys", "dev"):
        raise InputError(f"{out} is a system folder, not a place for results", field=option)
    if resolved.exists() and not resolved.is_dir():
        raise InputError(f"{out} is a file, not a folder", field=option)
    probe = resolved
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"{probe} is a file, so {out} cannot be created", field=option)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"cannot write into {probe} (permission denied)", field=option)


def check_file_target(path: Path | None, option: str) -> None:
    """Refuse an output file path (e.g. ``--contacts``) that cannot be written.

    Raises:
        InputError: a folder, a missing or read-only parent folder, or a system path.
    """
    if path is None:
        return
    if not str(path).strip():
        raise InputError("is empty", field=option, valid="a file path")
    resolved = Path(os.path.abspath(path))
    if resolved.parts[1:2] and resolved.parts[1] in ("proc", "sys", "dev"):
        raise InputError(f"{path} is a system path, not a place for results", field=option)
    if resolved.is_dir():
        raise InputError(f"{path} is a folder; give a file name", field=option)
    if not resolved.parent.is_dir():
        raise InputError(f"folder {resolved.parent} does not exist", field=option)
    if not os.access(resolved.parent, os.W_OK | os.X_OK) or (
        resolved.exists() and not os.access(resolved, os.W_OK)
    ):
        raise InputError(f"cannot write {path} (permission denied)", field=option)


def _new_folder(command: str, root: Path) -> Path:
    """A folder ``root/<command>-<timestamp>[-N]`` that no other run has (created here)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        root.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            folder = root / (f"{command}-{stamp}" if n == 1 else f"{command}-{stamp}-{n}")
            try:
                folder.mkdir()  # atomic: exactly one process creates a given name
            except FileExistsError:
                continue
            return folder
    except OSError as err:
        raise InputError(
            f"cannot create a results folder in {root.resolve()} ({err.strerror}); give --out DIR",
            field="--out",
        ) from None
    raise InputError(f"too many results folders named {command}-{stamp}*", source=root)


@dataclass
class Claim:
    """A results folder held by this process for one run.

    Attributes:
        path: The folder.
        command: The ccsim command.
        key: :func:`run_key` of the run's identity.
        created: Folders this claim created (removed by :meth:`abandon`).
    """

    path: Path
    command: str
    key: str
    created: list[Path] = field(default_factory=list)
    _lock: int | None = None

    def finish(self, manifest: dict[str, Any]) -> None:
        """Write the full manifest, marked complete: the last file of a finished run."""
        write_json(self.path / MANIFEST, {**manifest, "run_key": self.key, "status": COMPLETE})
        self.release()

    def release(self) -> None:
        """Let other runs use the folder."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def abandon(self) -> None:
        """Undo a claim nothing was written under (folders created for it are removed)."""
        self.release()
        for folder in reversed(self.created):
            shutil.rmtree(folder, ignore_errors=True)


def claim(
    command: str, out: Path | None, identity: dict[str, Any], root: Path = DEFAULT_ROOT
) -> Claim:
    """Claim a results folder for a run (see the module docstring).

    Args:
        command: The ccsim command.
        out: The user's ``--out``, or None for an automatic folder under ``root``.
        identity: Everything that defines the run's results (command, policies, scenario
            with input-file hashes, seed, design); two runs share a folder only when their
            identities are equal.
        root: Where automatic folders go.

    Raises:
        InputError: the folder belongs to another run, is not a ccsim results folder, is
            in use by another ccsim process, or cannot be written.
    """
    key = run_key({"command": command, **identity})
    created: list[Path] = []
    if out is None:
        folder = _new_folder(command, root)
        created.append(folder)
    else:
        check_out(out)
        folder = Path(out)
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create {out} ({err.strerror})", field="--out") from None
        created.extend(reversed(missing))
    held = Claim(folder, command, key, created)
    lock_is_new = not (folder / LOCK).exists()
    try:
        _check_owner(folder, command, key, out)  # before leaving a lock file in it
        held._lock = _lock(folder)
        _check_owner(folder, command, key, out)  # again: another run may have just finished
        _clear(folder)
        write_json(
            folder / MANIFEST,
            {
                "command": command,
                "command_line": command_line(),
                "run_key": key,
                "status": INCOMPLETE,
                "started": dt.datetime.now().isoformat(timespec="seconds"),
            },
        )
    except BaseException:
        held.abandon()
        if lock_is_new and folder.is_dir():
            (folder / LOCK).unlink(missing_ok=True)
        raise
    return held


def _lock(folder: Path) -> int:
    """An exclusive lock on the folder's lock file, held until released or exit."""
    import fcntl

    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise InputError(
            "another ccsim run is writing into this folder; wait for it or choose another --out",
            source=folder,
        ) from None
    return fd


def _check_owner(folder: Path, command: str, key: str, out: Path | None) -> None:
    manifest = read_manifest(folder)
    entries = {p.name for p in folder.iterdir()} - {LOCK}
    if manifest is None:
        if entries - {"tasks"} or (folder / "tasks").exists():
            raise InputError(
                "is not empty and not a ccsim results folder (no manifest.json); "
                "choose another --out",
                source=out or folder,
            )
        return
    if manifest.get("run_key") != key:
        what = manifest.get("command_line") or f"ccsim {manifest.get('command', '?')}"
        raise InputError(
            f"holds the results of another run ({what[:120]}); a folder belongs to one "
            "command line: choose another --out, or delete the folder to start again",
            source=out or folder,
        )


def _clear(folder: Path) -> None:
    """Remove a killed run's temporary files and an earlier finish's tables."""
    for place in (folder, folder / "tasks", folder / "charts"):
        if place.is_dir():
            for leftover in place.glob(f"{TEMP_PREFIX}*"):
                leftover.unlink(missing_ok=True)
            # Temporary files of earlier ccsim versions.
            for leftover in place.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
    for name in OUTPUTS:
        target = folder / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A folder's manifest, or None if it has none; a damaged one is refused."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(
            "manifest.json is damaged: not a ccsim results folder", source=folder
        ) from None
    if not isinstance(data, dict) or "command" not in data:
        raise InputError("manifest.json is not a ccsim manifest", source=folder)
    return data


def finished_folder(folder: Path, *, needs: tuple[str, ...] = ("replications.parquet",)) -> dict:
    """The manifest of a finished ccsim results folder, or a one-line refusal.

    Args:
        folder: The folder given to ``plot`` or ``report``.
        needs: Files the caller reads.

    Raises:
        InputError: not a folder, no or a foreign manifest, a run that did not finish, or
            a missing table.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such results folder", source=folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError("not a ccsim results folder (no manifest.json)", source=folder)
    if manifest.get("status") != COMPLETE:
        raise InputError(
            "the run that writes this folder has not finished (it is marked incomplete); "
            f"rerun `{manifest.get('command_line', 'the same command')}` to finish it",
            source=folder,
        )
    for name in needs:
        if not (folder / name).is_file():
            raise InputError(
                f"has no {name} (a `ccsim {manifest['command']}` folder); plot and report "
                "read compare, sweep and staff folders",
                source=folder,
            )
    return manifest

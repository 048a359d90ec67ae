"""How a run ends when it cannot finish: the two outcomes the CLI turns into one line.

Kept apart from :mod:`experiments.results` so that the CLI can catch them without
importing anything else at start-up.
"""

from __future__ import annotations

from pathlib import Path


class RunError(Exception):
    """A run cannot go on for a reason outside its input (e.g. a full disk).

    The CLI prints ``str(error)`` as one line and exits with code 1.
    """


class Interrupted(Exception):
    """Ctrl-C during a run: what was kept, and how to resume.

    Not a ``KeyboardInterrupt``: Typer turns those into a silent exit code, and the user
    should be told what was kept.

    Args:
        kept: Replications finished and saved.
        total: Replications of the run.
        folder: Where they are saved (None: nothing is saved).
    """

    def __init__(self, kept: int, total: int, folder: Path | None) -> None:
        super().__init__(kept, total, folder)
        self.kept, self.total, self.folder = kept, total, folder

    def __str__(self) -> str:
        if self.folder is None:
            return f"interrupted after {self.kept} of {self.total} replications (none saved)"
        return (
            f"interrupted: {self.kept} of {self.total} replications are kept in "
            f"{self.folder}; rerun the same command with --out {self.folder} to finish"
        )

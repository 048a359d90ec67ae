"""Reading a log file: CSV in any usual dialect or Parquet, columns found by name."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.call_log.format import MISSING, LogFormat
from sim.errors import InputError


def read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a file that is not Parquet
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"cannot read as Parquet ({reason})", source=path) from None


def read_csv(path: Path, encoding: str) -> pd.DataFrame:
    """All cells as text; ``__line__`` holds each row's line number in the file."""
    # utf-8-sig reads UTF-8 and drops the byte-order mark some spreadsheets write.
    encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", field="--encoding") from None
    try:
        with warnings.catch_warnings():
            # A row with more fields than the header is only a warning to pandas (it
            # would drop data): make it an error and read the file the careful way.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
                encoding=encoding,
            )
    except UnicodeDecodeError as err:
        raise not_text(path, encoding, err) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", source=path) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        return read_csv_row_by_row(path, encoding)
    frame.columns = [str(c).strip() for c in frame.columns]
    # Without quoted line breaks, data row i is on line i + 2 (the header is line 1);
    # blank lines are kept as rows so that the count stays right.
    frame["__line__"] = np.arange(len(frame)) + 2
    return frame


def read_csv_row_by_row(path: Path, encoding: str) -> pd.DataFrame:
    """The slow path for ragged files: a row with the wrong number of fields is kept as a
    row of empty cells with a note, so that it is reported with its line."""
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        rows, lines, ragged = [], [], []
        for row in reader:
            lines.append(reader.line_num)
            if len(row) == len(header):
                rows.append(row)
                ragged.append("")
            else:
                rows.append([""] * len(header))
                # An empty line is blank, not ragged.
                ragged.append(
                    f"expected {len(header)} fields, found {len(row)}" if any(row) else ""
                )
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["__line__"] = np.asarray(lines, dtype=np.int64)
    frame["__ragged__"] = ragged
    return frame


def not_text(path: Path, encoding: str, err: UnicodeDecodeError) -> InputError:
    data = path.read_bytes()
    # pandas decodes in chunks: find the first bad byte in the whole file again.
    try:
        data.decode(encoding)
        line = None
    except UnicodeDecodeError as whole:
        line = data.count(b"\n", 0, whole.start) + 1
    return InputError(
        f"not {encoding.removesuffix('-sig')} text (byte {err.object[err.start]:#04x}); "
        "re-save it as UTF-8 or give its encoding with --encoding, e.g. latin-1",
        source=path,
        line=line,
    )


def resolve_columns(raw: pd.DataFrame, fmt: LogFormat, path: Path) -> dict[str, str]:
    """``{role: column in the file}``: exact names first, then ignoring case."""
    wanted = {
        "arrived": fmt.arrived,
        "answered": fmt.answered,
        "ended": fmt.ended,
        "outcome": fmt.outcome,
    }
    if fmt.waited is not None:
        wanted["waited"] = fmt.waited
    present = [c for c in raw.columns if not str(c).startswith("__")]
    lowered = {str(c).strip().lower(): c for c in present}
    found: dict[str, str] = {}
    for role, name in wanted.items():
        if name in present:
            found[role] = name
        elif name.strip().lower() in lowered:
            found[role] = lowered[name.strip().lower()]
        else:
            shown = ", ".join(str(c) for c in present[:12]) + (", ..." if len(present) > 12 else "")
            raise InputError(
                f"no column {name!r} for the {role} {'time' if role != 'outcome' else 'label'};"
                f" map yours with --{role} NAME (columns in the file: {shown or 'none'})",
                source=path,
                line=None if path.suffix.lower() == ".parquet" else 1,
            )
    if len(set(found.values())) < len(found):
        raise InputError(
            "one column is mapped to two roles", source=path, valid=", ".join(found.values())
        )
    return found


def blank_rows(raw: pd.DataFrame, roles: list[str]) -> np.ndarray:
    blank = np.ones(len(raw), dtype=bool)
    for role in roles:
        blank &= missing_cells(raw[role])
    if "__ragged__" in raw:
        blank &= raw["__ragged__"].to_numpy() == ""
    return blank


def is_text(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)
    )


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped, missing ones as ""; numbers and times (Parquet) as they are.
    Done once per column: string conversions dominate the time to read a large log."""
    if not is_text(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):  # Parquet writes labels so
        values = values.astype(object)
    return values.fillna("").astype(str).str.strip()


def missing_cells(values: pd.Series) -> np.ndarray:
    if not is_text(values):
        return values.isna().to_numpy()
    return values.str.lower().isin(MISSING).to_numpy()

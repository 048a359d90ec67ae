"""Reading a user's files: one way in for every CSV and TOML file ccsim accepts.

Files come from spreadsheets, exports and editors that save in many encodings and with
many separators. ccsim accepts UTF-8 text with or without a byte-order mark; anything else
(UTF-16, Latin-1 / Windows-1252, binary data) is refused by name, with what to do about it,
rather than half-read. A CSV file's separator (comma, semicolon, tab or bar) is found from
its header line. Sizes are checked before a byte is read, so that a wrong path (a disk
image, ``/dev/zero``) cannot exhaust memory. Every refusal is an :class:`InputError`
naming the file and, where there is one, the line.

Every reader also returns the SHA-256 of the bytes it read: results are keyed by what was
in a file, never by its name (see ``experiments/runner.py``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError

#: Largest CSV file read (bytes): a year of 1-minute intervals is about 20 MB.
MAX_CSV_BYTES = 256 * 2**20
#: Largest TOML file read (bytes): a policy or parameter file is a few kB.
MAX_TOML_BYTES = 2**20
#: Separators a CSV file may use, in order of preference when the header allows several.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
# Control characters that never occur in a text file (tab, newlines and form feed do).
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f"} | {"\x7f"}


@dataclass(frozen=True)
class TextFile:
    """A text file as read.

    Attributes:
        path: The path as given.
        text: Its content, decoded (a byte-order mark removed).
        sha256: SHA-256 of its bytes, hex.
    """

    path: Path
    text: str
    sha256: str


def sha256_of(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_text(path: str | Path, *, max_bytes: int = MAX_CSV_BYTES) -> TextFile:
    """Read a UTF-8 text file, refusing what is not one.

    Args:
        path: The file.
        max_bytes: Largest size accepted, bytes.

    Raises:
        InputError: missing, a folder or a device, too large, unreadable, or not UTF-8 text.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", source=path)
    if path.is_dir():
        raise InputError("is a folder, not a file", source=path)
    if not path.is_file():
        raise InputError("is not a regular file (a device or a pipe?)", source=path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"file is {_size(size)}, more than the {_size(max_bytes)} ccsim reads "
                "(is it the right file?)",
                source=path,
            )
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read ({err.strerror or err})", source=path) from None
    return TextFile(path, decode(data, source=path), hashlib.sha256(data).hexdigest())


def decode(data: bytes, *, source: str | Path) -> str:
    """UTF-8 text of ``data`` (a UTF-8 byte-order mark dropped); other encodings refused."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError("is UTF-32 text; save it as UTF-8", source=source)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("is UTF-16 text; save it as UTF-8 (e.g. 'CSV UTF-8')", source=source)
    head = data[:4096]
    if head and b"\x00" in head:
        # Text in UTF-16 without a mark has a zero in every other byte; data has them anywhere.
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise InputError("looks like UTF-16 text; save it as UTF-8", source=source)
        raise InputError("is a binary file, not text", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        byte = data[err.start]
        if sum(b >= 0x80 for b in head) > len(head) // 3:
            raise InputError("is a binary file, not text", source=source, line=line) from None
        raise InputError(
            f"is not UTF-8 text (byte 0x{byte:02x}; Latin-1 or Windows-1252?); save it as UTF-8",
            source=source,
            line=line,
        ) from None
    for number, row in enumerate(text.splitlines(), start=1):
        if _CONTROL.intersection(row):
            raise InputError(
                "holds control characters: a binary file, not text", source=source, line=number
            )
    return text


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover - the loop returns


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and rows.

    Attributes:
        path: The file.
        header: Column names, stripped and lower-cased.
        rows: ``(line, fields)`` of every non-blank data row; ``line`` is 1-based.
        sha256: SHA-256 of the file's bytes, hex.
        delimiter: The separator found.
    """

    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    sha256: str
    delimiter: str

    def column(self, name: str) -> int:
        """Index of a column of the header."""
        return self.header.index(name)


def read_csv(path: str | Path, required: Sequence[str]) -> CsvTable:
    """Read a CSV file whose header must name the ``required`` columns (in any order).

    The separator is the one of :data:`DELIMITERS` whose split of the header finds the most
    required columns. Rows shorter than the header, or with a broken quote, are refused
    naming their line.

    Raises:
        InputError: as :func:`read_text`, or for a missing column or a malformed row.
    """
    file = read_text(path)
    lines = file.text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError("file is empty", source=path, line=1, valid=", ".join(required))
    delimiter = _delimiter(lines[first], required)
    reader = csv.reader(io.StringIO(file.text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(_rows(reader))
    except csv.Error as err:
        raise InputError(f"malformed CSV ({err})", source=path, line=reader.line_num) from None
    if not rows:  # pragma: no cover - the header line is not blank
        raise InputError("file is empty", source=path, line=1)
    (header_line, header), data = rows[0], rows[1:]
    header = tuple(h.strip().lower() for h in header)
    missing = [c for c in required if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        raise InputError(
            f"missing column {missing[0]!r} (the header read as {_DELIMITER_NAMES[delimiter]}-"
            f"separated has: {found[:200]})",
            source=path,
            line=header_line,
            valid=", ".join(required),
        )
    for line, fields in data:
        if len(fields) < len(header):
            raise InputError(
                f"expected {len(header)} fields separated by {_DELIMITER_NAMES[delimiter]}s, "
                f"found {len(fields)}",
                source=path,
                line=line,
            )
    return CsvTable(Path(path), header, tuple(data), file.sha256, delimiter)


def _rows(reader) -> Iterator[tuple[int, tuple[str, ...]]]:
    start = 1
    for fields in reader:
        if fields and any(cell.strip() for cell in fields):
            yield start, tuple(fields)
        start = reader.line_num + 1


def _delimiter(header: str, required: Sequence[str]) -> str:
    def found(sep: str) -> int:
        names = {h.strip().strip('"').lower() for h in header.split(sep)}
        return sum(c in names for c in required)

    return max(DELIMITERS, key=lambda sep: (found(sep), -DELIMITERS.index(sep)))

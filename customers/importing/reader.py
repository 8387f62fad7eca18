"""Streaming CSV reading with the checks that apply to a whole file.

The file is read once to find its encoding (customers/importing/encoding.py),
then decoded and parsed incrementally (csv over a text stream), so memory
does not grow with the file. Problems that make the rest of a file unreadable
(encoding, header, broken quoting) raise FileProblem; odd but readable files
(extra columns, no data rows) are noted in `CsvSource.notes` as warnings;
per-row problems are the RowParser's business.
"""

import csv
import difflib
import io
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from customers.importing.encoding import UTF8, Encoding, FileProblem, sniff
from customers.importing.schema import SPECS, FileSpec

__all__ = ["CsvSource", "FileProblem", "header_notes", "header_problem"]

# The csv module's own limit (131,072 characters) would stop the whole file at
# one long value; read it, and let the column's own limit name it instead.
FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))

# The delimiters a spreadsheet may have saved instead of commas, as named in the message.
_OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "unexpected end of data" in message:
        return 'a quoted value that starts here is never closed (a closing " is missing)'
    if "expected after" in message:
        return 'a quote (") inside a value: double it ("") or quote the whole value'
    if "field larger than field limit" in message:
        return f"a value longer than {FIELD_LIMIT:,} characters: is a closing quote missing?"
    return f"unreadable CSV ({message})"


def header_problem(spec: FileSpec, header: Sequence[str]) -> FileProblem | None:
    """Wrong delimiter, wrong file, missing/misspelt/duplicate columns."""
    expected = spec.headers
    found = [h.strip() for h in header]
    raw_first_line = ",".join(header)
    if len(found) <= 2:
        for delimiter, label in _OTHER_DELIMITERS.items():
            if raw_first_line.count(delimiter) >= len(expected) - 2:
                return FileProblem(
                    1,
                    "header",
                    raw_first_line[:60],
                    f"looks like {label}-delimited; save it as comma-separated (,) CSV",
                )
    for other in SPECS:
        if other is not spec and found == other.headers:
            return FileProblem(
                1, "header", ",".join(found)[:60], f"this looks like {other.filename}, not {spec.filename}"
            )
    reasons = []
    duplicates = sorted({h for h in found if h in expected and found.count(h) > 1})
    if duplicates:
        reasons.append("duplicate column " + ", ".join(duplicates))
    missing = [h for h in expected if h not in found]
    unknown = [h for h in found if h not in expected]
    for name in missing:
        close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
        reasons.append(f"missing column {name!r}" + (f" (found {close[0]!r}: misspelt?)" if close else ""))
    if not reasons:
        return None
    if missing:
        reasons.extend(f"unknown column {name!r}" for name in unknown)
    return FileProblem(1, "header", ",".join(found)[:120], "; ".join(reasons) + f". Expected: {','.join(expected)}")


def header_notes(spec: FileSpec, header: Sequence[str]) -> list[FileProblem]:
    """Columns the contract does not have: ignored, and reported (a header without problems)."""
    notes = []
    for number, name in enumerate((h.strip() for h in header), 1):
        if name not in spec.headers:
            label = repr(name) if name else f"{number} (no heading)"
            notes.append(FileProblem(1, "header", name, f"column {label} is not in the contract: ignored"))
    return notes


class CsvSource:
    """One CSV file, opened for streaming. Use as a context manager."""

    def __init__(self, source: Path | str | BinaryIO) -> None:
        if isinstance(source, str | Path):
            self._binary: BinaryIO = open(source, "rb")  # noqa: SIM115 - closed in close()
            self._owned = True
        elif source.seekable():
            self._binary = source
            self._owned = False
        else:
            # The encoding is found by reading the file once before parsing it.
            self._binary = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed in close()
            shutil.copyfileobj(source, self._binary)
            self._binary.seek(0)
            self._owned = True
        self.header: list[str] = []
        self.encoding: Encoding = UTF8
        self.notes: list[FileProblem] = []  # odd but readable: reported as warnings
        self._text: io.TextIOWrapper | None = None

    def __enter__(self) -> "CsvSource":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._text is not None:
            # Detach so that dropping the text wrapper never closes a stream
            # the caller owns (e.g. an uploaded file).
            self._text.detach()
            self._text = None
        if self._owned:
            self._binary.close()

    def open(self, spec: FileSpec) -> Iterator[tuple[int, list[str]]]:
        """Check encoding and header; return an iterator of (line number, record).

        Line numbers are the physical line on which a record starts (the header
        is line 1), so a record with a quoted newline still points at its start.
        """
        self.encoding = sniff(self._binary)
        stream = self._text = io.TextIOWrapper(self._binary, encoding=self.encoding.codec, newline="")
        reader = csv.reader(stream, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise FileProblem(1, "header", "", _csv_problem(exc)) from None
        if header is None or not any(h.strip() for h in header):
            raise FileProblem(1, "file", "(empty)", "file is empty: expected a header row")
        problem = header_problem(spec, header)
        if problem:
            raise problem
        self.notes.extend(header_notes(spec, header))
        self.header = [h.strip() for h in header]
        return self._records(reader)

    def _records(self, reader: "csv._reader") -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        seen_any = False
        try:
            for record in reader:
                # csv yields [] for a blank line; Excel writes ",,,," for a blank row.
                if record and (record[0] or any(record)):
                    seen_any = True
                    yield line, record
                line = reader.line_num + 1
        except csv.Error as exc:
            raise FileProblem(line, "row", "", _csv_problem(exc)) from None
        if not seen_any:
            self.notes.append(
                FileProblem(2, "file", "(header only)", "no data rows after the header: nothing to import")
            )

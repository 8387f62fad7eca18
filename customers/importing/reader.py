"""Streaming CSV reading with the checks that apply to a whole file.

The file is decoded and parsed incrementally (csv over a text stream), so
memory does not grow with the file. Problems that make the rest of a file
unreadable (encoding, header, broken quoting) raise FileProblem; per-row
problems are the RowParser's business.
"""

import codecs
import csv
import difflib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from customers.importing.schema import SPECS, FileSpec

# The delimiters a spreadsheet may have saved instead of commas, as named in the message.
_OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}


class FileProblem(Exception):
    """A file-level problem: reported as `file:line: column=value: reason`."""

    def __init__(self, line: int, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.value, self.reason = line, column, value, reason


def _locate_bad_byte(stream: BinaryIO) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not valid UTF-8."""
    if not stream.seekable():
        return None
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    for number, line in enumerate(stream, 1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError as exc:
            return number, exc.start + 1, line[exc.start]
    return None


def _encoding_problem(stream: BinaryIO) -> FileProblem:
    where = _locate_bad_byte(stream)
    if where is None:
        return FileProblem(0, "encoding", "?", "not UTF-8; re-save the file as UTF-8")
    line, column, byte = where
    hint = " (looks like Latin-1/Windows-1252)" if byte >= 0x80 else ""
    return FileProblem(
        line,
        "encoding",
        f"0x{byte:02x}",
        f"not UTF-8 (byte 0x{byte:02x} at line {line}, column {column}){hint}; re-save as UTF-8",
    )


def utf8_problem_message(data: bytes, position: int) -> str:
    """The same encoding message for an in-memory file (the admin upload)."""
    line = data.count(b"\n", 0, position) + 1
    column = position - (data.rfind(b"\n", 0, position) + 1) + 1
    return f"not UTF-8 (byte 0x{data[position]:02x} at line {line}, column {column}); re-save as UTF-8"


def header_problem(spec: FileSpec, header: Sequence[str], raw_first_line: str) -> FileProblem | None:
    """Wrong delimiter, wrong file, missing/misspelt/unknown/duplicate columns."""
    expected = spec.headers
    found = [h.strip() for h in header]
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
    duplicates = sorted({h for h in found if found.count(h) > 1})
    if duplicates:
        reasons.append("duplicate column " + ", ".join(duplicates))
    unknown = [h for h in found if h not in expected]
    missing = [h for h in expected if h not in found]
    for name in missing:
        close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
        reasons.append(f"missing column {name!r}" + (f" (found {close[0]!r}: misspelt?)" if close else ""))
    for name in unknown:
        reasons.append(f"unknown column {name!r}")
    if not reasons:
        return None
    return FileProblem(1, "header", ",".join(found)[:120], "; ".join(reasons) + f". Expected: {','.join(expected)}")


class CsvSource:
    """One CSV file, opened for streaming. Use as a context manager."""

    def __init__(self, source: Path | str | BinaryIO) -> None:
        if isinstance(source, str | Path):
            self._binary: BinaryIO = open(source, "rb")  # noqa: SIM115 - closed in close()
            self._owned = True
        else:
            self._binary = source
            self._owned = False
        self.header: list[str] = []
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
        start = self._binary.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem(1, "encoding", "UTF-16", "file is UTF-16; re-save as UTF-8")
        if not start:
            raise FileProblem(1, "file", "(empty)", "file is empty: expected a header row")
        self._binary.seek(0)
        stream = self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        reader = csv.reader(stream, strict=True)
        try:
            header = next(reader, None)
        except UnicodeDecodeError:
            raise _encoding_problem(self._binary) from None
        except csv.Error as exc:
            raise FileProblem(1, "header", "", f"unreadable CSV header ({exc})") from None
        if header is None or not any(h.strip() for h in header):
            raise FileProblem(1, "file", "(empty)", "file is empty: expected a header row")
        first_line = ",".join(header)
        problem = header_problem(spec, header, first_line)
        if problem:
            raise problem
        self.header = [h.strip() for h in header]
        return self._records(reader)

    def _records(self, reader: "csv._reader") -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        seen_any = False
        try:
            for record in reader:
                if record:  # csv yields [] for blank lines (e.g. trailing ones)
                    seen_any = True
                    yield line, record
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise _encoding_problem(self._binary) from None
        except csv.Error as exc:
            raise FileProblem(line, "row", "", f"unreadable CSV ({exc})") from None
        if not seen_any:
            raise FileProblem(2, "file", "(header only)", "no data rows after the header")

"""Which text encoding a supplier file is in, found by reading it once.

Excel on a UK PC saves "CSV UTF-8" (with a byte-order mark) or plain "CSV"
(Windows-1252); other systems write UTF-8 without a mark. So: a file that is
valid UTF-8 is UTF-8, otherwise it is read as Windows-1252 if every byte means
something there. Two cases are refused, because guessing would corrupt names:
a file that is partly UTF-8 and partly not (mixed encodings), and one with
bytes Windows-1252 leaves undefined. The same pass finds what is not text at
all: NUL bytes, UTF-16, spreadsheets saved under a .csv name.
"""

import codecs
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 20


class FileProblem(Exception):
    """A file-level problem: reported as `file:line: column=value: reason`."""

    def __init__(self, line: int, column: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.value, self.reason = line, column, value, reason


@dataclass(frozen=True)
class Encoding:
    codec: str  # for io.TextIOWrapper
    label: str  # for the summary


UTF8 = Encoding("utf-8-sig", "UTF-8")  # utf-8-sig reads a file with or without the mark
UTF8_BOM = Encoding("utf-8-sig", "UTF-8 with BOM")
WINDOWS_1252 = Encoding("cp1252", "Windows-1252")

_NOT_CSV = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or a zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF",
}


def _where(data: bytes, position: int, lines_before: int) -> tuple[int, int]:
    """(line, column) of a byte position within a chunk that starts after `lines_before` newlines."""
    line = lines_before + data.count(b"\n", 0, position) + 1
    return line, position - (data.rfind(b"\n", 0, position) + 1) + 1


def _not_utf8_at(stream: BinaryIO) -> tuple[int, int, int]:
    """(line, column, byte) of the first byte that is not UTF-8 (the stream is known to have one)."""
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    for number, line in enumerate(stream, 1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError as exc:
            return number, exc.start + 1, line[exc.start]
    return number, len(line), line[-1]  # a multi-byte character cut short at the end of the file


def sniff(stream: BinaryIO) -> Encoding:
    """The encoding of a seekable binary stream, which is left at its start. Raises FileProblem."""
    start = stream.read(4)
    stream.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(1, "encoding", "UTF-16", "file is UTF-16; re-save it as CSV UTF-8")
    for magic, what in _NOT_CSV.items():
        if start.startswith(magic):
            raise FileProblem(1, "file", what, f"this is {what}, not a CSV file; save it as CSV UTF-8")
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, utf8_text_seen, lines = True, False, 0
    while chunk := stream.read(CHUNK):
        nul = chunk.find(b"\0")
        if nul >= 0:
            line, column = _where(chunk, nul, lines)
            raise FileProblem(
                line, "file", "NUL byte", f"a NUL byte at line {line}, column {column}: this is not plain CSV text"
            )
        if utf8 and (not chunk.isascii() or decoder.getstate()[0]):
            try:
                decoder.decode(chunk)
                utf8_text_seen = utf8_text_seen or not chunk.isascii()
            except UnicodeDecodeError as exc:
                utf8 = False
                utf8_text_seen = utf8_text_seen or not chunk[: exc.start].isascii()
        if not utf8:
            try:
                chunk.decode("cp1252")
            except UnicodeDecodeError as exc:
                line, column = _where(chunk, exc.start, lines)
                byte = chunk[exc.start]
                raise FileProblem(
                    line,
                    "encoding",
                    f"0x{byte:02x}",
                    f"neither UTF-8 nor Windows-1252 (byte 0x{byte:02x} at line {line}, column {column}); "
                    "re-save it as CSV UTF-8",
                ) from None
        lines += chunk.count(b"\n")
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not utf8 and utf8_text_seen:
        line, column, byte = _not_utf8_at(stream)
        stream.seek(0)
        raise FileProblem(
            line,
            "encoding",
            f"0x{byte:02x}",
            f"mixes UTF-8 with another encoding (byte 0x{byte:02x} at line {line}, column {column} is not UTF-8, "
            "though text before it is); re-save it as CSV UTF-8",
        )
    stream.seek(0)
    if not utf8:
        return WINDOWS_1252
    return UTF8_BOM if start.startswith(codecs.BOM_UTF8) else UTF8

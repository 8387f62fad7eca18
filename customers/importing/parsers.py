"""Cell parsers: one small function per column, built once per file.

Each parser takes the raw cell text and returns the value ready for the
database driver, or raises ValueError whose message is the human reason shown
to the user. They are closures rather than classes because the import loop
calls them millions of times and a plain function call is the cheapest thing
Python offers.

Values are returned in the form both SQLite and PostgreSQL accept directly:
ints, bools, plain decimal strings, ISO date strings and UTC datetimes as
'YYYY-MM-DD HH:MM:SS' strings (Django stores aware datetimes in UTC).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

Parser = Callable[[str], object]

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")


def text(max_length: int, *, required: bool = True) -> Parser:
    # Text is stored verbatim (no trimming): a value such as "=1+2" must reach
    # the database exactly as exported, and export escaping neutralises it.
    def parse(raw: str) -> str:
        if required and not raw.strip():
            raise ValueError("required value is empty")
        if len(raw) > max_length:
            raise ValueError(f"longer than {max_length} characters ({len(raw)})")
        return raw

    return parse


def unbounded_text() -> Parser:
    return str


def choice(choices: Iterable[str]) -> Parser:
    allowed = frozenset(choices)
    listing = ", ".join(choices)

    def parse(raw: str) -> str:
        if raw in allowed:
            return raw
        if not raw.strip():
            raise ValueError(f"required value is empty (one of {listing})")
        raise ValueError(f"not one of {listing}")

    return parse


def yes_no() -> Parser:
    def parse(raw: str) -> bool:
        if raw == "Yes":
            return True
        if raw == "No":
            return False
        raise ValueError("must be exactly Yes or No (case-sensitive)")

    return parse


def integer(low: int, high: int, *, required: bool = True) -> Parser:
    def parse(raw: str) -> int | None:
        value = raw.strip()
        if value.isdigit() and value.isascii():
            number = int(value)
        elif not value:
            if required:
                raise ValueError("required value is empty")
            return None
        elif value[0] == "-" and value[1:].isdigit() and value.isascii():
            number = int(value)
        else:
            raise ValueError("not a whole number")
        if number < low or number > high:
            raise ValueError(f"out of range {low}–{high}")
        return number

    return parse


def decimal(max_digits: int, places: int, low: float, high: float | None = None, *, required: bool = True) -> Parser:
    span = f"{low}–{high}" if high is not None else f"≥ {low}"
    whole_digits = max_digits - places

    def parse(raw: str) -> str | None:
        value = raw.strip()
        if not value:
            if required:
                raise ValueError("required value is empty")
            return None
        if not _DECIMAL_RE.match(value):
            raise ValueError("not a number")
        whole, _, frac = value.lstrip("-").partition(".")
        if len(frac) > places:
            raise ValueError(f"more than {places} decimal places")
        number = float(value)
        if number < low or (high is not None and number > high):
            raise ValueError(f"out of range {span}")
        if len(whole.lstrip("0")) > whole_digits:
            raise ValueError(f"more than {whole_digits} digits before the decimal point")
        return value

    return parse


def _check_date_shape(value: str, message: str = "not a date in YYYY-MM-DD form") -> None:
    if (
        value[4:5] != "-"
        or value[7:8] != "-"
        or not (value[:4] + value[5:7] + value[8:10]).isdigit()
        or not value.isascii()
    ):
        raise ValueError(message)


def _make_date(value: str) -> dt.date:
    try:
        return dt.date(int(value[0:4]), int(value[5:7]), int(value[8:10]))
    except ValueError as exc:
        raise ValueError(f"impossible date ({exc})") from None


def date() -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip()
        if len(value) != 10:
            raise ValueError("not a date in YYYY-MM-DD form")
        _check_date_shape(value)
        _make_date(value)
        return value

    return parse


# Offsets per local hour: UK clock changes happen on the hour, so the offset
# is constant within a local "YYYY-MM-DD HH" and one zoneinfo lookup per hour
# serves every row in it. Bounded by the hours that occur in the data.
_offset_cache: dict[str, dt.timedelta] = {}


def _london_offset(local: dt.datetime, hour_key: str) -> dt.timedelta:
    offset = _offset_cache.get(hour_key)
    if offset is None:
        # fold=0 takes the first (BST) instant of the repeated autumn hour, and
        # for the non-existent spring hour zoneinfo applies the pre-change
        # offset, i.e. 01:30 becomes 02:30 BST: the wall clock shifted forward.
        offset = local.replace(tzinfo=LONDON).utcoffset() or dt.timedelta(0)
        if len(_offset_cache) > 200_000:
            _offset_cache.clear()
        _offset_cache[hour_key] = offset
    return offset


def london_datetime(*, allow_bare_date: bool = False) -> Parser:
    shapes = "YYYY-MM-DD HH:MM" + (" or YYYY-MM-DD" if allow_bare_date else "")

    def parse(raw: str) -> str:
        value = raw.strip()
        size = len(value)
        if size == 16 or size == 19:
            if value[10] not in " T" or value[13] != ":" or (size == 19 and value[16] != ":"):
                raise ValueError(f"not a date-time in {shapes} form")
        elif size == 10 and allow_bare_date:
            value += " 00:00"
        else:
            raise ValueError(f"not a date-time in {shapes} form")
        _check_date_shape(value, f"not a date-time in {shapes} form")
        if not (value[11:13] + value[14:16] + value[17:19]).isdigit():
            raise ValueError(f"not a date-time in {shapes} form")
        try:
            local = dt.datetime(
                int(value[0:4]),
                int(value[5:7]),
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]) if size == 19 else 0,
            )
        except ValueError as exc:
            raise ValueError(f"impossible date-time ({exc})") from None
        return (local - _london_offset(local, value[:13])).isoformat(" ")

    return parse

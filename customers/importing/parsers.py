"""Cell parsers: one small function per column, built once per file.

Each parser takes the raw cell text and returns the value ready for the
database driver, or raises ValueError whose message is the human reason shown
to the user. They are closures rather than classes because the import loop
calls them millions of times and a plain function call is the cheapest thing
Python offers: the common shape of each value is tried first, and only an
unusual one (day-first dates, `yes`, surrounding spaces) pays for the slower
general path.

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

# Longest value any text column takes. Text columns without a database limit
# (Summary) still get one: a value this long is a runaway quote, not a summary.
LONG_TEXT_MAX = 65_535

_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_YES = frozenset({"yes", "y", "true", "t", "1"})
_NO = frozenset({"no", "n", "false", "f", "0"})


def text(max_length: int, *, required: bool = True) -> Parser:
    # Surrounding whitespace is trimmed ("PAD777 " is PAD777), nothing else:
    # a value such as "=1+2" reaches the database exactly as exported, and
    # export escaping neutralises it.
    def parse(raw: str) -> str:
        value = raw.strip()
        if required and not value:
            raise ValueError("required value is empty")
        if len(value) > max_length:
            raise ValueError(f"longer than {max_length:,} characters ({len(value):,})")
        return value

    return parse


def known_or_verbatim(known: Iterable[str], max_length: int) -> Parser:
    """Free text with a list of known values: any case of a known value is
    stored in its usual spelling ("at risk" → "At Risk"), anything else as
    written (trimmed), for a warning to report."""
    known = tuple(known)
    spelling = {k.casefold(): k for k in known}
    exact = frozenset(known)
    base = text(max_length)

    def parse(raw: str) -> str:
        if raw in exact:
            return raw
        value = base(raw)
        return spelling.get(value.casefold(), value)

    return parse


def choice(choices: Iterable[str]) -> Parser:
    choices = tuple(choices)
    allowed = frozenset(choices)
    spelling = {c.casefold(): c for c in choices}
    listing = ", ".join(choices)

    def parse(raw: str) -> str:
        if raw in allowed:
            return raw
        value = raw.strip()
        found = spelling.get(value.casefold())
        if found is not None:
            return found
        if not value:
            raise ValueError(f"required value is empty (one of {listing})")
        raise ValueError(f"not one of {listing}")

    return parse


def yes_no() -> Parser:
    def parse(raw: str) -> bool:
        if raw == "Yes":
            return True
        if raw == "No":
            return False
        value = raw.strip().casefold()
        if value in _YES:
            return True
        if value in _NO:
            return False
        if not value:
            raise ValueError("required value is empty (Yes or No)")
        raise ValueError("not a yes/no value (Yes/No, Y/N, True/False or 1/0)")

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


# --- dates and times ---------------------------------------------------------------------
# The usual shape (what the supplier's system writes) is checked by hand,
# character by character, which is several times cheaper than a regex; the
# other accepted shapes (ISO 8601 with T, Z or an offset; UK day-first, as
# Excel writes on a UK PC) go through the regexes below.

_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?\Z",
    re.IGNORECASE,
)
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\Z")
_DATE_SHAPES = "YYYY-MM-DD or DD/MM/YYYY"
_DATETIME_SHAPES = "YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM"


def _date_parts(value: str) -> tuple[str, ...] | None:
    """(year, month, day, hour, minute, second, zone) of any accepted shape; None if none fits."""
    match = _ISO_DATETIME.match(value)
    if match:
        return match.groups()
    match = _DAY_FIRST.match(value)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    if len(year) == 2:
        raise ValueError(f"two-digit year in {value!r}: write the year in full ({_DATE_SHAPES})")
    if int(month) > 12 and int(day) <= 12:
        raise ValueError("impossible date: dates are read day-first (DD/MM/YYYY); this looks month-first")
    return year, month, day, hour, minute, second, None


def _zone_offset(zone: str) -> dt.timedelta:
    if zone in ("Z", "z"):
        return dt.timedelta(0)
    digits = zone[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return -offset if zone[0] == "-" else offset


def _check_date_shape(value: str) -> bool:
    return (
        value[4:5] == "-" and value[7:8] == "-" and (value[:4] + value[5:7] + value[8:10]).isdigit() and value.isascii()
    )


def date() -> Parser:
    def parse(raw: str) -> str:
        value = raw.strip()
        if len(value) == 10 and _check_date_shape(value):
            year, month, day = value[0:4], value[5:7], value[8:10]
        else:
            parts = _date_parts(value)
            # Excel writes a date cell formatted as date-time with a midnight time ("30/09/2025 00:00"):
            # still that date. Any other time of day is not a date.
            if parts is None or not all(int(p or 0) == 0 for p in parts[3:6]) or parts[6]:
                raise ValueError(f"not a date ({_DATE_SHAPES})")
            year, month, day = parts[:3]
        try:
            return dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError as exc:
            raise ValueError(f"impossible date ({exc})") from None

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


def london_to_utc(local: dt.datetime) -> dt.datetime:
    """A naive UK wall-clock time → the naive UTC instant (see _london_offset for clock changes)."""
    return local - _london_offset(local, local.isoformat(" ")[:13])


def _usual_datetime(value: str, size: int) -> dt.datetime | None:
    """'YYYY-MM-DD HH:MM[:SS]' (or with T): the supplier's own shape, parsed without a regex."""
    if (
        (size == 16 or size == 19)
        and value[10] in " T"
        and value[13] == ":"
        and (size == 16 or value[16] == ":")
        and _check_date_shape(value)
        and (value[11:13] + value[14:16] + value[17:19]).isdigit()
    ):
        try:
            return dt.datetime(
                int(value[0:4]),
                int(value[5:7]),
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]) if size == 19 else 0,
            )
        except ValueError as exc:
            raise ValueError(f"impossible date-time ({exc})") from None
    return None


def london_datetime(*, allow_bare_date: bool = False) -> Parser:
    """A UK local date-time (or an ISO one with Z or an offset) → UTC text.

    Fractions of a second are dropped: no supplier field needs them, and keys
    stay comparable with what the database returns.
    """
    shapes = _DATETIME_SHAPES + (", or a date alone" if allow_bare_date else "")

    def parse(raw: str) -> str:
        value = raw.strip()
        size = len(value)
        local = _usual_datetime(value, size)
        if local is not None:
            return (local - _london_offset(local, value[:13])).isoformat(" ")
        parts = _date_parts(value)
        if parts is None:
            raise ValueError(f"not a date-time ({shapes})")
        year, month, day, hour, minute, second, zone = parts
        if hour is None and not allow_bare_date:
            raise ValueError(f"not a date-time ({shapes}): the time is missing")
        try:
            moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError as exc:
            raise ValueError(f"impossible date-time ({exc})") from None
        if zone:
            return (moment - _zone_offset(zone)).isoformat(" ")
        return london_to_utc(moment).isoformat(" ")

    return parse


def london_midnight_utc(day: str) -> str:
    """'YYYY-MM-DD' (a UK date) → UTC text of the instant that day began there."""
    return london_to_utc(dt.datetime.fromisoformat(day)).isoformat(" ")


def as_of_moment(text: str) -> dt.datetime:
    """An as-of time typed by a person (any date or date-time shape above, UK time unless it says
    otherwise) → an aware UTC datetime. Raises ValueError naming the accepted shapes."""
    return dt.datetime.fromisoformat(london_datetime(allow_bare_date=True)(text)).replace(tzinfo=UTC)

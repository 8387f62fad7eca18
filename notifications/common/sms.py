"""Channel length rules: SMS segments (GSM-7 vs UCS-2) and push length.

An SMS is billed and delivered per segment. GSM-7 (the default alphabet) fits
160 characters in one segment and 153 per segment once concatenated (the
user-data header takes 7); characters of the GSM-7 *extension* table cost two
septets (an escape plus the character). One character outside GSM-7 (a curly
quote, an accented "á", an emoji) switches the whole message to UCS-2: 70 in one
segment, 67 per segment concatenated, counted in UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass

# 3GPP TS 23.038 basic character set (the escape 0x1B is not text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SMS_MAX_SEGMENTS = 2
PUSH_MAX_CHARS = 178


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    limit: int  # the most units that fit in SMS_MAX_SEGMENTS segments


GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    return GSM7_ALL.issuperset(text)


def non_gsm7_chars(text: str) -> list[str]:
    return sorted({ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION})


def sms_size(text: str) -> SmsSize:
    if is_gsm7(text):
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 0 if units == 0 else 1 if units <= single else -(-units // multi)
    limit = single if SMS_MAX_SEGMENTS == 1 else multi * SMS_MAX_SEGMENTS
    return SmsSize(encoding=encoding, units=units, segments=segments, limit=limit)

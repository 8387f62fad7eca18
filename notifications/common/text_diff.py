"""How a person changed a text: a unified diff for the audit trail, and a word-level edit count."""

from __future__ import annotations

import difflib


def text_diff(before: str, after: str, *, label: str = "body") -> str:
    """A readable unified diff (line by line) of one text field; empty when unchanged."""
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), fromfile=f"{label} (before)", tofile=f"{label} (after)", lineterm=""
    )
    return "\n".join(lines)


def draft_diff(before_subject: str, before_body: str, after_subject: str, after_body: str) -> str:
    return "\n".join(
        d for d in (text_diff(before_subject, after_subject, label="subject"), text_diff(before_body, after_body)) if d
    )


def word_edits(before: str, after: str) -> int:
    """Words inserted, deleted or replaced to turn `before` into `after` (difflib on word lists)."""
    a, b = before.split(), after.split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")

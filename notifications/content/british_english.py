"""British-English spelling check for drafts, built on the `breame` word lists.

breame maps ~1,700 American spellings to British ones, but it knows words, not
meanings: some of its "American" entries are correct British English in the
sense we use them. An energy supplier reads *meters*, sends *draft* messages,
runs *programs* on computers and *licenses* (verb) things, so those are allowed
(`ALLOWED`). A few common American forms breame lacks are added (`EXTRA`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from breame.spelling import AMERICAN_ENGLISH_SPELLINGS

# Correct in British English in the senses our messages use (see module docstring).
ALLOWED = frozenset(
    {
        "meter",  # gas / electricity meter (metre is the unit)
        "meters",
        "draft",  # a draft message (draught is beer or air)
        "drafts",
        "drafted",
        "program",  # a computer program
        "programs",
        "practice",  # the noun is "practice" in British English too
        "practices",
        "license",  # the verb ("licensed supplier")
        "licensed",
        "licenses",
        "install",  # "instal" is rare even in Britain
        "installs",
        "dialog",  # software dialog box
        "disk",
        "disks",
        "judgment",  # British legal usage
        "ton",  # "tons of" (informal), and the imperial ton
        "tons",
        "tire",  # the verb ("never tire of")
        "tires",
    }
)
EXTRA = {
    "enrollment": "enrolment",
    "enrollments": "enrolments",
    "skillful": "skilful",
    "willful": "wilful",
    "totaled": "totalled",
    "fueled": "fuelled",
    "fueling": "fuelling",
}
SPELLINGS: dict[str, str] = {
    word: british for word, british in {**AMERICAN_ENGLISH_SPELLINGS, **EXTRA}.items() if word not in ALLOWED
}

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass(frozen=True)
class SpellingIssue:
    word: str  # as written
    british: str  # the British spelling, in the same case style
    start: int
    end: int


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def american_spellings(text: str, keep: frozenset[str] | set[str] = frozenset()) -> list[SpellingIssue]:
    """Every American spelling in `text`, in order; words in `keep` (lower case: names, "Gray") are not."""
    issues: list[SpellingIssue] = []
    if SPELLINGS.keys().isdisjoint(_WORD.findall(text.lower())):  # the usual case: one quick pass
        return issues
    for match in _WORD.finditer(text):
        word = match.group(0)
        british = SPELLINGS.get(word.lower())
        if british and word.lower() not in keep:
            issues.append(SpellingIssue(word, _match_case(word, british), match.start(), match.end()))
    return issues


def to_british(text: str, keep: frozenset[str] | set[str] = frozenset()) -> tuple[str, list[SpellingIssue]]:
    """`text` with American spellings replaced (except words in `keep`), and what was replaced."""
    issues = american_spellings(text, keep)
    for issue in reversed(issues):  # from the end, so earlier offsets stay valid
        text = text[: issue.start] + issue.british + text[issue.end :]
    return text, issues

"""The British-English checker (breame's word list with our allowances and additions)."""

from __future__ import annotations

import pytest

from notifications.content.british_english import ALLOWED, SPELLINGS, american_spellings, to_british


@pytest.mark.parametrize(
    ("american", "british"),
    [
        ("color", "colour"),
        ("organize", "organise"),
        ("center", "centre"),
        ("analyze", "analyse"),
        ("favorite", "favourite"),
        ("canceled", "cancelled"),
        ("apologize", "apologise"),
        ("personalized", "personalised"),
        ("enrollment", "enrolment"),  # not in breame: our addition
        ("fueled", "fuelled"),
    ],
)
def test_american_spellings_are_flagged_with_the_british_form(american, british):
    issues = american_spellings(f"We {american} it.")
    assert [(i.word, i.british) for i in issues] == [(american, british)]


@pytest.mark.parametrize("word", ["meter", "draft", "program", "practice", "licensed", "install", "check", "tire"])
def test_words_that_are_british_in_our_sense_pass(word):
    assert american_spellings(f"Your {word} is fine.") == []
    assert word in ALLOWED or word not in SPELLINGS


def test_british_text_passes():
    text = "We'll analyse your usage, organise a call and centre it on your favourite programme. Your meter is fine."
    assert american_spellings(text) == []


def test_to_british_corrects_and_keeps_case_and_offsets():
    fixed, changes = to_british("Color me surprised: we CANCELED the favorite plan, color and all.")
    assert fixed == "Colour me surprised: we CANCELLED the favourite plan, colour and all."
    assert [c.word for c in changes] == ["Color", "CANCELED", "favorite", "color"]


def test_words_inside_other_words_are_not_flagged():
    assert american_spellings("Colorado and the Centerparcs") == []

"""The one redaction function: every occurrence, any case, across line breaks, whole words only,
the longest phrase first; boxes already in a text stay boxes."""

import pytest

from app.domain.redaction import Phrase, apply, plain

NAME = Phrase("Priya Okafor", "third_party")


@pytest.mark.parametrize("text,expected", [
    ("Shared with Priya Okafor (SENCo)", "Shared with [x] (SENCo)"),
    ("PRIYA OKAFOR called; priya okafor again", "[x] called; [x] again"),
    ("Met Priya\nOkafor and Priya  Okafor", "Met [x] and [x]"),
    ("Priya Okafor's report", "[x]'s report"),
    ("Priya Okaforth is someone else", "Priya Okaforth is someone else"),  # word edges respected
    ("Nobody named here", "Nobody named here"),
])
def test_every_occurrence_is_boxed(text, expected):
    assert plain(text, [NAME], "[x]") == expected


def test_longest_phrase_wins_and_reasons_are_kept():
    phrases = [Phrase("Jane", "other"), Phrase("Jane Smith", "third_party")]
    assert apply("Jane Smith and Jane", phrases) == [{"r": "third_party"}, {"t": " and "}, {"r": "other"}]


def test_existing_boxes_stay_and_text_around_them_is_scanned():
    segments = [{"t": "Ask Priya Okafor about "}, {"r": "serious_harm"}, {"t": " with priya okafor"}]
    assert apply(segments, [NAME]) == [{"t": "Ask "}, {"r": "third_party"}, {"t": " about "},
                                       {"r": "serious_harm"}, {"t": " with "}, {"r": "third_party"}]


def test_no_phrases_changes_nothing():
    assert apply("Plain words", []) == [{"t": "Plain words"}]
    assert apply([{"t": "a"}, {"r": "other"}], [Phrase("   ", "other")]) == [{"t": "a"}, {"r": "other"}]

"""Counts read as plain English, never "minute(s)"."""

from app.domain.counting import plural, plural_word


def test_one_and_many():
    assert plural(1, "minute") == "1 minute"
    assert plural(2, "month") == "2 months"
    assert plural(0, "result") == "0 results"
    assert plural(1200, "note") == "1,200 notes"
    assert plural(-1, "day") == "-1 days"  # only exactly one is singular


def test_irregular_and_given_plurals():
    assert plural(3, "person") == "3 people"
    assert plural(2, "item", "items") == "2 items"
    assert plural_word(2, "needs") == "need" and plural_word(1, "needs") == "needs"
    assert plural(2, "enquiry") == "2 enquiries" and plural(2, "day") == "2 days"
    assert plural(2, "match") == "2 matches" and plural(3, "box") == "3 boxes"

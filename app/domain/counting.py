"""Counts in plain English: "1 minute", "2 minutes", "1,200 notes"; never "minute(s)".
The one pluralising rule for every screen, message and report line."""

IRREGULAR = {"child": "children", "person": "people", "is": "are", "was": "were", "needs": "need"}


def plural_word(count: int, word: str, many: str | None = None) -> str:
    """The word alone, for a count of `count`: plural_word(2, "minute") == "minutes"."""
    if count == 1:
        return word
    if many or word in IRREGULAR:
        return many or IRREGULAR[word]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"  # enquiry, entry, reply
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural(count: int, word: str, many: str | None = None) -> str:
    """The count and the word: plural(1, "day") == "1 day", plural(1200, "note") == "1,200 notes"."""
    return f"{count:,} {plural_word(count, word, many)}"

"""Redaction of a SAR pack's text: the one function every string passes through on its way
to the PDF.

A reviewer marks a span of one field; the words of that span are then hidden wherever they
appear in the pack (a heading "Shared with <name> (SENCo)", a consent's counterparty, another
note), not only where they were marked. Matching ignores case and runs of spaces or line
breaks, and respects word edges ("Ann" does not hide part of "Annual"). Hiding more than was
marked is the safe failure; a name left in a heading is a disclosure.

A text is a str, or a list of segments: {"t": text} or {"r": reason} (a box; its words are
gone). The result is always a list of segments.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Phrase:
    text: str
    reason: str


@lru_cache(maxsize=32)
def _pattern(phrases: tuple[Phrase, ...]) -> tuple[re.Pattern | None, dict[str, str]]:
    # Cached: a pack asks for the same phrases' pattern for each of its thousands of strings.
    reasons: dict[str, str] = {}
    parts = []
    # Longest first, so "Jane Smith" wins over "Jane" where both were marked.
    for phrase in sorted(phrases, key=lambda p: -len(p.text)):
        words = phrase.text.split()
        if not words:
            continue
        key = " ".join(words).casefold()
        if key in reasons:
            continue
        reasons[key] = phrase.reason
        parts.append(r"\s+".join(re.escape(w) for w in words))
    if not parts:
        return None, reasons
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE), reasons


def apply(value, phrases: Iterable[Phrase]) -> list[dict]:
    """Segments of `value` with every occurrence of every phrase turned into a box."""
    segments = [{"t": value}] if isinstance(value, str) else list(value or [])
    pattern, reasons = _pattern(tuple(phrases))
    if pattern is None:
        return [s for s in segments if "r" in s or s.get("t")]
    out: list[dict] = []
    for seg in segments:
        if "t" not in seg:
            out.append(seg)
            continue
        pos, text = 0, seg["t"] or ""
        for match in pattern.finditer(text):
            if match.start() > pos:
                out.append({"t": text[pos:match.start()]})
            out.append({"r": reasons[" ".join(match.group(0).split()).casefold()]})
            pos = match.end()
        if pos < len(text):
            out.append({"t": text[pos:]})
    return out


def plain(value, phrases: Iterable[Phrase], box: str = "[redacted]") -> str:
    """The same, as plain text (file metadata, page footers)."""
    return "".join(s["t"] if "t" in s else box for s in apply(value, phrases))

"""Passphrase rules and a strength estimate for the meter on the set-up and change forms."""

import math
import string
from dataclasses import dataclass

from app.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 1024

_COMMON = {"password", "passphrase", "confide", "qwerty", "letmein", "welcome", "sendiass",
           "123456", "iloveyou", "monkey", "dragon", "football", "abc123"}


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (very weak) .. 4 (strong)
    label: str
    hint: str


LABELS = ["Very weak", "Weak", "Fair", "Good", "Strong"]


def estimate(passphrase: str) -> Strength:
    """A rough entropy estimate: character classes, length, repeats and common words."""
    text = passphrase or ""
    if not text:
        return Strength(0, LABELS[0], f"Use at least {MIN_LENGTH} characters; a short sentence works well.")
    pool = 0
    pool += 26 if any(c in string.ascii_lowercase for c in text) else 0
    pool += 26 if any(c in string.ascii_uppercase for c in text) else 0
    pool += 10 if any(c in string.digits for c in text) else 0
    pool += 33 if any(c in string.punctuation or c == " " for c in text) else 0
    pool += 100 if any(ord(c) > 127 for c in text) else 0
    distinct = len(set(text))
    bits = len(text) * math.log2(max(pool, 2)) * min(1.0, distinct / max(len(text) * 0.6, 1))
    lowered = text.lower()
    if any(word in lowered for word in _COMMON):
        bits -= 20
    if len(text) < MIN_LENGTH:
        bits = min(bits, 25)
    score = 0 if bits < 28 else 1 if bits < 40 else 2 if bits < 55 else 3 if bits < 75 else 4
    hint = {
        0: f"Too easy to guess. Use at least {MIN_LENGTH} characters; a short sentence works well.",
        1: "Still easy to guess. Add more words.",
        2: "Acceptable. A few more words would make it strong.",
        3: "Good.",
        4: "Strong.",
    }[score]
    return Strength(score, LABELS[score], hint)


def check_new(passphrase: str, username: str = "", field: str = "passphrase") -> str:
    """May raise: ValidationError with a message fit for the form."""
    if passphrase is None or len(passphrase) < MIN_LENGTH:
        raise ValidationError(f"A passphrase needs at least {MIN_LENGTH} characters.", field=field)
    if len(passphrase) > MAX_LENGTH:
        raise ValidationError(f"A passphrase can be at most {MAX_LENGTH} characters.", field=field)
    if "\x00" in passphrase:
        raise ValidationError("A passphrase cannot contain a NUL character.", field=field)
    if username and passphrase.strip().lower() == username.strip().lower():
        raise ValidationError("The passphrase cannot be the user name.", field=field)
    if estimate(passphrase).score < 2:
        raise ValidationError("That passphrase is too easy to guess. Add more words.", field=field)
    return passphrase

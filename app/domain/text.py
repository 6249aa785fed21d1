"""Checks on free text and dates typed into forms: plain messages, nothing saved half-way."""

import re
import unicodedata
from datetime import date, datetime

from app.domain.periods import LONDON
from app.errors import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

NAME_MAX = 100
SHORT_MAX = 200
LONG_MAX = 20_000


# Letters that draw nothing (Hangul fillers, the braille blank): a name made of them looks
# empty or like someone else's. Format characters (category Cf: bidi overrides and isolates
# such as U+202E and U+2066, zero-width spaces and joiners, the BOM) are refused by category.
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a name, or None. A name is shown in lists, letters, PDFs and the
    audit of who did what: a right-to-left override or an invisible character would make one
    name display as another ("Smith" that reads "htimS", two "identical" staff names)."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cs", "Cn", "Co"):
            return "a character that is not a real letter (a broken or unassigned code)"
        if category in ("Cf", "Zl", "Zp") or ch in _INVISIBLE_LETTERS:
            return f"an invisible or direction-changing character (U+{ord(ch):04X})"
    return None


def clean_name(value, field: str, label: str, *, required: bool = False, max_len: int = NAME_MAX) -> str | None:
    """The one check for every name field (people, organisations, staff, signatures, requesters).

    May raise: ValidationError.
    """
    text = clean(value, field, label, required=required, max_len=max_len)
    if text:
        problem = name_problem(text)
        if problem:
            raise ValidationError(f"{label} contains {problem}; retype it without that.", field=field)
    return text


def clean(value, field: str, label: str, *, required: bool = False, max_len: int = SHORT_MAX,
          multiline: bool = False) -> str | None:
    text = "" if value is None else str(value)
    if _has_surrogate(text):
        # A lone surrogate cannot be stored as UTF-8; say so instead of failing on save.
        raise ValidationError(f"{label} contains a broken character that cannot be saved; retype it.",
                              field=field)
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise ValidationError(f"{label} contains a control character (such as NUL); remove it.", field=field)
    text = text.strip() if multiline else " ".join(text.split())
    if not text:
        if required:
            raise ValidationError(f"Enter {label.lower()}.", field=field)
        return None
    if len(text) > max_len:
        raise ValidationError(f"{label} can be at most {max_len:,} characters; this has {len(text):,}.",
                              field=field)
    return text


def parse_date(value, field: str, label: str, *, required: bool = False) -> date | None:
    """Accept a date object, ISO (2026-03-01) or UK style (01/03/2026)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(f"Enter {label.lower()}.", field=field)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"{label} is not a real date; use dd/mm/yyyy, for example 05/09/2026.", field=field)


def uk_date(value) -> str:
    """Show an ISO date or datetime as dd/mm/yyyy (empty for none)."""
    if not value:
        return ""
    if isinstance(value, str) and "T" in value:
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        # Instants are stored in UTC; the day a family would name is the UK day.
        value = value.astimezone(LONDON) if value.tzinfo else value
    elif isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def age_on(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))

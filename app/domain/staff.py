"""Staff roles and the checks on account fields."""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from app.domain.text import clean_name
from app.errors import ValidationError


class Role(StrEnum):
    MANAGER = "manager"
    CASEWORKER = "caseworker"
    VOLUNTEER = "volunteer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class StaffMember:
    id: str
    username: str
    full_name: str
    role: Role
    active: bool
    last_unlock_at: str | None = None
    passphrase_changed_at: str | None = None

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER


_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")


def clean_username(text: str) -> str:
    name = (text or "").strip().lower()
    if not _USERNAME.fullmatch(name):
        raise ValidationError(
            "A user name has 2 to 32 characters: letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.", field="username")
    return name


def suggest_username(full_name: str) -> str:
    """The user name offered for a new colleague: first initial and last name, plain letters
    ("Siân O'Brien" -> "sobrien"); "" when the name gives nothing to go on."""
    plain = unicodedata.normalize("NFKD", full_name or "").encode("ascii", "ignore").decode()
    words = ["".join(ch for ch in word.lower() if ch.isalnum()) for word in plain.split()]
    words = [w for w in words if w]
    if not words:
        return ""
    name = (words[0][0] + words[-1]) if len(words) > 1 else words[0]
    return name[:32] if len(name) >= 2 else ""


def clean_full_name(text: str) -> str:
    """May raise: ValidationError (through clean_name, the rule every name field shares)."""
    if not " ".join((text or "").split()):
        raise ValidationError("Enter the person's full name.", field="full_name")
    return clean_name(text, "full_name", "The full name", required=True, max_len=120)


def parse_role(text: str) -> Role:
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        raise ValidationError("The role must be manager, caseworker or volunteer.", field="role") from None

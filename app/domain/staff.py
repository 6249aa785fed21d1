"""Staff roles and the checks on account fields."""

import re
from dataclasses import dataclass
from enum import StrEnum

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


def clean_full_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError("Enter the person's full name.", field="full_name")
    if len(name) > 120:
        raise ValidationError("A full name can be at most 120 characters.", field="full_name")
    if any(ord(ch) < 32 for ch in name):
        raise ValidationError("The full name contains a control character.", field="full_name")
    return name


def parse_role(text: str) -> Role:
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        raise ValidationError("The role must be manager, caseworker or volunteer.", field="role") from None

"""The consent wording in force: the versions shipped in resources/wording, and the versions
the manager wrote since (table consent_wording). Each scope has a standard text and an
easy-read one (short sentences, one idea each), and so do the introduction and the
how-to-change-your-mind text; all are versioned alike. A new text is a new version, never an
edit: every consent keeps the name, version and words it was given under
(docs/accessibility.md, "Easy-read consent")."""

import string
from dataclasses import dataclass

from app.domain.consent import ConsentScope
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean
from app.errors import ValidationError
from app.resources import wording
from app.security.session import Session
from app.services.consent import wording as consent_wording
from app.storage import records
from app.storage.db import transaction

__all__ = ["EDITABLE", "WordingEntry", "current_template", "wordings", "publish", "PLACEHOLDERS"]

EASY = consent_wording.EASY_SUFFIX
_BASE = {consent_wording.template_name(scope): scope.label for scope in ConsentScope}
_BASE[consent_wording.INTRODUCTION] = "Introduction"
_BASE[consent_wording.WITHDRAWAL] = "Changing your mind"
# Every text the manager may write a new version of, and how the screen names it.
EDITABLE = {**{name: label for name, label in _BASE.items()},
            **{name + EASY: f"{label} (easy read)" for name, label in _BASE.items()}}
PLACEHOLDERS = ("service", "about", "about_possessive", "us", "counterparty")
MAX_LENGTH = 5000


@dataclass(frozen=True)
class WordingEntry:
    name: str
    label: str
    version: str
    text: str
    easy_read: bool


def _edited(session: Session, name: str) -> tuple[int, str] | None:
    row = session.conn.execute("SELECT number, body FROM consent_wording WHERE name = ? AND deleted_at IS NULL "
                               "ORDER BY number DESC LIMIT 1", (name,)).fetchone()
    return (row[0], row[1]) if row else None


def _shipped_number(name: str) -> int:
    try:
        return int(wording.current(name)[0].lstrip("v"))
    except FileNotFoundError:
        return 0


@grants(Scope.ANY, "the wording is shown to every member of staff")
def current_template(session: Session, name: str) -> tuple[str, str]:
    """(version label, template) in force for `name`: the manager's latest, or the shipped
    latest, whichever is newer. May raise: FileNotFoundError (no such wording at all)."""
    edited = _edited(session, name)
    if edited is not None and edited[0] > _shipped_number(name):
        return f"v{edited[0]}", edited[1]
    return wording.current(name)


@grants(Scope.ANY, "the wording is shown to every member of staff")
def wordings(session: Session) -> list[WordingEntry]:
    out = []
    for name, label in EDITABLE.items():
        version, text = current_template(session, name)
        out.append(WordingEntry(name, label, version, text, name.endswith(EASY)))
    return out


def _check_placeholders(text: str) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        raise ValidationError("A curly bracket is unmatched. Names Confide fills in are written like "
                              "{service}; to print a bracket itself, write it twice: {{ or }}.",
                              field="text") from None
    unknown = sorted(f for f in fields if f not in PLACEHOLDERS)
    if unknown:
        raise ValidationError(f"Confide cannot fill in {{{unknown[0]}}}. It can fill in "
                              + ", ".join("{" + p + "}" for p in PLACEHOLDERS) + ".", field="text")


@grants(Scope.MANAGER, "the words families agree to are the service's")
def publish(session: Session, name: str, text: str) -> str:
    """A new version of one text, in force for consents recorded from now on. Returns its
    version label. May raise: ValidationError (unknown text, empty, too long, a name Confide
    cannot fill in, nothing changed)."""
    if name not in EDITABLE:
        raise ValidationError("There is no such consent wording.", field="name")
    body = clean(text, "text", "The wording", required=True, max_len=MAX_LENGTH, multiline=True)
    body = body.strip()
    _check_placeholders(body)
    version, now = current_template(session, name)
    if " ".join(body.split()) == " ".join(now.split()):
        raise ValidationError("The wording is unchanged, so no new version was made.", field="text")
    number = int(version.lstrip("v")) + 1
    with transaction(session.conn):
        wording_id = records.insert(session.conn, "consent_wording", {"name": name, "number": number, "body": body},
                                    session.user.username)
        session.audit("consent_wording_published", "consent_wording", wording_id,
                      {"name": name, "version": f"v{number}"})
    return f"v{number}"

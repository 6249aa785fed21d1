"""The words a family is shown when giving consent: one versioned template per scope in
resources/wording (consent_<scope>.vN.txt), and an easy-read one beside it
(consent_<scope>_easy.vN.txt), filled in with names. A consent stores the template's name and
version and the text exactly as rendered, so it keeps the words used that day. Versions the
manager wrote later come from app/services/consent/wording_edits.py, passed in as `current`."""

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.consent import ConsentScope
from app.resources import wording

INTRODUCTION = "consent_introduction"
WITHDRAWAL = "consent_withdrawal"
BLANK = "_______________________________"
EASY_SUFFIX = "_easy"

# (version label, template) for a wording name: the shipped files by default.
Current = Callable[[str], tuple[str, str]]


_TEMPLATES = {
    ConsentScope.SHARE_WITH: "consent_share",
    ConsentScope.OBTAIN_RECORDS: "consent_obtain_records",
    ConsentScope.MAILING_LIST: "consent_mailing_list",
    ConsentScope.CONTACT_AT_WORK: "consent_contact_at_work",
    ConsentScope.VOICEMAIL: "consent_voicemail",
    ConsentScope.MESSAGES_VIA_FAMILY: "consent_messages_via_family",
}


def template_name(scope: str, easy_read: bool = False) -> str:
    return _TEMPLATES[ConsentScope(scope)] + (EASY_SUFFIX if easy_read else "")


@dataclass(frozen=True)
class Wording:
    name: str
    version: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.text)


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are just wrapping."""
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def values(service: str, child_name: str | None, counterparty: str | None, about_self: bool) -> dict:
    """The words that go into the templates. `about_self`: the person giving consent is the
    person it is about, so the text says "me" rather than the child's name."""
    child = child_name or "my child"
    return {
        "service": service or "The service",
        "about": "me" if about_self else child,
        "about_possessive": "my" if about_self else _possessive(child),
        "us": "me" if about_self else "our family",
        "counterparty": counterparty or BLANK,
    }


def render(scope: str, service: str, child_name: str | None, counterparty: str | None,
           about_self: bool, *, easy_read: bool = False, current: Current = wording.current) -> Wording:
    """The current wording for a scope, filled in. May raise: FileNotFoundError."""
    name = template_name(scope, easy_read)
    version, template = current(name)
    text = template.format_map(values(service, child_name, counterparty, about_self))
    return Wording(name, version, text)


def blank(scope: str, service: str, current: Current = wording.current) -> Wording:
    """For the paper form: no names, a line to write the professional on."""
    name = template_name(scope)
    version, template = current(name)
    fill = {**values(service, None, None, False), "about": "me or my child",
            "about_possessive": "our", "us": "us"}
    return Wording(name, version, template.format_map(fill))


def general(name: str, service: str, *, easy_read: bool = False, current: Current = wording.current) -> Wording:
    """The introduction or the how-to-withdraw text (its easy-read version if asked)."""
    name = name + (EASY_SUFFIX if easy_read else "")
    version, template = current(name)
    return Wording(name, version, template.format_map(values(service, None, None, False)))

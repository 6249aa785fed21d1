"""Documents kept inside the vault: their kinds, which files are accepted and how each is
shown (docs/documents.md). Pure rules, no I/O."""

from dataclasses import dataclass
from pathlib import PurePath

from app.domain.choices import Choice
from app.domain.records import from_row_of
from app.errors import ValidationError

# Each chunk is one row: small enough that a row, a captured change and a hub piece stay
# bounded (docs/sync.md §8.3), large enough that a 50 MB file is only 100 rows.
CHUNK_BYTES = 512 * 1024
MAX_BYTES = 250 * 1024 * 1024
TITLE_MAX = 200
SOURCE_MAX = 200


class DocumentKind(Choice):
    EHC_PLAN = "ehc_plan"
    REPORT = "report"
    LETTER_RECEIVED = "letter_received"
    LETTER_SENT = "letter_sent"
    EVIDENCE = "evidence"
    OTHER = "other"


KIND_LABELS = {"ehc_plan": "EHC plan", "report": "Report", "letter_received": "Letter received",
               "letter_sent": "Letter sent", "evidence": "Evidence", "other": "Other"}

# Extension -> media type. Only these are accepted: what a caseworker is sent (PDF, images,
# Word/ODT, email) and plain text.
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".eml": "message/rfc822", ".msg": "application/vnd.ms-outlook",
    ".txt": "text/plain",
}


def media_type_of(file_name: str) -> str:
    """May raise: ValidationError (a kind of file Confide does not keep)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in MEDIA_TYPES:
        allowed = ", ".join(sorted(s.lstrip(".") for s in MEDIA_TYPES))
        raise ValidationError(f"{PurePath(file_name).name} is not a kind of file Confide keeps. It keeps: "
                              f"{allowed}.", field="file")
    return MEDIA_TYPES[suffix]


def viewable_inside(media_type: str) -> bool:
    """Shown inside Confide from memory; everything else leaves only through 'Save a copy…'."""
    return media_type == "application/pdf" or media_type.startswith("image/")


def check_magic(media_type: str, first_bytes: bytes, file_name: str) -> None:
    """A PDF or image must start like one: a renamed file would fail to show, or worse.

    May raise: ValidationError."""
    signatures = {"application/pdf": (b"%PDF",), "image/png": (b"\x89PNG",), "image/jpeg": (b"\xff\xd8",),
                  "image/gif": (b"GIF8",)}
    expected = signatures.get(media_type)
    if expected and not first_bytes.startswith(expected):
        raise ValidationError(f"{PurePath(file_name).name} does not look like the kind of file its name says. "
                              "Check it is the right file.", field="file")


@dataclass
class Document:
    id: str
    title: str
    kind: str
    document_date: str
    source: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    chunk_count: int
    created_at: str
    created_by: str | None
    case_id: str | None = None
    person_id: str | None = None
    from_professional: int = 0
    records_request_id: str | None = None
    disclosure_id: str | None = None
    letter_template: str | None = None
    letter_template_version: int | None = None
    letter_text: str | None = None
    updated_at: str = ""
    version: int = 1
    # Filled by the service: the basis under which it came (R6) or went (R5).
    basis: str = ""

    from_row = classmethod(from_row_of)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def viewable(self) -> bool:
        return viewable_inside(self.media_type)

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"

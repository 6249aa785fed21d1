"""Review of a SAR: include or exclude each gathered item, mark spans for redaction with a
reason, and turn the result into the pack's content. Nothing in the records themselves is
altered; decisions and redactions live in their own tables."""

import hashlib
import json
from dataclasses import dataclass

from app import clock
from app.domain.choices import Choice
from app.domain.counting import plural, plural_word
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, uk_date
from app.errors import ValidationError
from app.security.session import Session
from app.services.sar import gather as sar_gather
from app.services.sar import settings as sar_settings
from app.services.sar.gather import DOCUMENT_PREFIX, SECTIONS, SarItem
from app.services.sar.register import get_sar
from app.storage import records
from app.storage.db import transaction


class RedactionReason(Choice):
    THIRD_PARTY = "third_party"
    SERIOUS_HARM = "serious_harm"
    LEGAL_PRIVILEGE = "legal_privilege"
    OTHER = "other"


REASON_LABELS = {"third_party": "third-party information", "serious_harm": "risk of serious harm",
                 "legal_privilege": "legal privilege", "other": "other exemption"}


@dataclass
class Redaction:
    id: str
    item_key: str
    field: str
    start_at: int
    end_at: int
    redacted_text: str
    reason: str
    note: str | None = None


@dataclass
class Review:
    items: list[SarItem]
    redactions: list[Redaction]
    suggestions: list[sar_gather.Suggestion]

    completed_at: str | None = None  # set only while the completed review still matches
    completed_by: str | None = None

    def undecided(self) -> list[SarItem]:
        return [i for i in self.items if i.needs_decision and not i.decided]

    def fingerprint(self) -> str:
        """What the reviewer saw and decided: every item's text, its decision, every redaction.
        Any change (a new note, an edited one, a decision) gives another value. The record of
        access is left out: a colleague opening the case is not a change to review, and the
        pack shows the log as it is when made."""
        data = [[i.key, i.included, i.title, [] if i.kind == "access" else [[f.name, f.label, f.text] for f in i.fields]]
                for i in sorted(self.items, key=lambda i: i.key)]
        marks = sorted([r.item_key, r.field, r.start_at, r.end_at, r.reason] for r in self.redactions)
        return hashlib.sha256(json.dumps([data, marks], ensure_ascii=False).encode()).hexdigest()


@grants(Scope.MANAGER)
def load_review(session: Session, sar_id: str, progress=None, suggestions: bool = True) -> Review:
    """Items with the decisions and redactions so far; with `suggestions`, also the names of
    other people found in the text (this reads every name in the database)."""
    sar = get_sar(session, sar_id)
    items = sar_gather.gather(session, sar.id, progress)
    decisions = {r[0]: (bool(r[1]), r[2]) for r in session.conn.execute(
        "SELECT item_key, included, reason FROM sar_decision WHERE sar_id = ?", (sar.id,))}
    for item in items:
        if item.key in decisions:
            item.included, item.decided = decisions[item.key][0], True
    redactions = [Redaction(**{k: r[k] for k in r.keys()}) for r in session.conn.execute(
        "SELECT id, item_key, field, start_at, end_at, redacted_text, reason, note FROM sar_redaction "
        "WHERE sar_id = ? AND deleted_at IS NULL ORDER BY item_key, start_at", (sar.id,))]
    taken = {(r.item_key, r.field, r.start_at, r.end_at) for r in redactions}
    found = [s for s in sar_gather.suggest_redactions(items, sar_gather.name_index(session, sar))
             if (s.item_key, s.field, s.start, s.end) not in taken] if suggestions else []
    review = Review(items, redactions, found)
    if sar.review_fingerprint and sar.review_fingerprint == review.fingerprint():
        review.completed_at, review.completed_by = sar.review_completed_at, sar.review_completed_by
    return review


@grants(Scope.MANAGER)
def complete_review(session: Session, sar_id: str) -> Review:
    """Record that the review is finished: by whom, when, and what it covered. A pack can be
    made only while the records and decisions still match.

    May raise: ValidationError (items still undecided), PermissionDenied.
    """
    sar = get_sar(session, sar_id)
    review = load_review(session, sar.id, suggestions=False)
    _require_decided(review)
    at = clock.stamp()
    with transaction(session.conn):
        records.update(session.conn, "subject_access_request", sar.id, {
            "review_completed_at": at, "review_completed_by": session.user.username,
            "review_fingerprint": review.fingerprint()}, session.user.username)
        session.audit("sar_review_completed", "sar", sar.id, {"items": len(review.items)})
    review.completed_at, review.completed_by = at, session.user.username
    return review


@grants(Scope.MANAGER)
def require_completed(session: Session, sar_id: str, review: Review) -> None:
    """No pack without a completed review that still matches the records.

    May raise: ValidationError with the reason and the way on.
    """
    sar = get_sar(session, sar_id)
    _require_decided(review)
    if not sar.review_completed_at:
        raise ValidationError(f"No pack can be made for {sar.reference} yet: its review has not been completed. "
                              "Open 'Review and redact', decide every item, then choose 'Review complete'.")
    if review.completed_at is None:
        raise ValidationError(f"The records or the review of {sar.reference} changed after the review was "
                              f"completed on {uk_date(sar.review_completed_at[:10])}. Check the review again and "
                              "choose 'Review complete'.")


def _require_decided(review: Review) -> None:
    if review.undecided():
        first = review.undecided()[0]
        raise ValidationError(f"{plural(len(review.undecided()), 'item')} {plural_word(len(review.undecided()), 'needs')} a decision before the pack can be made, "
                              f"starting with '{first.title}'.")


@grants(Scope.MANAGER)
def decide(session: Session, sar_id: str, item_key: str, included: bool, reason: str | None = None) -> None:
    """Include or leave out one item. May raise: ValidationError (a young person's own record
    without their agreement), PermissionDenied."""
    sar = get_sar(session, sar_id)
    if included and sar_gather.is_own_record(item_key):
        raise ValidationError("This is the young person's own record: it needs their agreement. Record the "
                              "young person's agreement on the request, then review it again.")
    why = clean(reason, "reason", "Reason", max_len=500)
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO sar_decision (sar_id, item_key, included, reason, decided_by, decided_at) VALUES "
            "(?, ?, ?, ?, ?, ?) ON CONFLICT(sar_id, item_key) DO UPDATE SET included = excluded.included, "
            "reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            (sar.id, item_key, int(bool(included)), why, session.user.username,
             clock.stamp()))
        session.audit("sar_item_decided", "sar", sar.id, {"included": bool(included)})


@grants(Scope.MANAGER)
def redact(session: Session, sar_id: str, item: SarItem, field: str, start: int, end: int, reason: str,
           note: str | None = None) -> Redaction:
    """Mark item.field[start:end] for redaction. May raise: ValidationError."""
    sar = get_sar(session, sar_id)
    kind = RedactionReason.parse(reason, "reason")
    text = item.field(field).text
    if not 0 <= start < end <= len(text):
        raise ValidationError("Select some text to redact.", field="selection")
    why = clean(note, "note", "Note", max_len=500)
    if kind == RedactionReason.OTHER and not why:
        raise ValidationError("Say which exemption applies when the reason is 'other'.", field="note")
    values = {"sar_id": sar.id, "item_key": item.key, "field": field, "start_at": start, "end_at": end,
              "redacted_text": text[start:end], "reason": kind.value, "note": why}
    with transaction(session.conn):
        redaction_id = records.insert(session.conn, "sar_redaction", values, session.user.username)
        session.audit("sar_redaction_added", "sar", sar.id, {"reason": kind.value})
    return Redaction(redaction_id, item.key, field, start, end, text[start:end], kind.value, why)


@grants(Scope.MANAGER)
def remove_redaction(session: Session, sar_id: str, redaction_id: str) -> None:
    with transaction(session.conn):
        session.conn.execute("UPDATE sar_redaction SET deleted_at = ?, version = version + 1 WHERE id = ? AND sar_id = ?",
                             (clock.stamp(), redaction_id, sar_id))
        session.audit("sar_redaction_removed", "sar", sar_id)


@grants(Scope.MANAGER)
def accept_suggestions(session: Session, sar_id: str, review: Review) -> int:
    """Redact every suggested name as third-party information. May raise: PermissionDenied."""
    items = {i.key: i for i in review.items}
    for s in review.suggestions:
        redact(session, sar_id, items[s.item_key], s.field, s.start, s.end, "third_party")
    return len(review.suggestions)


def _segments(text: str, spans: list[Redaction]) -> list[dict]:
    """Text pieces and redaction markers; the redacted words themselves are left out."""
    out, pos = [], 0
    for r in sorted(spans, key=lambda r: r.start_at):
        if r.start_at < pos:  # overlapping selections: extend the box over both
            if r.end_at > pos:
                pos = r.end_at
            continue
        if r.start_at > pos:
            out.append({"t": text[pos:r.start_at]})
        out.append({"r": r.reason})
        pos = r.end_at
    if pos < len(text):
        out.append({"t": text[pos:]})
    return out


@grants(Scope.MANAGER)
def build_content(session: Session, sar_id: str, review: Review | None = None) -> dict:
    """The pack's content as data: what the PDF shows, and what is kept to regenerate it.

    May raise: ValidationError when an item still needs a decision, or a redaction no longer
    matches the record (the record changed after it was marked).
    """
    sar = get_sar(session, sar_id)
    review = review or load_review(session, sar.id, suggestions=False)
    _require_decided(review)
    by_item: dict[tuple[str, str], list[Redaction]] = {}
    items = {i.key: i for i in review.items}
    for r in review.redactions:
        item = items.get(r.item_key)
        if item is None:
            continue
        text = item.field(r.field).text
        if text[r.start_at:r.end_at] != r.redacted_text:
            raise ValidationError(f"A redaction in '{item.title}' no longer matches the record, which has "
                                  "changed since. Review that item's redactions again.")
        by_item.setdefault((r.item_key, r.field), []).append(r)
    sections = []
    count = 0
    for key, title in SECTIONS:
        # A young person's own record never goes in on a decision alone (R4).
        chosen = [i for i in review.items if i.section == key and i.included and not i.firewalled]
        if not chosen:
            continue
        sections.append({"key": key, "title": title, "items": [
            {"key": i.key, "title": i.title, "fields": [
                {"label": f.label, "segments": _segments(f.text, by_item.get((i.key, f.name), []))}
                for f in i.fields]} for i in chosen]})
        count += len(chosen)
    subject = session.conn.execute("SELECT first_name, last_name FROM person WHERE id = ?",
                                   (sar.subject_id,)).fetchone()
    # The words of every redaction, hidden wherever else they appear in the pack (titles,
    # headings, counterparties): see app/domain/redaction.py and app/pdf/sar_pack_pdf.py.
    withheld = {r.redacted_text.casefold(): {"t": r.redacted_text, "r": r.reason}
                for spans in by_item.values() for r in spans}
    # Whole documents whose pages follow the pack (app/services/documents/sar_pages.py).
    documents = [{"id": i.key.removeprefix(DOCUMENT_PREFIX), "title": i.title} for i in review.items
                 if i.kind == "document" and i.included and not i.firewalled]
    return {
        "documents": documents,
        "withheld": list(withheld.values()),
        "transfers": sar_settings.transfers(session).statement(),
        "reference": sar.reference, "service": session.vault.service_name,
        "requester_name": sar.requester_name, "requester_kind": sar.requester_kind,
        "subject_name": f"{subject['first_name']} {subject['last_name']}".strip(),
        "received_on": sar.received_on, "due_on": sar.due_on,
        "sections": sections, "item_count": count,
        "redaction_count": sum(len(v) for v in by_item.values()),
    }

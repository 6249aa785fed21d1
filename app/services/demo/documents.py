"""Demo documents and letters for `confide demo` (docs/documents.md): reports received under
the demo's records requests (small generated PDFs), photographs a parent brought (generated
pictures), and letters written from the templates. Deterministic for a seed; written through
the documents and letters services, so every rule and audit event applies."""

import io
import random
import struct
import textwrap
import zlib
from datetime import date, timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.documents import documents, letters
from app.services.documents.documents import DocumentInput

REPORT_TITLES = {
    "Latest educational psychology report": ("report", "Educational psychology report"),
    "SEN support plan and provision map": ("evidence", "SEN support plan and provision map"),
    "Speech and language therapy report": ("report", "Speech and language therapy report"),
    "Medical letters relevant to the EHC needs assessment": ("letter_received", "Letter from the paediatrician"),
    "Attendance and exclusion record": ("evidence", "Attendance and exclusion record"),
}
PARAGRAPHS = [
    "This report summarises the assessment carried out in school and at home, with the views of the child "
    "and of the parent.",
    "Strengths: engages well one to one; enjoys practical tasks; good relationships with familiar adults.",
    "Needs: processing of spoken language; working memory; managing transitions between lessons.",
    "Recommendations: visual timetable; pre-teaching of vocabulary; a quiet space available at break times.",
    "Provision should be reviewed at the next annual review, with the family present.",
]


def _report_pdf(title: str, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    for number in range(rng.randint(1, 3)):
        page.setFont("Helvetica-Bold", 14)
        page.drawString(60, 790, title)
        page.setFont("Helvetica", 10)
        y = 760
        for text in rng.sample(PARAGRAPHS, 3):
            for line in textwrap.wrap(text, 90):
                page.drawString(60, y, line)
                y -= 14
            y -= 10
        page.drawString(60, 40, f"Synthetic demonstration document. Page {number + 1}.")
        page.showPage()
    page.save()
    return buffer.getvalue()


def _photo_png(rng: random.Random, width: int = 160, height: int = 110) -> bytes:
    """A picture of a sheet of paper on a table: enough to show that pictures open inside Confide."""
    table, paper, ink = (rng.randint(120, 170), rng.randint(80, 120), rng.randint(50, 80)), (245, 245, 240), (40, 40, 90)
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            on_paper = 20 <= x < width - 20 and 10 <= y < height - 10
            lined = on_paper and y % 9 == 0 and 30 <= x < width - 30
            row += bytes(ink if lined else paper if on_paper else table)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


@grants(Scope.MANAGER, "part of confide demo")
def populate_documents(session: Session, seed: int, today: date | None = None, limit: int = 300) -> dict:
    """Documents for up to `limit` records requests, a photo for some cases, and letters.
    Returns counts."""
    today = today or date.today()
    rng = random.Random(seed * 7919 + 11)
    conn = session.conn
    counts = {"documents received": 0, "pictures": 0, "letters": 0}
    pool = {title: _report_pdf(title, rng) for _kind, title in REPORT_TITLES.values()}
    requests = conn.execute(
        "SELECT d.id, d.case_id, d.what, d.disclosed_on, coalesce(o.name, p.first_name || ' ' || p.last_name) AS who "
        "FROM disclosure d LEFT JOIN organisation o ON o.id = d.counterparty_organisation_id "
        "LEFT JOIN person p ON p.id = d.counterparty_person_id WHERE d.kind = 'records_request' "
        "AND d.deleted_at IS NULL ORDER BY d.id LIMIT ?", (int(limit),)).fetchall()
    for row in requests:
        kind, title = REPORT_TITLES.get(row["what"], ("report", row["what"]))
        arrived = min(today, date.fromisoformat(row["disclosed_on"]) + timedelta(days=rng.randint(5, 30)))
        documents.add_document(session, DocumentInput(
            title, kind, arrived, row["who"] or "A professional", f"{title.lower().replace(' ', '-')}.pdf",
            case_id=row["case_id"], from_professional=True, records_request_id=row["id"]),
            io.BytesIO(pool.get(title) or _report_pdf(title, rng)), today=today)
        counts["documents received"] += 1
    cases = conn.execute("SELECT id, client_id, opened_on, status FROM casefile WHERE deleted_at IS NULL "
                         "ORDER BY id LIMIT ?", (int(limit),)).fetchall()
    for case in cases:
        if rng.random() < 0.3:
            documents.add_document(session, DocumentInput(
                "Photo of the school's letter", "evidence", max(date.fromisoformat(case["opened_on"]), today - timedelta(days=20)),
                "Brought by the parent", "photo.png", person_id=case["client_id"]), io.BytesIO(_photo_png(rng)),
                today=today)
            counts["pictures"] += 1
        if rng.random() < 0.4:
            template = "case_closure" if case["status"] == "closed" else rng.choice(
                ["appointment_confirmation", "summary_of_advice"])
            draft = letters.draft_letter(session, case["id"], template, today=today)
            text = (draft.text.replace("[date]", (today + timedelta(days=7)).strftime("%d %B %Y"))
                    .replace("[time]", "10.30am").replace("[place]", "the family's home")
                    .replace("[the question]", "How an EHC needs assessment is requested.")
                    .replace("[the advice]", "A parent can ask the local authority directly, in writing.")
                    .replace("[the next steps, and who does them]", "The parent writes; we check the draft.")
                    .replace("[the reason]", "your questions have been answered"))
            letters.send_letter(session, draft, text, today=today)
            counts["letters"] += 1
    return counts

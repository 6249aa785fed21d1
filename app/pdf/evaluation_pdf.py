"""The printed evaluation form (docs/national.md): the network's questions with a box per answer,
for a service user to fill in and return. It names no one: whoever enters the answers later
records them against the case's level, never against the family."""

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from app.pdf.common import ACCENT, CONTENT_WIDTH, PAPER, RULE, STYLES, build, text
from app.resources.national import Questionnaire

BOX = "\u2610"


def render_form(service_name: str, form: Questionnaire) -> bytes:
    story = [Paragraph(text(service_name), STYLES["title"]),
             Paragraph("How did we do? Your views on our support", STYLES["subtitle"]),
             Paragraph("Please tick one box for each statement. Leave out any you would rather not answer. "
                       "Do not write your name: your answers are counted with everyone else's and are never "
                       "linked to you or your child.", STYLES["body"]),
             Paragraph("Questions 4 and 5 are for families who had support beyond information and advice "
                       "(level 2 or above); your worker will say.", STYLES["note"]), Spacer(1, 4 * mm)]
    small = ParagraphStyle("scale_head", parent=STYLES["cell_head"], fontSize=8, leading=10, alignment=TA_CENTER)
    head = [Paragraph("Statement", STYLES["cell_head"])] + [Paragraph(a.label, small) for a in form.scale]
    rows = [head]
    for number, question in enumerate(form.questions, start=1):
        rows.append([Paragraph(f"{number}. {text(question.text)}", STYLES["cell"])]
                    + [Paragraph(BOX, STYLES["wording"]) for _ in form.scale])
    first = CONTENT_WIDTH * 0.36
    table = RLTable(rows, colWidths=[first] + [(CONTENT_WIDTH - first) / len(form.scale)] * len(form.scale),
                    repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"), ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PAPER]),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE), ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    story += [table, Spacer(1, 8 * mm),
              Paragraph("For the service: the level of the work (1 to 4), written by the worker before the form "
                        "is handed over: ______", STYLES["body"]),
              Paragraph(f"Questions version {text(form.version)}. Thank you.", STYLES["note"])]
    return build(story, title="Evaluation form", footer=f"{service_name} \u00b7 evaluation form",
                 subject="Service-user evaluation form", author=service_name)

"""The national return (docs/national.md): the figures the network collects from each service,
taken from the period report with the report's own suppression decisions, so a number hidden in
one document is hidden in the other and the two cannot be compared to undo it. As a PDF, and as
one spreadsheet-friendly CSV (one row per figure)."""

import csv
import io
from pathlib import Path

from app.domain.report import Report
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.pdf.report_pdf import render_report
from app.security.session import Session
from app.services import exports
from app.services.exports import ExportKind, Written
from app.services.reports.export import csv_safe
from app.services.reports.national_counts import ANSWERS, LEVELS, SATISFACTION, STATES

HEADING = "National return"
# What the network collects: contacts, people by role, interventions by level and state,
# topics, outcomes and evaluation.
TABLES = ("contacts_by_channel", "people_helped", LEVELS, STATES, "topics", "outcomes", "evaluations", ANSWERS,
          SATISFACTION)
FORMATS = ("pdf", "csv")


def national_return(report: Report) -> Report:
    """The return's tables, as the (already protected) report decided them: published only."""
    if any(t.withheld is None for t in report.tables):
        report.protect()
    return Report(report.period, report.service_name, report.generated_on,
                  [report.table(key) for key in TABLES])


def return_csv(returned: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Service", "Period from", "Period to", "Figure", "Row", "Column", "Value"])
    head = [returned.service_name, returned.period.start.isoformat(), returned.period.end.isoformat()]
    for table in returned.tables:
        for row in table.shown_rows(exact=False):
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow([csv_safe(v) for v in (*head, table.title, row[0], column, value)])
    return out.getvalue().encode("utf-8")


@grants(Scope.MANAGER, "the published figures of a report the manager built")
def export_return(session: Session, report: Report, path: Path, fmt: str) -> Written:
    """Write the return: small numbers suppressed as in the published report (plain files, no
    personal data). May raise: ValidationError (format), PermissionDenied, OSError."""
    returned = national_return(report)
    detail = {"period": report.period.label, "return": True}
    if fmt == "pdf":
        return exports.export_pdf(session, ExportKind.REPORT_PUBLISHED, Path(path),
                                  render_report(returned, exact=False, heading=HEADING), detail=detail)
    if fmt == "csv":
        return exports.export_tables(session, ExportKind.REPORT_PUBLISHED, Path(path),
                                     {"national-return.csv": return_csv(returned)}, detail=detail)
    raise ValidationError(f"The national return is exported as {' or '.join(FORMATS)}, not {fmt!r}.", field="format")

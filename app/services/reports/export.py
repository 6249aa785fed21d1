"""Reports out of the service: CSV per table, JSON for scripts, PDF for people.

Exports apply small-number suppression unless the manager asks for the exact, internal
version, which is then treated as personal data and encrypted (docs/security.md). Every file goes
through app/services/exports.py, which decides the encryption from its POLICY table."""

import csv
import io
import json
from pathlib import Path

from app.domain.report import Report
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services import exports
from app.services.exports import ExportKind, Written

FORMATS = ("pdf", "json", "csv")


def to_json_bytes(report: Report, exact: bool = False) -> bytes:
    return json.dumps(report.to_json(exact), indent=2, ensure_ascii=False).encode("utf-8")


def table_csv(report: Report, key: str, exact: bool = False) -> str:
    table = report.table(key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.shown_rows(exact):
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def csv_safe(value):
    # A label starting with = + - @ would run as a formula when the CSV is opened in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def kind_for(exact: bool) -> ExportKind:
    return ExportKind.REPORT_EXACT if exact else ExportKind.REPORT_PUBLISHED


def report_files(report: Report, fmt: str, exact: bool = False) -> dict[str, bytes]:
    """The report as named CSV or JSON files, in memory (fixed names: nothing personal)."""
    if fmt == "json":
        return {"report.json": to_json_bytes(report, exact)}
    if fmt == "csv":
        return {f"{t.key}.csv": table_csv(report, t.key, exact).encode("utf-8") for t in report.tables}
    raise ValidationError(f"Reports are exported as {', '.join(FORMATS)}, not {fmt!r}.", field="format")


@grants(Scope.ANY, "a report already built by the manager (build_report is manager-only)")
def export_report(session: Session, report: Report, path: Path, fmt: str, exact: bool = False,
                  password: str | None = None) -> Written:
    """Write the report through the export gate: the exact version is always encrypted
    (AES-256 PDF, or an AES-256 ZIP for CSV/JSON), the published one is plain.

    May raise: ValidationError (format, weak password), PermissionDenied, OSError.
    """
    detail = {"period": report.period.label, "exact": exact}
    if fmt == "pdf":
        from app.pdf.report_pdf import render_report

        return exports.export_pdf(session, kind_for(exact), Path(path), render_report(report, exact=exact),
                                  password, detail)
    return exports.export_tables(session, kind_for(exact), Path(path), report_files(report, fmt, exact),
                                 password, detail)


@grants(Scope.ANY, "a report already built by the manager (build_report is manager-only)")
def write_csv_dir(session: Session, report: Report, folder: Path, exact: bool = False) -> Written:
    """One CSV per table: a folder of plain files (published), or one encrypted ZIP (exact).

    May raise: ValidationError, OSError.
    """
    return exports.export_tables(session, kind_for(exact), Path(folder), report_files(report, "csv", exact),
                                 detail={"period": report.period.label, "exact": exact})

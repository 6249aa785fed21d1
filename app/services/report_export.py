"""Reports out of the service: CSV per table, JSON for scripts, PDF for people.

Exports apply small-number suppression unless the manager asks for the exact, internal
version, which is then treated as personal data and encrypted (DESIGN §3)."""

import csv
import io
import json
from pathlib import Path

from app.errors import ValidationError
from app.fsutil import atomic_write
from app.services.reports import Report


def to_json_bytes(report: Report, exact: bool = False) -> bytes:
    return json.dumps(report.to_json(exact), indent=2, ensure_ascii=False).encode("utf-8")


def table_csv(report: Report, key: str, exact: bool = False) -> str:
    table = report.table(key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.shown_rows(exact):
        writer.writerow([_csv_safe(v) for v in row])
    return out.getvalue()


def _csv_safe(value):
    # A label starting with = + - @ would run as a formula when the CSV is opened in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_csv_dir(report: Report, folder: Path, exact: bool = False) -> list[Path]:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} is a file, not a folder.", field="csv")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = folder / f"{table.key}.csv"
        atomic_write(path, table_csv(report, table.key, exact).encode("utf-8"), 0o600)
        written.append(path)
    return written

"""Where the annual report's time goes: every statement it runs, with its wall and CPU time, the
rows it returned and SQLite's plan, and each table's share, on a benchmark dataset (encrypted, and
plain SQLite beside it when the dataset has its plain copy).

    python -m tests.perf.report_profile [--cases 50000] [--seed 1] [--year 2025] [--plain] [--plain-db PATH]

Reads the dataset scale_bench built (.bench/data-<cases>-<seed>-v<schema>); writes nothing to it.
"""

import argparse
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import sqlcipher3

from app.domain import periods
from app.domain.report import Report
from app.pdf.report_pdf import render_report
from app.security import kdf
from app.security.session import Session
from app.services.reports import counts
from app.services.reports import figures as reports
from app.services.vault import unlock as vault_service
from app.storage import db
from tests.perf import scale_bench


class TimedConnection:
    """Runs each statement to its last row at once, so its time is its own (the report reads
    every row of each statement it runs, so the figures are the same)."""

    def __init__(self, conn):
        self.conn = conn
        self.spent = defaultdict(lambda: [0, 0.0, 0.0, 0])  # sql -> [calls, wall, cpu, rows]

    def execute(self, sql, params=()):
        wall, cpu = time.perf_counter(), time.process_time()
        rows = self.conn.execute(sql, params).fetchall()
        spent = self.spent[sql]
        spent[0] += 1
        spent[1] += time.perf_counter() - wall
        spent[2] += time.process_time() - cpu
        spent[3] += len(rows)
        return _Rows(rows)

    def plan(self, sql, params):
        try:
            return [row[3] for row in self.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        except Exception as exc:  # a statement that needs other parameters: say so, never guess
            return [f"(no plan: {exc})"]


class _Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


def profile(conn, period, label: str) -> None:
    timed = TimedConnection(conn)
    report = Report(period, "bench", date.today())
    marks = [(time.perf_counter(), time.process_time(), "start")]
    counts.count_all(timed, report, lambda _pct, title: marks.append((time.perf_counter(), time.process_time(), title)))
    total_wall, total_cpu = marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1]
    print(f"\n== {label}: {period.label}: count_all {total_wall * 1000:.0f} ms wall, {total_cpu * 1000:.0f} ms CPU")
    for (w0, c0, _), (w1, c1, title) in zip(marks, marks[1:], strict=False):
        print(f"  {(w1 - w0) * 1000:8.1f} ms wall {(c1 - c0) * 1000:8.1f} ms CPU  {title}")
    q = _params(period)
    print("  -- statements, slowest first --")
    for sql, (calls, wall, cpu, rows) in sorted(timed.spent.items(), key=lambda kv: -kv[1][1]):
        print(f"  {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU {rows:7d} rows x{calls}  {sql[:150]}")
        if wall > 0.005:
            for step in timed.plan(sql, q):
                print(f"      plan: {step}")


def _params(period) -> dict:
    lo, hi = period.utc_bounds
    return {"lo": lo, "hi": hi, "start": period.start.isoformat(), "end": period.end.isoformat()}


def whole(session, period, label: str) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    report = reports.build_report(session, period)
    built_wall, built_cpu = time.perf_counter() - wall, time.process_time() - cpu
    render_report(report)
    print(f"{label}: build_report {built_wall * 1000:.0f} ms wall ({built_cpu * 1000:.0f} ms CPU); with the PDF "
          f"{(time.perf_counter() - wall) * 1000:.0f} ms wall ({(time.process_time() - cpu) * 1000:.0f} ms CPU)")


def _read_only_plain(path: Path, enc: Session) -> Session:
    conn = sqlcipher3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None,
                              check_same_thread=False, cached_statements=db.CACHED_STATEMENTS)
    conn.row_factory = sqlcipher3.Row
    for pragma in ("temp_store = MEMORY", f"cache_size = -{db.CACHE_KIB}"):
        conn.execute(f"PRAGMA {pragma}").fetchall()
    return Session(enc.paths, enc.vault, conn, enc.user, enc.data_key, enc.device_store, enc.device_secret)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=None, help="financial year starting (default: last)")
    parser.add_argument("--plain", action="store_true", help="also on the plain SQLite copy")
    parser.add_argument("--plain-db", type=Path, help="also on this plain copy, opened read-only (for one of "
                        "another schema whose report tables are the same: the 200,000 cache's v25 plain.db)")
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests()
    folder = scale_bench.dataset_folder(args.cases, args.seed)
    enc = vault_service.unlock(folder / "vault", "manager", scale_bench.PASSPHRASE, folder / "device.key")
    period = (periods.financial_year(args.year) if args.year else periods.last_financial_year(date.today()))
    sessions = [("encrypted", enc)]
    if args.plain:
        scale_bench.plain_copy(folder)
        sessions.append(("plain", scale_bench.plain_session(folder, enc)))
    if args.plain_db:
        sessions.append(("plain (read-only copy)", _read_only_plain(args.plain_db, enc)))
    for label, session in sessions:
        whole(session, period, f"{label} (cold)")
        whole(session, period, f"{label} (warm)")
        profile(session.conn, period, label)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

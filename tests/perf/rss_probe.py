"""Peak memory of a process that opens the dataset the way the app does and runs the everyday
reads: the GUI's imports and QApplication (offscreen), the vault unlocked with the product's
settings, then search, the case list, the largest case with its notes, and the dashboard
(the figure with its target); with --report, the annual report afterwards (shown apart).

    python -m tests.perf.rss_probe DATASET_FOLDER [--no-gui] [--report]

Prints one JSON line: peak RSS (VmHWM; ru_maxrss where there is no /proc) in MB, and what each step added, with CPU time.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

PASSPHRASE = "benchmark passphrase for synthetic data"  # tests.perf.scale_bench's
QUERIES = ["ehc", "tribunal", "annual review", "Smith", "transport", "CAS-2024", "exclusion", "mediation",
           "sensory", "placement", "Jones", "draft plan", "speech language", "anxiety", "Williams",
           "model letter", "SENCo", "school", "personal budget", "Taylor"]


def peak_mb() -> float:
    """This process's own high-water mark. Linux carries ru_maxrss across exec, so a probe
    started by a large benchmark process would report the parent's peak; VmHWM belongs to
    the memory map that exec made fresh."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 2**20)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--no-gui", action="store_true", help="services only, no Qt")
    parser.add_argument("--report", action="store_true", help="then build the annual report too")
    args = parser.parse_args(argv)
    steps, start_cpu = [], time.process_time()

    def step(name: str) -> None:
        steps.append({"step": name, "peak_mb": round(peak_mb(), 1), "cpu_s": round(time.process_time() - start_cpu, 2)})

    step("python")
    if not args.no_gui:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        import ui.main_window  # noqa: F401  what the app imports before the unlock window

        app = QApplication.instance() or QApplication([])
        step("gui imports + QApplication")
    from app.security import kdf
    from app.services.casework import cases, notes, search
    from app.services.reports import dashboard
    from app.services.vault import unlock as vault_service

    kdf.use_cheap_profile_for_tests()  # the dataset's slots use the cheap profile
    session = vault_service.unlock(args.folder / "vault", "manager", PASSPHRASE, args.folder / "device.key")
    step("unlocked")
    for query in QUERIES:
        search.search(session, query)
    step("20 searches")
    cases.list_cases(session, cases.CaseQuery(limit=50))
    big = session.conn.execute("SELECT case_id FROM note GROUP BY case_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    cases.get_case(session, big)
    notes.notes_for_case(session, big)
    step("case list, largest case and its notes")
    dashboard.build_dashboard(session)
    step("dashboard")
    everyday = peak_mb()
    if args.report:
        from datetime import date

        from app.domain import periods
        from app.pdf.report_pdf import render_report
        from app.services.reports import figures as reports

        render_report(reports.build_report(session, periods.last_financial_year(date.today())))
        step("annual report PDF built (a manager's action, not everyday)")
    session.lock("bench")
    if not args.no_gui:
        del app
    print(json.dumps({"peak_rss_mb": round(everyday, 1), "peak_rss_with_report_mb": round(peak_mb(), 1),
                      "steps": steps}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The manager's dashboard: what needs attention today. Each item names the record behind it
so the screen can open it."""

from datetime import date

from app.domain.counting import plural
from app.domain.dashboard import Dashboard, Item, Section
from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.casework import paper_files, read_budget, restricted
from app.services.consent import views as consent_views
from app.services.lifecycle import erase as lifecycle_erase
from app.services.lifecycle import requests as erasure_requests
from app.services.lifecycle import review as retention_review
from app.services.reports.complaints import reporting as complaints
from app.services.sar import register as sar
from app.services.team.laptop import checkout
from app.services.team.replica_check import report as replica_report
from app.services.vault import registers

LIST_LIMIT = 50


@grants(Scope.MANAGER)
def build_dashboard(session: Session, today: date | None = None) -> Dashboard:
    today = today or date.today()
    conn = session.conn
    # Schema 26's index of open cases by worker, named: SQLite would take casefile_closed and
    # read each open case's row.
    by_worker = [(r[0], r[1] or r[0], r[2]) for r in conn.execute(
        "SELECT c.worker, s.full_name, count(*) FROM casefile c INDEXED BY casefile_open_worker LEFT JOIN staff s "
        "ON s.username = c.worker WHERE c.status = 'open' AND c.deleted_at IS NULL GROUP BY c.worker "
        "ORDER BY count(*) DESC")]

    actions = Section("actions_overdue", "Actions overdue", empty_text="No overdue actions.")
    total_overdue = conn.execute("SELECT count(*) FROM action_item WHERE done_at IS NULL AND deleted_at IS NULL "
                                 "AND due_on < ?", (today.isoformat(),)).fetchone()[0]
    for row in conn.execute(
            "SELECT a.id, a.title, a.due_on, a.owner, c.reference, c.id AS case_id FROM action_item a "
            "JOIN casefile c ON c.id = a.case_id WHERE a.done_at IS NULL AND a.deleted_at IS NULL AND a.due_on < ? "
            "ORDER BY a.due_on LIMIT ?", (today.isoformat(), LIST_LIMIT)):
        actions.items.append(Item(f"{row['reference']}: {row['title']}", "case", row["case_id"],
                                  detail=f"{row['owner']}, due {date.fromisoformat(row['due_on']):%d/%m/%Y}"))
    if total_overdue > LIST_LIMIT:
        actions.title += f" ({total_overdue:,}; the oldest {LIST_LIMIT} shown)"

    files = Section("paper_files_overdue", "Paper files out past their return date",
                    empty_text="Every paper file that is out is within its return date.")
    for paper in paper_files.overdue(session, today):
        files.items.append(Item(f"{paper.label}: with {paper.checked_out_by}", "paper_file", paper.id,
                                detail=f"expected back {date.fromisoformat(paper.expected_back):%d/%m/%Y}"
                                + (f", taken to {paper.taken_to}" if paper.taken_to else "")))

    safeguarding = Section("safeguarding_open", "Safeguarding concerns open", empty_text="No open concerns.")
    for row in conn.execute(
            "SELECT s.id, s.raised_on, s.referred_to, c.reference, c.id AS case_id FROM safeguarding_concern s "
            "JOIN casefile c ON c.id = s.case_id WHERE s.status = 'open' AND s.deleted_at IS NULL "
            "ORDER BY s.raised_on LIMIT ?", (LIST_LIMIT,)):
        row = restricted.opened(session, "safeguarding_concern", row)
        safeguarding.items.append(Item(f"{row['reference']}: raised {date.fromisoformat(row['raised_on']):%d/%m/%Y}",
                                       "case", row["case_id"], severity="info",
                                       detail=f"referred to {row['referred_to']}" if row["referred_to"] else ""))

    staff = Section("staff_lapsed", "Staff training and agreements", empty_text="Everyone is up to date.")
    for reminder in registers.staff_reminders(session, today):
        staff.items.append(Item(reminder.text, reminder.target_type, reminder.target_id, reminder.severity))
    policy = registers.policy_reminder(session, today)
    if policy:
        staff.items.append(Item(policy.text, policy.target_type, policy.target_id, policy.severity))

    budget = Section("read_budget", "Accounts stopped by the look-up limit (last 7 days)",
                     empty_text="No account reached the look-up limit.")
    for refusal in read_budget.accounts_refused(session, today):
        budget.items.append(Item(f"{refusal.full_name} ({refusal.username})", "staff", refusal.staff_id,
                                 severity="info", detail=f"refused {plural(refusal.times, 'time')}, last at "
                                 f"{refusal.last_at[:16].replace('T', ' ')} UTC"))

    sections = [actions, sar.dashboard_section(session, today),
                # docs/lifecycle.md: records past their date, and erasure requests, beside the SARs.
                retention_review.dashboard_section(session, today), erasure_requests.dashboard_section(session, today),
                complaints.dashboard_section(session, today),
                consent_views.expiring_section(session, today),
                consent_views.overrides_section(session, today), consent_views.self_reviewed_section(session, today),
                files, safeguarding, budget, staff]
    pending_erasures = lifecycle_erase.dashboard_section(session)
    if pending_erasures is not None and pending_erasures.items:
        sections.append(pending_erasures)
    laptops = checkout.dashboard_section(session, today)     # None outside a team
    if laptops is not None:
        sections.insert(sections.index(files) + 1, laptops)
    differ = replica_report.mismatches(conn)        # docs/sync.md §17
    if differ:
        sections.insert(0, Section("replicas_differ", "Computers whose records differ", [
            Item(m.sentence(), "device", m.device_id, detail="Run 'confide verify' on both computers and ask IT "
                 "to compare them before anyone relies on these records.") for m in differ]))
    return Dashboard(today, by_worker, sections)

"""The manager's table models and the redaction text map on their own: no window, no database."""

from datetime import date

from PySide6.QtCore import Qt

from app.domain import periods
from app.domain.report import Report, Table
from app.services.casework.paper_files import PaperFile
from app.services.sar.register import Sar
from app.services.vault.registers import Reminder, StaffRegisterEntry
from ui.models import paper_file_model as pf
from ui.models import sar_table_model as st
from ui.models import staff_register_model as sr
from ui.models.report_table_model import ReportTableModel
from ui.widgets.redactable_text import TextMap

TODAY = date(2026, 11, 25)
Fg, Bg = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole


def test_paper_files_show_where_each_file_is_and_flag_the_overdue(qtbot):
    files = [PaperFile("1", "PF-001", "Cabinet A"),
             PaperFile("2", "PF-002", "Cabinet B", "c2", "CAS-2026-0002", "m2", "rokafor", "2026-11-10",
                       "Family meeting", "2026-11-20"),
             PaperFile("3", "PF-003", "Cabinet B", None, None, "m3", "tbright", "2026-11-24", None, "2026-11-30")]
    model = pf.PaperFileModel()
    model.set_files(files, TODAY, {"rokafor": "Rachel Okafor"})
    assert model.rowCount() == 3 and model.columnCount() == len(pf.HEADERS)
    status = [model.index(r, pf.STATUS).data() for r in range(3)]
    assert status == ["In", "Overdue", "Out"]
    assert model.index(1, pf.WITH).data() == "Rachel Okafor"  # full name when known
    assert model.index(2, pf.WITH).data() == "tbright"
    assert model.index(1, pf.EXPECTED).data() == "20/11/2026"
    assert model.index(1, pf.EXPECTED).data(pf.SortRole) == "2026-11-20"
    assert model.index(1, pf.LABEL).data(Fg) is not None and model.index(1, pf.LABEL).data(Bg) is not None
    assert model.index(2, pf.LABEL).data(Bg) is None and model.index(0, pf.LABEL).data(Fg) is None
    assert model.overdue_count() == 1 and model.row_of("3") == 2

    back = PaperFile("2", "PF-002", "Cabinet B", "c2", "CAS-2026-0002")
    with qtbot.waitSignal(model.dataChanged):
        model.replace(back)
    assert model.index(1, pf.STATUS).data() == "In" and model.overdue_count() == 0
    model.clear()
    assert model.rowCount() == 0 and model.index(0, 0).data() is None


def test_staff_register_highlights_the_cells_behind_each_reminder(qtbot):
    entries = [StaffRegisterEntry("s1", "rokafor", "Rachel Okafor", "manager", True, "2020-01-06", "2020-01-06",
                                  "2020-01-20", "2025-01-10"),
               StaffRegisterEntry("s2", "tbright", "Tom Bright", "volunteer", True, "2026-10-01"),
               StaffRegisterEntry("s3", "old", "Olive Dean", "caseworker", False)]
    reminders = [Reminder("training_lapsed", "overdue", "Rachel Okafor: data protection training lapsed on "
                          "10/01/2026", "staff", "s1"),
                 Reminder("agreement_missing", "overdue", "Tom Bright: volunteer confidentiality agreement not "
                          "signed", "staff", "s2"),
                 Reminder("training_due", "due_soon", "Tom Bright: data protection training due", "staff", "s2")]
    model = sr.StaffRegisterModel()
    model.set_entries(entries, reminders)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())][:3] == [
        "Name", "Role", "Started"]
    assert model.index(0, sr.TRAINING).data() == "10/01/2025"
    assert model.index(0, sr.TRAINING_DUE).data() == "10/01/2026"
    assert model.index(0, sr.TRAINING).data(sr.ReminderRole) == "overdue"
    assert "lapsed" in model.index(0, sr.TRAINING).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, sr.AGREEMENT).data(sr.ReminderRole) is None
    assert model.index(1, sr.AGREEMENT).data() == "Not recorded"
    assert model.index(1, sr.AGREEMENT).data(sr.ReminderRole) == "overdue"
    assert model.index(1, sr.TRAINING).data(sr.ReminderRole) == "due_soon"
    assert model.index(1, sr.AGREEMENT).data(Bg) != model.index(1, sr.TRAINING).data(Bg)  # red vs amber
    assert model.index(2, sr.NAME).data() == "Olive Dean (disabled)"
    assert model.index(2, sr.NAME).data(Fg) is not None
    assert [r.kind for r in model.reminders_for("s2")] == ["agreement_missing", "training_due"]


def _sar(ref, status, received, due=None, sent=None, kind="subject", name="Dana Hartley"):
    return Sar(ref, ref, received, "p1", kind, name, status, due_on=due, sent_on=sent,
               identity_received_on=None if status == "awaiting_id" else received, subject_name="Ellie Hartley")


def test_sar_register_colours_and_words_timeliness(qtbot):
    requests = [_sar("SAR-1", "awaiting_id", "2026-11-20"),
                _sar("SAR-2", "in_review", "2026-10-20", due="2026-11-20"),
                _sar("SAR-3", "in_review", "2026-11-01", due="2026-12-01", kind="parent"),
                _sar("SAR-4", "sent", "2026-09-01", due="2026-10-01", sent="2026-09-28"),
                _sar("SAR-5", "withdrawn", "2026-09-01")]
    model = st.SarTableModel()
    model.set_requests(requests, TODAY)
    words = [model.index(r, st.TIMELINESS).data() for r in range(5)]
    assert words == ["Clock paused", "Overdue (5 days late)", "Due soon (6 days left)", "Sent on time", "Withdrawn"]
    assert model.index(0, st.DUE).data() == "Not started"
    assert "clock starts" in model.index(0, st.DUE).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, st.REQUESTER).data() == "Dana Hartley (parent)"
    assert model.index(0, st.REQUESTER).data() == "The subject"
    assert model.index(1, st.TIMELINESS).data(Bg) is not None
    assert model.index(1, st.STATUS).data(Bg) is None  # colour on the timeliness cell only
    assert model.index(1, st.STATUS).data() == "In review"
    assert model.row_of("SAR-3") == 2 and model.index(2, 0).data(st.SarRole).reference == "SAR-3"


def test_report_table_model_shows_either_version(qtbot):
    table = Table("contacts_by_channel", "Contacts by channel", ["Channel", "Contacts"],
                  [["Phone", 1234], ["Letter", 3], ["Other", 0], ["All contacts", 1237]], chart="pie", total_last=True)
    workload = Table("workload", "Workload", ["Worker", "Cases"], [["Rachel Okafor", 7]], names_people=True)
    model = ReportTableModel()
    model.set_table(table, exact=False)
    # Phone would give Letter away (1,237 - 1,234): withheld too, even for a table on its own.
    assert [model.index(r, 1).data() for r in range(4)] == ["withheld", "fewer than 5", "0", "1,237"]
    assert model.chart_rows() == [("Phone", "withheld"), ("Letter", "fewer than 5"), ("Other", 0)]  # no total
    assert model.index(3, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    model.set_table(table, exact=True)
    assert model.index(1, 1).data() == "3"
    model.set_table(workload, exact=False)
    assert model.index(0, 0).data() == "Worker 1"
    model.set_table(workload, exact=True)
    assert model.index(0, 0).data() == "Rachel Okafor"
    model.clear()
    assert model.rowCount() == 0 and model.columnCount() == 0
    report = Report(periods.financial_year(2025), "Northshire SENDIASS", TODAY, [table])
    assert report.table("contacts_by_channel") is table


def test_text_map_converts_selection_positions_both_ways():
    # An emoji takes two UTF-16 units in Qt; "\r\n" shows as a single line break.
    text = "Met 👋 Quentin Marchbanks\r\nat the group.\rEnd"
    mapping = TextMap(text)
    assert mapping.shown == "Met 👋 Quentin Marchbanks\nat the group.\nEnd"
    start = text.index("Quentin")
    end = start + len("Quentin Marchbanks")
    qt_start, qt_end = mapping.to_qt(start, end)
    assert (qt_start, qt_end) == (start + 1, end + 1)  # one extra unit for the emoji
    assert mapping.to_original(qt_start, qt_end) == (start, end)
    # A selection over the line break covers both of its characters in the original.
    shown_break = mapping.shown.index("\n")
    assert mapping.to_original(shown_break + 1, shown_break + 2) == (text.index("\r\n"), text.index("\r\n") + 2)
    assert mapping.to_original(5, 5) == (0, 0)
    last = text.index("End")
    assert mapping.to_original(*mapping.to_qt(last, len(text))) == (last, len(text))

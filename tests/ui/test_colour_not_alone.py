"""Colour is never the only signal (WCAG 1.4.1): every cell a table colours for a state also
says it in words on its row, or carries an icon. Checked on each coloured table model with a
row in every coloured state, in each theme (the dark theme swaps the colours at paint time,
never the words or icons)."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from app.services.casework.paper_files import PaperFile
from app.services.vault.registers import Reminder, StaffRegisterEntry
from ui import theme
from ui.models import paper_file_model as pf
from ui.models import staff_register_model as sr

TODAY = date(2026, 11, 25)
Fg, Bg, Icon = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.DecorationRole
STATE_WORDS = ("overdue", "due soon", "lapsed", "closed", "disabled", "not recorded")


@pytest.fixture(params=["standard", "dark"])
def shown(request):
    before = theme.shown[0]
    theme.shown[0] = request.param
    yield request.param
    theme.shown[0] = before


def coloured_cells_without_words(model) -> list[str]:
    found = []
    for row in range(model.rowCount()):
        row_text = " ".join(str(model.index(row, c).data() or "") for c in range(model.columnCount())).lower()
        for column in range(model.columnCount()):
            index = model.index(row, column)
            if index.data(Fg) is None and index.data(Bg) is None:
                continue
            if index.data(Icon) is None and not any(word in row_text for word in STATE_WORDS):
                found.append(f"row {row} column {column}: {index.data()!r} coloured with no word or icon")
    return found


def test_the_staff_register_marks_each_reminder_with_an_icon_not_only_a_colour(qtbot, shown):
    entries = [StaffRegisterEntry("s1", "rokafor", "Rachel Okafor", "manager", True, "2020-01-06", "2020-01-06",
                                  "2020-01-20", "2025-01-10"),
               StaffRegisterEntry("s2", "tbright", "Tom Bright", "volunteer", True, "2026-10-01",
                                  "2026-10-01", "2026-10-02", "2026-10-03")]
    reminders = [Reminder("training_lapsed", "overdue", "Rachel Okafor: data protection training lapsed",
                          "staff", "s1"),
                 Reminder("training_due", "due_soon", "Tom Bright: data protection training due", "staff", "s2")]
    model = sr.StaffRegisterModel()
    model.set_entries(entries, reminders)
    assert model.index(0, sr.TRAINING).data(Bg) is not None  # the case this test is about
    assert coloured_cells_without_words(model) == []
    # The icon differs between lapsed and due soon, as the colours do.
    assert model.index(0, sr.TRAINING).data(Icon).cacheKey() != model.index(1, sr.TRAINING).data(Icon).cacheKey()


def test_an_overdue_paper_file_says_overdue(qtbot, shown):
    model = pf.PaperFileModel()
    model.set_files([PaperFile("2", "PF-002", "Cabinet B", "c2", "CAS-2026-0002", "m2", "rokafor", "2026-11-10",
                               "Family meeting", "2026-11-20")], TODAY)
    assert model.index(0, pf.LABEL).data(Bg) is not None
    assert coloured_cells_without_words(model) == []
    # The row is painted in the theme shown: a dark red in the dark theme, a pale one otherwise.
    assert model.index(0, pf.LABEL).data(Bg).name() == theme.painted(pf.OVERDUE_BACKGROUND, "background").name()
    assert (model.index(0, pf.LABEL).data(Bg).name() == "#3a1414") == (shown == "dark")

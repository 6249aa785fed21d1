"""Errors reach a screen reader: a refused field says why with its name (its accessible
description holds the reason until it is fixed), and an error shown in a label with no field
(the unlock screen's) is announced through Qt's accessibility events, not left for someone to
find."""

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from ui import accessibility
from ui.views.unlock_view import UnlockView
from ui.widgets.forms import FieldErrors


def test_a_refused_field_carries_its_reason_for_a_screen_reader(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    form = QFormLayout(holder)
    errors = FieldErrors(QLabel())
    field = QLineEdit()
    field.setAccessibleDescription("As on their birth certificate.")
    errors.row(form, "&Name", "name", field)
    errors.set("name", "Enter the name.")
    assert field.accessibleDescription() == "Enter the name. As on their birth certificate."
    assert QAccessible.queryAccessibleInterface(field).text(QAccessible.Text.Description).startswith("Enter")
    errors.clear_field("name")
    assert field.accessibleDescription() == "As on their birth certificate."
    errors.set("name", "Enter the name.")
    errors.clear()
    assert field.accessibleDescription() == "As on their birth certificate."


def test_the_unlock_error_is_announced(qtbot, monkeypatch, data_dir, ops):
    sent = []
    monkeypatch.setattr(accessibility.QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(accessibility.QAccessible, "updateAccessibility",
                        staticmethod(lambda event: sent.append((type(event), event.message()))))
    view = UnlockView(data_dir, None, ops)
    qtbot.addWidget(view)
    view.show_error("That passphrase is not right.")
    assert sent == [(QAccessibleAnnouncementEvent, "That passphrase is not right.")]
    assert view.passphrase.accessibleDescription() == "That passphrase is not right."
    view.show_error("")
    assert len(sent) == 1 and view.passphrase.accessibleDescription() == ""  # clearing says nothing

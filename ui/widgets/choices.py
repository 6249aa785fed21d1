"""Inputs for the fixed lists and dates of casework: combo boxes that show labels and hold
the stored values, yes/no/not-recorded choices, and UK-format date fields."""

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from app.domain.choices import Choice
from app.domain.text import uk_date
from app.errors import ValidationError


def choice_combo(choices: type[Choice] | list[Choice], accessible_name: str, *,
                 none_text: str | None = None, current: str | None = None) -> QComboBox:
    """A combo of a Choice list; `none_text` adds a first item holding None."""
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    if none_text is not None:
        combo.addItem(none_text, None)
    for member in choices:
        combo.addItem(member.label, member.value)
    if current is not None:
        set_combo_value(combo, current)
    return combo


def set_combo_value(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def yes_no_combo(accessible_name: str, unknown: str = "Not recorded") -> QComboBox:
    """Yes / No / not recorded: for facts nobody should be pressed to give."""
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    combo.addItem(unknown, None)
    combo.addItem("Yes", True)
    combo.addItem("No", False)
    return combo


class _OneTabStop:
    """Qt's date fields move Tab between day, month and year; here Tab leaves the field
    (Left and Right still move between its parts), so a form is a few presses shorter."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 (Qt's name)
        return QWidget.focusNextPrevChild(self, forward)


class DateEdit(_OneTabStop, QDateEdit):
    """`latest`: the last date this field may hold (None: any). It is checked when the form
    reads the date (`date_of`), not set as Qt's maximum: Qt checks each part against its
    maximum as it is typed, so with today as the maximum a day later than today's day was
    refused, the keys ran on into the month and year, and another date was kept silently."""

    latest: date | None = None


class DateTimeEdit(_OneTabStop, QDateTimeEdit):
    pass


def date_edit(accessible_name: str, day: date | None = None, *, not_after_today: bool = True) -> QDateEdit:
    day = day or date.today()
    edit = DateEdit(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(accessible_name)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    if not_after_today:
        edit.latest = date.today()
    return edit


def date_of(edit: QDateEdit) -> date:
    """May raise: ValidationError when the field has a `latest` date and holds a later one."""
    qdate = edit.date()
    day = date(qdate.year(), qdate.month(), qdate.day())
    latest = getattr(edit, "latest", None)
    if latest is not None and day > latest:
        raise ValidationError(f"“{edit.accessibleName()}” is {uk_date(day)}, after today: it cannot be a "
                              "date still to come.")
    return day


def date_time_edit(accessible_name: str, moment: datetime | None = None) -> QDateTimeEdit:
    moment = moment or datetime.now()
    edit = DateTimeEdit(QDateTime(QDate(moment.year, moment.month, moment.day),
                                   QTime(moment.hour, moment.minute)))
    edit.setAccessibleName(accessible_name)
    edit.setDisplayFormat("dd/MM/yyyy HH:mm")
    edit.setCalendarPopup(True)
    return edit


def local_moment(edit: QDateTimeEdit) -> datetime:
    """The moment shown, as an aware datetime in this computer's time zone."""
    value = edit.dateTime()
    qdate, qtime = value.date(), value.time()
    return datetime(qdate.year(), qdate.month(), qdate.day(), qtime.hour(), qtime.minute()).astimezone()


def checkable_list(choices: type[Choice], accessible_name: str) -> QListWidget:
    """Many-of-a-list as one tab stop: arrows move, Space ticks."""
    widget = QListWidget()
    widget.setAccessibleName(accessible_name)
    for member in choices:
        item = QListWidgetItem(member.label)
        item.setData(Qt.ItemDataRole.UserRole, member.value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def checked_values(widget: QListWidget) -> list[str]:
    return [widget.item(i).data(Qt.ItemDataRole.UserRole) for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked]

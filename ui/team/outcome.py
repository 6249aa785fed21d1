"""The two lines under a team page's table: what the last task did, or why it failed. One
place for the three pages (the team, this laptop, cases out on laptops)."""

from PySide6.QtWidgets import QLabel, QTableWidget

from ui.formatting import describe_error
from ui.widgets.forms import text_label


def read_only_table(columns: tuple[str, ...], accessible_name: str, widths: tuple[int, ...]) -> QTableWidget:
    """A team page's table: no editing in place, no row numbers, the last column stretched."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    for number, width in enumerate(widths):
        table.setColumnWidth(number, width)
    return table


class OutcomeLines:
    """For a page with `status` and `error` labels and a `load()` that reads the list again."""

    def make_outcome_lines(self) -> tuple[QLabel, QLabel]:
        """The error and status lines, hidden until there is something to say."""
        self.error = text_label("", "error")
        self.status = text_label("", "success")
        for line in (self.error, self.status):
            line.setWordWrap(True)
            line.hide()
        return self.error, self.status

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()
        self.load()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

"""The manager's statement of transfers outside the UK, printed in every subject access pack
(Article 15(2)): none, or where and under which safeguard."""

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.sar import settings as sar_settings
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.card import card
from ui.widgets.forms import line_edit, text_label
from ui.widgets.permission import MANAGER_ONLY, allow_only


class TransfersSetting(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        frame, column = card("Transfers outside the UK")
        column.addWidget(text_label("Every subject access pack says whether personal information goes outside "
                                    "the UK and, if it does, where and under which safeguard.", "hint"))
        self.none = QRadioButton("&None: personal information stays in the UK")
        self.some = QRadioButton("S&ome: say where, and the safeguard")
        self.where = line_edit("Where the information goes", placeholder="for example Email hosting in the "
                                                                         "United States")
        self.safeguard = QComboBox()
        self.safeguard.setEditable(True)
        self.safeguard.setAccessibleName("Safeguard")
        self.safeguard.addItems(sar_settings.SAFEGUARDS)
        self.save_button = QPushButton("Save &transfers")
        self.status = text_label("", "success")
        self.error = text_label("", "error")
        column.addWidget(self.none)
        column.addWidget(self.some)
        fields = QFormLayout()
        fields.addRow("&Where it goes", self.where)
        fields.addRow("Saf&eguard", self.safeguard)
        column.addLayout(fields)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.error)
        column.addWidget(self.status)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

        manager = session.user.is_manager
        allow_only((self.none, self.some, self.where, self.safeguard), manager)
        self.save_button.setVisible(manager)
        self.manager_only = text_label(MANAGER_ONLY, "hint")
        self.manager_only.setVisible(not manager)
        column.addWidget(self.manager_only)
        self.none.toggled.connect(self._toggled)
        self.save_button.clicked.connect(self.save)
        self.load()

    def _toggled(self, _on=None) -> None:
        if not self.session.user.is_manager:
            return  # disabled with the reason already
        some = self.some.isChecked()
        self.where.setEnabled(some)
        self.safeguard.setEnabled(some)

    def load(self) -> None:
        self.status.hide()
        self.error.hide()
        try:
            value = sar_settings.transfers(self.session)
        except ConfideError as exc:
            self._failed(exc)
            return
        (self.none if value.none else self.some).setChecked(True)
        self.where.setText(value.destinations)
        self.safeguard.setCurrentText(value.safeguard or sar_settings.SAFEGUARDS[1])
        self._toggled()

    def save(self) -> None:
        self.status.hide()
        self.error.hide()
        session, none = self.session, self.none.isChecked()
        where, how = self.where.text(), self.safeguard.currentText()
        self.ops.run(lambda _p: sar_settings.set_transfers(session, none, where, how), on_done=self._saved,
                     on_error=self._failed, changes={"settings"})

    def _saved(self, value: sar_settings.Transfers) -> None:
        self.status.setText("Saved. Packs now say: " + value.statement())
        self.status.show()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)

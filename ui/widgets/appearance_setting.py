"""How Confide looks for the person at this computer: the theme (follow the system's
high-contrast and dark settings, the standard colours, high contrast or dark) and the text size,
up to 200%.
Anyone may change it: it is their screen, not the service's data."""

from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from app.config import Appearance, load_appearance, save_appearance
from ui import theme
from ui.widgets.card import card
from ui.widgets.forms import text_label


class AppearanceSetting(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        frame, column = card("Appearance")
        column.addWidget(text_label("Colours and text size on this computer, for you. \"Follow the system\" "
                                    "turns to high contrast when the computer's own high-contrast setting is "
                                    "on, and dark when its colour scheme is dark.", "hint"))
        self.theme = QComboBox()
        self.theme.setAccessibleName("Colours")
        for key, label in theme.THEMES.items():
            self.theme.addItem(label, key)
        self.size = QComboBox()
        self.size.setAccessibleName("Text size")
        for percent in theme.TEXT_SIZES:
            self.size.addItem(f"{percent}%", percent)
        fields = QFormLayout()
        fields.addRow("&Colours", self.theme)
        fields.addRow("Text si&ze", self.size)
        column.addLayout(fields)
        self.apply_button = QPushButton("&Use these")
        self.apply_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.apply_button)
        row.addStretch(1)
        column.addLayout(row)
        self.status = text_label("", "success")
        self.status.hide()
        self.error = text_label("", "error")
        self.error.hide()
        column.addWidget(self.status)
        column.addWidget(self.error)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        chosen = load_appearance()
        self.theme.setCurrentIndex(max(0, self.theme.findData(chosen.theme)))
        self.size.setCurrentIndex(max(0, self.size.findData(chosen.text_size)))
        self.apply_button.clicked.connect(self.use)

    def chosen(self) -> Appearance:
        return Appearance(theme=self.theme.currentData(), text_size=int(self.size.currentData()))

    def use(self) -> None:
        """Show the choice at once and keep it for next time; if it cannot be kept, say so."""
        appearance = self.chosen()
        theme.apply(QApplication.instance(), appearance)
        self.status.hide()
        self.error.hide()
        try:
            save_appearance(appearance)
        except OSError as exc:
            self.error.setText(f"Shown now, but not kept for next time: {exc.strerror or exc}.")
            self.error.show()
            return
        self.status.setText(f"Now showing {theme.THEMES[appearance.theme].lower()} colours, text at "
                            f"{appearance.text_size}%.")
        self.status.show()

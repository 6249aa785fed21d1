"""Choosing an intervention level: the network's levels in a list, with the chosen level's
definition and typical service time shown under it (docs/national.md), so the choice is made
against the same words every service uses."""

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from app.domain.choices import InterventionLevel
from app.resources import national
from ui.widgets.choices import set_combo_value
from ui.widgets.forms import text_label


class LevelChoice(QWidget):
    def __init__(self, current: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Intervention level")
        for member in InterventionLevel:
            self.combo.addItem(member.label, member.value)
        self.definition = text_label("", "hint")
        self.definition.setAccessibleName("What the level means")
        self.time = text_label("", "hint")
        self.time.setAccessibleName("Typical service time")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.combo)
        column.addWidget(self.definition)
        column.addWidget(self.time)
        self.combo.currentIndexChanged.connect(self._explain)
        set_combo_value(self.combo, current or InterventionLevel.LEVEL_2.value)
        self._explain()
        self.setFocusProxy(self.combo)

    def value(self) -> str:
        return self.combo.currentData()

    def currentData(self) -> str:   # read like the combo it replaces
        return self.value()

    def _explain(self) -> None:
        text = national.level_text(self.value())
        self.definition.setText(text.definition if text else "")
        self.time.setText(f"Typical time: {text.typical_time}" if text else "")

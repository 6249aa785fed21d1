"""A spin box whose unit follows the number: "1 minute", "5 minutes" (Qt's fixed suffix
would say "1 minutes")."""

from PySide6.QtWidgets import QSpinBox

from app.domain.counting import plural_word


def count_unit(spin: QSpinBox, word: str) -> QSpinBox:
    """Keep the suffix in step with the value; returns the spin box."""
    def follow(value: int) -> None:
        spin.setSuffix(f" {plural_word(value, word)}")

    spin.valueChanged.connect(follow)
    follow(spin.value())
    return spin

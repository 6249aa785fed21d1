"""A control the signed-in person may not use is shown disabled, with the reason where they
look for it (a tooltip, which Qt shows on disabled widgets too, and the accessible
description screen readers read): never enabled-looking and silently ignoring clicks."""

from collections.abc import Iterable

from PySide6.QtWidgets import QWidget

MANAGER_ONLY = "Only a manager can change this."


def allow_only(widgets: Iterable[QWidget], allowed: bool, reason: str = MANAGER_ONLY) -> None:
    """Enable the widgets when `allowed`; otherwise disable them and say why."""
    for widget in widgets:
        widget.setEnabled(allowed)
        widget.setToolTip("" if allowed else reason)
        widget.setAccessibleDescription("" if allowed else reason)

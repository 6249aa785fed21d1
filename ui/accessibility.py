"""Names for what a screen reader meets that no label names: the scrolling body of a page or
a dialog (focusable, so the arrow keys scroll it) and a page of the workspace. Controls with a
visible label are named by it (a QFormLayout row's label, a buddy); the rest call these.
docs/accessibility.md lists the checks (tests/ui/test_accessibility_tree.py)."""

from PySide6.QtWidgets import QAbstractScrollArea, QScrollArea, QWidget

__all__ = ["name_page", "name_scroll"]


def name_scroll(scroll: QAbstractScrollArea, name: str) -> QAbstractScrollArea:
    scroll.setAccessibleName(name)
    return scroll


def name_page(view: QWidget, name: str) -> None:
    """The page and any scroll area of its own that no one named take the page's name."""
    if not view.accessibleName():
        view.setAccessibleName(name)
    for scroll in view.findChildren(QScrollArea):
        if not scroll.accessibleName() and scroll.parentWidget() is view:
            scroll.setAccessibleName(f"{name} page")

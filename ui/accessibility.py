"""Names for what a screen reader meets that no label names: the scrolling body of a page or
a dialog (focusable, so the arrow keys scroll it) and a page of the workspace. Controls with a
visible label are named by it (a QFormLayout row's label, a buddy); the rest call these.
docs/accessibility.md lists the checks (tests/ui/test_accessibility_tree.py)."""

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QAbstractScrollArea, QListWidget, QScrollArea, QWidget

__all__ = ["announce", "describe_problem", "fit_navigation", "name_page", "name_scroll"]

NAV_WIDTH = 210  # the list of sections at 100% text


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say `text` now (WCAG 4.1.3, status messages): an error shown in a
    label is read by nobody unless the focus moves to it, and it should not move."""
    if text and QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, text))


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


def describe_problem(widget: QWidget, message: str | None) -> None:
    """While a field is refused, its accessible description is the reason, so a screen reader
    says it with the field's name when the focus lands there; cleared, it is what it was."""
    if widget.property("plainDescription") is None:
        widget.setProperty("plainDescription", widget.accessibleDescription())
    plain = widget.property("plainDescription")
    widget.setAccessibleDescription(f"{message} {plain}".strip() if message else plain)


def fit_navigation(nav: QListWidget) -> None:
    """The list of sections as wide as its longest name needs at this text size (200% text
    cut "Access requests" to "Access req"), never narrower than at 100%."""
    nav.ensurePolished()
    needed = nav.sizeHintForColumn(0) + 2 * nav.frameWidth() + nav.verticalScrollBar().sizeHint().width()
    nav.setFixedWidth(max(NAV_WIDTH, needed))

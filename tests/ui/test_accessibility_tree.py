"""Every window and dialog of ui/ (the list is discovered: tests/ui/window_world.py), and every
page of the main window, walked through Qt's accessibility tree (QAccessible, what a screen
reader is given over AT-SPI, UI Automation or NSAccessibility):

- every control a person can focus has a name and a role, as a screen reader announces it;
- every control a person can operate is reachable with Tab from the window's first control
  (the chain is walked by pressing Tab through the window, not read off the widget tree);
- every image that carries meaning (the signature pad, charts) has a text alternative.

docs/accessibility.md says what is checked and what was tried with a real screen reader."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from tests.ui.test_every_window_fits import LAPTOP
from tests.ui.window_world import RECIPES, World
from ui.clipboard import SecretClipboard
from ui.widgets import screen_fit
from ui.widgets.bar_chart import BarChart
from ui.widgets.signature_pad import SignaturePad
from ui.widgets.signature_view import SignatureView

# Kinds of widget a person operates. Labels, frames and scroll areas are read, not operated.
OPERABLE = (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
            QPlainTextEdit, QTextEdit, QTabBar)
# Images that carry meaning need words too: a name and a description of what they show.
MEANINGFUL_IMAGES = (SignaturePad, SignatureView, BarChart)


def _shown(widget: QWidget, window: QWidget) -> bool:
    return widget.isVisibleTo(window) and widget.isEnabled() and widget.window() is window


def _label(widget: QWidget) -> str:
    return f"{type(widget).__name__}({widget.objectName() or widget.accessibleName() or '?'})"


def _is_operable(widget: QWidget) -> bool:
    if not isinstance(widget, OPERABLE) or isinstance(widget, QScrollBar):
        return False  # a scroll bar moves with the focused control or the arrow keys
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) and widget.isReadOnly() \
            and widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
        return False  # shown text, read with the window, not a control
    # A combo box's own line edit and a spin box's editor are parts of their parent control.
    parent = widget.parentWidget()
    return not isinstance(parent, QComboBox | QAbstractSpinBox)


def unnamed_controls(window: QWidget) -> list[str]:
    """Focusable controls whose accessible interface has no name, or no role, walking the
    accessibility tree from the window down (QAccessibleInterface.child)."""
    found = []
    root = QAccessible.queryAccessibleInterface(window)
    stack = [root] if root is not None else []
    while stack:
        iface = stack.pop()
        obj = iface.object()
        if isinstance(obj, QWidget) and not obj.isVisibleTo(window) and obj is not window:
            continue  # a hidden page of a stack or tab widget: checked when it is shown
        for i in range(iface.childCount()):
            child = iface.child(i)
            if child is not None and child.isValid():
                stack.append(child)
        state = iface.state()
        if not state.focusable or state.invisible or state.disabled:
            continue
        if isinstance(obj, QWidget) and obj.window() is not window:
            continue
        name = (iface.text(QAccessible.Text.Name) or "").strip()
        role = iface.role()
        if not name and role == QAccessible.Role.Cell:
            continue  # an empty value in a table: read as "blank" under its column's header
        if not name or role == QAccessible.Role.NoRole:
            what = _label(obj) if isinstance(obj, QWidget) else f"item of {iface.parent().text(QAccessible.Text.Name)}"
            found.append(f"{what}: name={name!r} role={role.name}")
    return found


def tab_chain(window: QWidget) -> list[QWidget]:
    """Press Tab through the window from its first control, as a keyboard user does, until the
    focus comes back round."""
    window.activateWindow()
    QApplication.processEvents()
    window.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _ in range(600):
        window.focusNextPrevChild(True)
        current = QApplication.focusWidget()
        if current is None or current in seen:
            break
        seen.append(current)
    return seen


def _same_group(radio: QRadioButton, other: QWidget) -> bool:
    if not isinstance(other, QRadioButton):
        return False
    if radio.group() is not None:
        return radio.group() is other.group()
    return radio.autoExclusive() and other.parentWidget() is radio.parentWidget()


def unreachable_controls(window: QWidget) -> list[str]:
    reached = tab_chain(window)
    # A control reached through its focus proxy (a search field's line edit) counts as reached.
    reached_set = set(reached) | {w.focusProxy() for w in reached if w.focusProxy()}
    found = []
    for widget in window.findChildren(QWidget):
        if not _is_operable(widget) or not _shown(widget, window):
            continue
        if isinstance(widget, QAbstractButton) and isinstance(widget.parentWidget(), QTabBar):
            continue  # a tab bar's scroll arrows: the bar itself takes the arrow keys
        target = widget.focusProxy() or widget
        if isinstance(widget, QRadioButton) and any(_same_group(widget, r) for r in reached):
            continue  # Tab enters a group of radio buttons once; the arrow keys move inside it
        if target not in reached_set and not any(r.isAncestorOf(target) for r in reached
                                                 if isinstance(r, QAbstractItemView)):
            found.append(_label(widget))
    return found


def images_without_words(window: QWidget, seen: set | None = None) -> list[str]:
    found = []
    for widget in window.findChildren(QWidget):
        if isinstance(widget, MEANINGFUL_IMAGES) and widget.isVisibleTo(window):
            if seen is not None:
                seen.add(type(widget))
            if not widget.accessibleName().strip() or not widget.accessibleDescription().strip():
                found.append(_label(widget))
    return found


def _check(window: QWidget, seen: set | None = None) -> list[str]:
    """The window as shown, then each tab of each tab widget in it (a case's notes, consent
    and actions; the registers)."""
    found = _check_shown(window, seen)
    for tabs in window.findChildren(QTabWidget):
        if not tabs.isVisibleTo(window):
            continue
        before = tabs.currentIndex()
        for index in range(tabs.count()):
            if index != before and tabs.isTabEnabled(index):
                tabs.setCurrentIndex(index)
                QApplication.processEvents()
                found += [f"tab {tabs.tabText(index)!r}: {p}" for p in _check_shown(window, seen)]
        tabs.setCurrentIndex(before)
    return sorted(set(found), key=found.index)


def _check_shown(window: QWidget, seen: set | None = None) -> list[str]:
    return ([f"unnamed: {p}" for p in unnamed_controls(window)]
            + [f"not reachable by Tab: {p}" for p in unreachable_controls(window)]
            + [f"image without words: {p}" for p in images_without_words(window, seen)])


def test_every_window_names_its_controls_and_reaches_them_by_tab(qtbot, session, ops, data_dir, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    world = World(session, ops, data_dir, tmp_path, SecretClipboard())
    problems, images = {}, set()
    for name, recipe in RECIPES.items():
        window = recipe(world)
        qtbot.addWidget(window, before_close_func=lambda w: getattr(w, "guard", None) and w.guard.mark_clean())
        window.show()
        qtbot.waitExposed(window)
        QApplication.processEvents()
        found = _check(window, images)
        if name == "ui.main_window.MainWindow":
            window.open_session(session)
            for page in list(window.workspace.pages):
                view = window.workspace.show_page(page)
                QApplication.processEvents()
                if page == "Reports":  # the charts are drawn once a report is made
                    view.build()
                    qtbot.waitUntil(lambda v=view: v.report is not None and not ops.busy, timeout=10000)
                found += [f"page {page}: {p}" for p in _check(window, images)]
            for kind, record in (("case", world.case.id), ("person", world.person.id)):
                window.workspace.open_record(kind, record)
                QApplication.processEvents()
                found += [f"{kind} record: {p}" for p in _check(window, images)]
            window.workspace.clear()
        if found:
            problems[name] = found
        if hasattr(window, "guard"):
            window.guard.mark_clean()
        window.hide()
    # The check saw every kind of image it knows, so it can say each one has words.
    assert images == set(MEANINGFUL_IMAGES)
    assert problems == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_the_check_catches_an_unnamed_control_and_one_tab_cannot_reach(qtbot):
    from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    icon_only = QPushButton()
    icon_only.setObjectName("icon_only")
    mouse_only = QPushButton("Mouse only")
    mouse_only.setObjectName("mouse_only")
    mouse_only.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    layout.addWidget(icon_only)
    layout.addWidget(mouse_only)
    dialog.show()
    qtbot.waitExposed(dialog)
    problems = _check(dialog)
    assert any("unnamed: QPushButton(icon_only)" in p for p in problems)
    assert any("not reachable by Tab: QPushButton(mouse_only)" in p for p in problems)
    icon_only.setAccessibleName("Open")
    mouse_only.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    assert _check(dialog) == []

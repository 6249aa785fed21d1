"""The base of every form dialog: the fields in a scroll area, the error line and the buttons
outside it (always visible), a size that fits the screen, a question before anything typed is
thrown away, the same Enter handling everywhere, and a busy state while the change runs off
the GUI thread.

Subclasses build rows on `self.form` (or add widgets to `self.body_column`) and implement
`submit()`, which checks what it can at once (raising ValidationError) and then calls
`self.run(work, on_done)`.

Keys: Ctrl+S (and Ctrl+Enter) save from anywhere in the form. Enter saves only in small
forms (`enter_saves`); in long forms it moves to the next field, so a half-filled form is
never saved by a stray Enter. Enter never presses Cancel; Escape asks before discarding.
"""

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from ui import theme
from ui.dialogs.unsaved import UnsavedGuard
from ui.inactivity import create_all_type_wrappers
from ui.operations import Operations, Work
from ui.widgets.forms import FieldErrors, error_line, text_label
from ui.widgets.screen_fit import fit_window, room

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SAVE_KEYS = ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter")


COMBO_CHARACTERS = 24


def narrow_combos(body: QWidget) -> None:
    """The longest entry of a list must not set the form's width: at 200% text a list of
    professionals' names pushed forms wider than a laptop, and they scrolled sideways. The
    open list still shows each name in full."""
    for combo in body.findChildren(QComboBox):
        if combo.sizeAdjustPolicy() in (QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow,
                                        QComboBox.SizeAdjustPolicy.AdjustToContents):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(max(combo.minimumContentsLength(), COMBO_CHARACTERS))
            # The size hints were measured from the entries already; an explicit minimum is what
            # a layout reads first.
            cap = combo.fontMetrics().averageCharWidth() * COMBO_CHARACTERS + 48
            if combo.minimumWidth() == 0 and combo.minimumSizeHint().width() > cap:
                combo.setMinimumWidth(cap)


def narrow_combo(combo: QComboBox) -> QComboBox:
    """A list of names that may grow long (professionals, requests), narrow from the start: its
    longest entry never sets the form's width, at any text size. narrow_combos does this at
    200% text only after the form has measured itself, and the form then scrolled sideways
    until its layouts caught up. The open list still shows each entry in full."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARACTERS)
    return combo


class FormDialog(QDialog):
    enter_saves = True  # long forms set False: Enter moves on instead
    draft_kind: str | None = None  # forms whose typing is kept when Confide locks (ui/drafts.py)

    def __init__(self, ops: Operations | None, title: str, intro: str = "", *, ok_text: str = "OK",
                 cancel_text: str = "Cancel", heading: str | None = None, heading_kind: str = "subheading",
                 discard_what: str = "what you typed", parent: QWidget | None = None):
        # showEvent reads every child widget (the discard question's starting values): a widget
        # type whose Python wrapper is first built inside that override has crashed PySide6. The
        # main window builds them all in its first turn on screen (ui/main_window.py); this is
        # for a dialog opened before that, or without the main window (nothing once built).
        create_all_type_wrappers()
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(620)
        self._busy = False
        self._fitted = False
        self.preferred_size: QSize | None = None  # subclasses: the size wanted if it fits
        self.initial_focus: QWidget | None = None  # default: the first text field

        column = QVBoxLayout(self)
        column.setSpacing(10)
        # Window titles reach taskbars and screen sharing: names go in the heading only.
        self.heading = text_label(heading or title, heading_kind)
        column.addWidget(self.heading)
        if intro:
            self.intro = text_label(intro, "hint")
            column.addWidget(self.intro)
        self.notice = text_label("", "notice")
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        column.addWidget(self.notice)
        self.body = QWidget()
        self.body.setObjectName("formBody")
        self.body.setStyleSheet("QWidget#formBody { background: transparent; }")  # the dialog's own colour
        self.body_column = QVBoxLayout(self.body)
        self.body_column.setContentsMargins(0, 0, 6, 0)
        self.body_column.setSpacing(8)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setVerticalSpacing(8)
        self.body_column.addLayout(self.form)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a tab stop of its own
        self.scroll.viewport().setAutoFillBackground(False)
        self.scroll.setWidget(self.body)
        column.addWidget(self.scroll, 1)

        self.error_line = error_line()
        column.addWidget(self.error_line)
        self.errors = FieldErrors(self.error_line, self._errors_changed)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(8)
        self.busy_bar.hide()
        column.addWidget(self.busy_bar)
        # Parented now: setDefault() only reaches the dialog if the button is already inside it.
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.ok_button.setProperty("primary", True)
        self.ok_text = ok_text
        self.cancel_button = self.buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        for keys in SAVE_KEYS:
            QShortcut(QKeySequence(keys), self, self.accept)
        self.guard = UnsavedGuard(self, discard_what)

    # --- subclasses ----------------------------------------------------------------------
    def submit(self) -> None:
        raise NotImplementedError

    def draft_context(self) -> dict:
        """What reopening this form needs (ids only, never personal data); see ui/drafts.py."""
        return {}

    def show_notice(self, text: str) -> None:
        """A line above the fields (e.g. "kept from before Confide locked")."""
        self.notice.setText(text)
        self.notice.show()
        self.make_room()  # shown after opening: make room for it rather than scroll the fields

    def make_room(self) -> None:
        """Grow, never shrink, to show rows that appeared, up to the screen. (adjustSize would
        size the dialog to its scroll area's small hint: at 200% text the fields then scrolled
        sideways.)"""
        if self._fitted:
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    # --- showing -------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        self.guard.ensure_marked()  # the starting values, once the subclass has filled them
        for button in self.findChildren(QPushButton):
            # An auto-default button takes Enter while it has the focus; Cancel must never.
            button.setAutoDefault(False)
        self.ok_button.setDefault(True)
        if not self._fitted:
            self._fitted = True
            self.body_column.addStretch(1)
            if theme.current.text_size > 100:  # at 100% every form was laid out with its lists as they are
                narrow_combos(self.body)
            self.fit_to_screen()
        super().showEvent(event)
        # Otherwise the OK button starts with the focus, and a typed space would press it.
        target = self.initial_focus or next(
            (edit for edit in self.body.findChildren(QLineEdit) if edit.isEnabled() and edit.isVisibleTo(self)),
            None)
        if target is not None:
            QTimer.singleShot(0, self, target.setFocus)

    def wanted_size(self) -> QSize:
        """The whole form with no scrolling (or `preferred_size`), before fitting the screen."""
        # Size hints are cached from when the form was half built: measure afresh.
        for layout in (self.body_column, self.layout()):
            layout.invalidate()
            layout.activate()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        margins = self.layout().contentsMargins()
        body = self.body_column.totalSizeHint()
        width = max(self.minimumWidth(), body.width() + bar + margins.left() + margins.right(),
                    self.sizeHint().width())
        if self.preferred_size is not None:
            # A preferred width was chosen at 100% text; larger text wants it larger (the screen
            # still caps it: fit_to_screen).
            width = max(width, self.preferred_size.width() * theme.current.text_size // 100)
        inner = width - bar - margins.left() - margins.right()
        body_height = (self.body_column.totalHeightForWidth(inner) if self.body_column.hasHeightForWidth()
                       else body.height())
        chrome = self.layout().totalSizeHint().height() - self.scroll.sizeHint().height()
        height = max(self.minimumHeight(), chrome + max(body_height, body.height()) + 4)
        if self.preferred_size is not None:
            height = self.preferred_size.height()
        return QSize(width, height)

    def fit_to_screen(self, grow_only: bool = False) -> None:
        wanted = self.wanted_size()
        if grow_only:
            wanted = QSize(max(wanted.width(), self.width()), max(wanted.height(), self.height()))
        fit_window(self, wanted)

    def _errors_changed(self) -> None:
        # An error line that wraps or a section that appears needs room: grow, up to the screen.
        self.make_room()
        focused = self.focusWidget()
        if focused is not None and self.body.isAncestorOf(focused):
            self.scroll.ensureWidgetVisible(focused)

    def room(self) -> QSize:
        return room(self)

    # --- keys ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.enter_pressed()
            return
        super().keyPressEvent(event)  # Escape -> reject(), which asks first

    def enter_pressed(self) -> None:
        focused = self.focusWidget()
        if focused is self.cancel_button:
            return  # Escape and the button itself cancel; Enter never does
        if isinstance(focused, QPushButton) and focused is not self.ok_button:
            if focused.isEnabled() and not focused.property("noEnter"):
                focused.click()
            return
        if self.enter_saves or focused is self.ok_button:
            self.accept()
        else:
            self.focusNextChild()
            # Called on the dialog, the move skips the scroll area's own Tab handling, which
            # would have brought the next field into view: a long form scrolls to it here.
            landed = self.focusWidget()
            if landed is not None and self.body.isAncestorOf(landed):
                self.scroll.ensureWidgetVisible(landed)

    # --- running the change ------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    def accept(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        try:
            self.submit()
        except ConfideError as exc:
            self.failed(exc)

    def failed(self, exc: Exception) -> None:
        """Show what went wrong beside the field at fault; nothing typed is touched."""
        self._set_busy(False)
        self.errors.show(exc)

    def run(self, work: Work, on_done, changes=()) -> None:
        self._set_busy(True)

        def done(result):
            self._set_busy(False)
            on_done(result)

        self.ops.run(work, on_done=done, on_error=self.failed, changes=changes)

    def finish(self) -> None:
        """Close as accepted; subclasses call this from their on_done."""
        super().accept()

    def reject(self) -> None:
        # Closing mid-change would leave nobody to show its outcome.
        if self._busy or not self.guard.may_close():
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        self.body.setEnabled(not busy)
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.ok_button.setText("Working…" if busy else self.ok_text)

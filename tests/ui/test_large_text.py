"""At 200% text in the high-contrast theme on a 1366x768 laptop, every window still fits and
nothing is cut off sideways: a form scrolls down, never across (its scroll area shows no
horizontal bar). The windows are the same discovered list as tests/ui/window_world.py."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from app.config import Appearance
from app.services.casework import cases
from tests.ui.conftest import unlock
from tests.ui.test_every_window_fits import LAPTOP
from tests.ui.window_world import RECIPES, World
from tests.unit.casework_helpers import family
from ui import theme
from ui.clipboard import SecretClipboard
from ui.dialogs.form_dialog import FormDialog
from ui.views.unlock_view import UnlockView
from ui.widgets import screen_fit
from ui.workspace import Workspace

# Found by this test and not yet fixed (named, so the test fails once they are, and the entry
# is then removed).
KNOWN: dict[str, list[str]] = {}


def sideways(window) -> list[str]:
    found = []
    if isinstance(window, FormDialog) and window.scroll.horizontalScrollBar().isVisible():
        found.append("the form scrolls sideways")
    return found


def test_every_window_at_200_percent_scrolls_down_never_across(qtbot, session, ops, data_dir, tmp_path,
                                                                monkeypatch):
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    problems = {}
    try:
        theme.apply(app, Appearance("high_contrast", 200))
        world = World(session, ops, data_dir, tmp_path, SecretClipboard())
        for name, recipe in RECIPES.items():
            window = recipe(world)
            qtbot.addWidget(window, before_close_func=lambda w: getattr(w, "guard", None) and w.guard.mark_clean())
            window.show()
            qtbot.waitExposed(window)
            QApplication.processEvents()
            found = sideways(window)
            if window.width() > LAPTOP.width() or window.height() + screen_fit.FRAME_HEIGHT > LAPTOP.height():
                found.append(f"{window.width()}x{window.height()} does not fit")
            if found:
                problems[name] = found
            if hasattr(window, "guard"):
                window.guard.mark_clean()
            window.hide()
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)
    assert problems == KNOWN


def test_the_sar_request_form_keeps_fitting_as_its_rows_change_at_200_percent(qtbot, session, ops, data_dir,
                                                                               tmp_path, monkeypatch):
    """The request form sized itself to its scroll area's hint (adjustSize) whenever "Who is
    asking" changed, so at 200% its fields scrolled sideways."""
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance("high_contrast", 200))
        world = World(session, ops, data_dir, tmp_path, SecretClipboard())
        dialog = RECIPES["ui.dialogs.sar_dialogs.RegisterSarDialog"](world)
        qtbot.addWidget(dialog, before_close_func=lambda w: w.guard.mark_clean())
        dialog.show()
        qtbot.waitExposed(dialog)
        for index in [1, 2, 0, 1]:
            dialog.kind.setCurrentIndex(index)
            qtbot.wait(20)
            assert sideways(dialog) == [], dialog.kind.currentText()
            assert dialog.width() <= LAPTOP.width()
            assert dialog.height() + screen_fit.FRAME_HEIGHT <= LAPTOP.height()
        dialog.guard.mark_clean()
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)


def test_at_200_percent_the_status_bar_shows_whole_words(qtbot, window, monkeypatch):
    """The "Weaker protection" notice was cut to "Weaker protection: device secret ke" and the
    last backup went off the screen's edge: each status item now shows a whole wording."""
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance("high_contrast", 200))
        unlock(qtbot, window)
        window.weaker_label.show()  # what a computer with its device secret in a key file shows
        window.resize(LAPTOP.width(), LAPTOP.height() - screen_fit.FRAME_HEIGHT)
        bar = window.statusBar()

        def cut() -> list[str]:
            # The passing message ("Unlocked.") yields its room first; Messages keeps each one.
            items = [w for w in bar.findChildren(QLabel) if w.isVisible() and w.parent() is bar and w.text()
                     and w.objectName() != "statusMessage"]
            found = [] if window.weaker_label in items else ["the notice is hidden"]
            for label in items:
                if label.mapTo(window, label.rect().topRight()).x() > window.width():
                    found.append(f"{label.text()!r} runs off the window")
                if label.fontMetrics().horizontalAdvance(label.text()) > label.contentsRect().width():
                    found.append(f"{label.text()!r} is cut")
            return found

        for _ in range(60):  # the layout settles after the resize; under load that takes a moment
            if not cut():
                break
            qtbot.wait(50)
        assert cut() == []
        # A message keeps room to be read, and the items on the right take their short words.
        bar.showMessage("Consent recorded for Jordan Reeves: voicemail and answerphone messages.")
        least = bar.label.fontMetrics().averageCharWidth() * 20

        def squeezed() -> list[str]:
            found = cut()
            if bar.label.width() < least:
                found.append(f"the message has {bar.label.width()}px, under {least}px")
            if bar.height() > 5 * bar.label.fontMetrics().lineSpacing():
                found.append(f"the bar grew {bar.height()}px tall")
            return found

        for _ in range(60):
            if not squeezed():
                break
            qtbot.wait(50)
        assert squeezed() == []
        assert window.weaker_label.text() in ("Weaker protection", "Weaker protection: device secret kept in a file")
        assert window.weaker_label.accessibleName() == "Weaker protection: device secret kept in a file"
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)


def test_at_200_percent_the_unlock_buttons_show_their_whole_words(qtbot, ops, data_dir, vault):
    """The unlock card kept 520 pixels at 200% text: "Use recovery key…" showed as "e recovery key"."""
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance("high_contrast", 200))  # as at start, before the window is built
        view = UnlockView(data_dir, None, ops)
        qtbot.addWidget(view)
        view.resize(LAPTOP.width(), LAPTOP.height() - screen_fit.FRAME_HEIGHT)
        view.show()
        qtbot.waitExposed(view)
        view._set_busy(True)  # "Unlocking…" is wider than "Unlock", as it is while the key is worked out
        card = view.recovery_button.parentWidget()

        def inside(button) -> bool:  # within its card, and as wide as its words need
            return (button.geometry().left() >= 0 and button.geometry().right() < card.width()
                    and button.width() >= button.sizeHint().width())

        for _ in range(40):
            QApplication.processEvents()
            if inside(view.recovery_button) and inside(view.unlock_button):
                break
            qtbot.wait(50)
        for button in (view.recovery_button, view.unlock_button):
            assert inside(button), f"{button.text()} at {button.geometry()} in a card {card.width()} wide"
        view._set_busy(False)
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)


def cut_labels(root) -> list[str]:
    """Visible labels whose words do not fit them: a one-line label narrower than its text, or
    a wrapping one narrower than its longest word."""
    found = []
    for label in root.findChildren(QLabel):
        text = label.text()
        if not label.isVisible() or not text.strip() or label.textFormat() == Qt.TextFormat.RichText:
            continue
        room = label.contentsRect().width()
        metrics = label.fontMetrics()
        if label.wordWrap():
            widest = max(metrics.horizontalAdvance(word) for word in text.split())
            if widest > room:
                found.append(f"{text[:40]!r}: a word {widest}px in {room}px")
        elif metrics.horizontalAdvance(text) > room:
            found.append(f"{text[:40]!r}: {metrics.horizontalAdvance(text)}px in {room}px")
    return found


def test_at_200_percent_a_case_s_heading_and_summary_are_not_cut(qtbot, session, ops, data_dir):
    """On the walk at 200%: "Case CAS-2026-0000" ran under the status, and the summary's two
    cards side by side scrolled sideways and cut the reference to "CAS-2026-000"."""
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance("high_contrast", 200))
        parent, kid = family(session)
        case = cases.open_case(session, parent.id, kid.id)
        cases.close_case(session, case.id, "resolved", ["better_informed"])
        workspace = Workspace(session, ops, data_dir, None)
        qtbot.addWidget(workspace)
        workspace.resize(LAPTOP.width(), LAPTOP.height() - 100)  # the menu and status bars take the rest
        workspace.show()
        qtbot.waitExposed(workspace)
        qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # Home reads on the worker
        view = workspace.open_record("case", case.id)
        view.show_tab("summary")
        # What a case gets beside the sections list on a laptop (offscreen, nothing holds the
        # window to the screen, so the width is held here).
        view.setFixedWidth(LAPTOP.width() - workspace.nav.width() - 30)
        summary = next(s for s in view.findChildren(QScrollArea) if s.accessibleName() == "Case summary")

        def problems() -> list[str]:
            found = cut_labels(view)
            if summary.horizontalScrollBar().isVisible():
                found.append("the summary scrolls sideways")
            for part in (view.heading, view.status):
                if part.width() < part.minimumSizeHint().width():
                    found.append(f"{part.text()!r} is squeezed to {part.width()}px")
            return found

        for _ in range(40):
            QApplication.processEvents()
            if not problems():
                break
            qtbot.wait(50)
        assert problems() == []
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)

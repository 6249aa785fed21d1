"""Copying personal data (a phone number, an address) to the clipboard (docs/security.md).

The copy is tagged as secret so clipboard managers and cloud clipboards leave it out of
their history, and it is cleared after 30 seconds, or when Confide locks, if the clipboard
still holds what we put there (after KeePassXC's Clipboard). Something the user copied
since then is never touched.

It is also cleared when Confide exits, if still ours: on Windows Qt flushes the clipboard at
exit (OleFlushClipboard), so a copied password would outlive the program. And the clipboard
takes ownership of our QMimeData, a Python-made object: on platforms whose clipboard is a
C++ static (the offscreen one the tests use), Qt deleted it after the interpreter had gone,
and the wrapper's destructor crashed the process (segfault in Shiboken::Object::destroy).
"""

import atexit
import sys

import shiboken6
from PySide6.QtCore import QCoreApplication, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_MS = 30_000

# Linux (KDE Klipper, GNOME and wlroots clipboard managers honour it).
SECRET_HINT = "x-kde-passwordManagerHint"


def _windows_format(name: str) -> str:
    # Qt's way of naming a raw Windows clipboard format.
    return f'application/x-qt-windows-mime;value="{name}"'


def secret_mime(text: str, platform: str = sys.platform) -> QMimeData:
    """The text with the hints each platform's clipboard history looks for."""
    mime = QMimeData()
    mime.setText(text)
    if platform == "win32":
        # Windows: no clipboard monitors, no clipboard history (Win+V), no cloud sync.
        mime.setData(_windows_format("ExcludeClipboardContentFromMonitorProcessing"), b"\x01\x00\x00\x00")
        mime.setData(_windows_format("CanIncludeInClipboardHistory"), b"\x00\x00\x00\x00")
        mime.setData(_windows_format("CanUploadToCloudClipboard"), b"\x00\x00\x00\x00")
    elif platform == "darwin":
        # nspasteboard.org's concealed type; Qt offers it under this name without a custom
        # converter, so it is best effort (as in KeePassXC before its MacPasteboard class).
        mime.setData("application/x-nspasteboard-concealed-type", text.encode("utf-8"))
    else:
        mime.setData(SECRET_HINT, b"secret")
    return mime


class SecretClipboard(QObject):
    """One per workspace. `copy()` puts text on the clipboard; it goes again after
    `clear_after_ms` (tests pass a short time) or at `clear_if_ours()`."""

    cleared = Signal()

    def __init__(self, clear_after_ms: int = CLEAR_AFTER_MS, clipboard: QClipboard | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.clear_after_ms = clear_after_ms
        self._clipboard = clipboard or QGuiApplication.clipboard()
        self._copied: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_ours)

    @property
    def holding(self) -> bool:
        return self._copied is not None

    def copy(self, text: str) -> None:
        mime = secret_mime(text)
        self._clipboard.setMimeData(mime, QClipboard.Mode.Clipboard)
        _remember(self._clipboard, mime)
        self._copied = text
        self._timer.start(self.clear_after_ms)

    def clear_if_ours(self) -> None:
        self._timer.stop()
        if self._copied is None:
            return
        still_ours = self._clipboard.text(QClipboard.Mode.Clipboard) == self._copied
        self._copied = None
        if still_ours:
            self._clipboard.clear(QClipboard.Mode.Clipboard)
            self.cleared.emit()


# The clipboard and the QMimeData we last put on it (at most one: setting new data deletes
# the old). Only object identity is kept here, not the text.
_last: tuple[QClipboard, QMimeData] | None = None
_hooked = False


def _remember(clipboard: QClipboard, mime: QMimeData) -> None:
    global _last, _hooked
    _last = (clipboard, mime)
    if not _hooked:
        _hooked = True
        # atexit runs before the interpreter is torn down, and after PySide6's own hook was
        # registered, so before it (atexit is last in, first out): the QApplication is alive.
        atexit.register(clear_at_exit)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(clear_at_exit)


def clear_at_exit() -> None:
    """Clear the clipboard if it still holds the data Confide last put there; called when the
    application quits and again at interpreter exit (the second call does nothing)."""
    global _last
    if _last is None:
        return
    clipboard, mime = _last
    _last = None
    if not (shiboken6.isValid(clipboard) and shiboken6.isValid(mime)):
        return  # replaced since (Qt deleted our data) or the application is gone
    if clipboard.mimeData(QClipboard.Mode.Clipboard) is mime:
        clipboard.clear(QClipboard.Mode.Clipboard)

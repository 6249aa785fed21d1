"""The inactivity timer: fires once after the timeout; keyboard and mouse input restart it.

Time is a hand-run clock (ManualTimer), so a busy machine cannot make typing look idle."""

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit

from ui.inactivity import InactivityTimer


def test_fires_after_the_timeout(qtbot):
    timer = InactivityTimer()
    timer.set_timeout(30)
    timer.activate()
    with qtbot.waitSignal(timer.inactivityDetected, timeout=2000):
        pass
    timer.deactivate()


class ManualTimer(QObject):
    """A single-shot QTimer stand-in whose clock moves only when the test calls advance()."""

    timeout = Signal()

    def __init__(self):
        super().__init__()
        self.now = self._interval = 0
        self.deadline = None

    def setSingleShot(self, _single):
        pass

    def setInterval(self, msecs):
        self._interval = msecs

    def interval(self):
        return self._interval

    def start(self):
        self.deadline = self.now + self._interval

    def stop(self):
        self.deadline = None

    def advance(self, msecs):
        self.now += msecs
        if self.deadline is not None and self.now >= self.deadline:
            self.deadline = None
            self.timeout.emit()


def test_typing_keeps_it_from_firing(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.activateWindow()
    qtbot.waitActive(edit)
    clock = ManualTimer()
    timer = InactivityTimer(timer=clock)
    fired = []
    timer.inactivityDetected.connect(lambda: fired.append(True))
    timer.set_timeout(400)
    timer.activate()
    # A key every 40 ms for 800 ms, twice the 400 ms timeout: never idle.
    for _ in range(20):
        clock.advance(40)
        qtbot.keyClick(edit.windowHandle(), "a")    # as the platform sends it: to the window
    assert fired == [] and edit.text() == "a" * 20
    clock.advance(399)
    assert fired == []
    clock.advance(1)  # 400 ms after the last key
    assert fired == [True]
    timer.deactivate()


def test_without_input_it_fires_at_the_timeout_exactly(qtbot):
    """Control for the test above: the same clock with no typing fires at 400 ms."""
    clock = ManualTimer()
    timer = InactivityTimer(timer=clock)
    fired = []
    timer.inactivityDetected.connect(lambda: fired.append(True))
    timer.set_timeout(400)
    timer.activate()
    clock.advance(399)
    assert fired == []
    clock.advance(1)
    assert fired == [True]
    timer.deactivate()


def test_deactivated_timer_stays_quiet_and_stops_filtering(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    clock = ManualTimer()
    timer = InactivityTimer(timer=clock)
    fired = []
    timer.inactivityDetected.connect(lambda: fired.append(True))
    timer.set_timeout(20)
    timer.activate()
    timer.deactivate()
    assert not timer.active and clock.deadline is None
    qtbot.keyClick(edit.windowHandle(), "a")  # input no longer restarts it
    assert clock.deadline is None
    clock.advance(10_000)
    assert fired == []

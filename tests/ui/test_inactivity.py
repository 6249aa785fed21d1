"""The inactivity timer: fires once after the timeout; keyboard and mouse input restart it."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit

from ui.inactivity import InactivityTimer


def test_fires_after_the_timeout(qtbot):
    timer = InactivityTimer()
    timer.set_timeout(30)
    timer.activate()
    with qtbot.waitSignal(timer.inactivityDetected, timeout=2000):
        pass
    timer.deactivate()


def test_typing_keeps_it_from_firing(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    timer = InactivityTimer()
    fired = []
    timer.inactivityDetected.connect(lambda: fired.append(True))
    timer.set_timeout(400)
    timer.activate()
    keys = QTimer()
    typed = []

    def type_one():
        qtbot.keyClick(edit, "a")
        typed.append(True)

    keys.timeout.connect(type_one)
    keys.start(40)
    # Typing every 40 ms for well over the 400 ms timeout: never idle.
    qtbot.waitUntil(lambda: len(typed) >= 20, timeout=5000)
    keys.stop()
    assert fired == []
    qtbot.waitUntil(lambda: fired == [True], timeout=2000)
    timer.deactivate()


def test_deactivated_timer_stays_quiet_and_stops_filtering(qtbot):
    timer = InactivityTimer()
    fired = []
    timer.inactivityDetected.connect(lambda: fired.append(True))
    timer.set_timeout(20)
    timer.activate()
    timer.deactivate()
    assert not timer.active
    with qtbot.assertNotEmitted(timer.inactivityDetected, wait=100):
        pass
    assert fired == []

"""The self-test's window check opens a real Qt window in a separate process, and a Qt that
cannot start (here: a platform plugin that does not exist) is a FAIL line, not a crash."""

from ui.selftest_display import check_display


def test_a_window_opens_offscreen(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    check = check_display()
    assert check.ok, check.detail
    assert "offscreen" in check.detail


def test_a_qt_that_cannot_start_is_a_failed_check(monkeypatch, capfd):
    monkeypatch.setenv("QT_QPA_PLATFORM", "no-such-platform")
    check = check_display()
    assert not check.ok
    assert "no-such-platform" in check.detail and "exit code" in check.detail
    # Qt's own alarming lines are not printed before the self-test's: they are quoted in its line.
    out, err = capfd.readouterr()
    assert "This application failed to start" not in out + err and "qt.qpa" not in out + err
    assert "Qt said:" in check.detail and "no-such-platform" in check.detail.split("Qt said:")[1]

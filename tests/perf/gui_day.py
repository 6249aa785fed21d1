"""Does the window ever freeze? An event-loop lag probe in the GUI thread during a scripted
day on the benchmark vault (tests.perf.scale_bench's cached demo).

The probe is a 10 ms timer on the GUI thread: each time it fires late, the lateness is how
long the window could not repaint or take a key. The day, through the real main window
(offscreen): unlock through the unlock screen, Home, every section once, the case with the
most notes opened, a search typed a key at a time, ten notes saved through the worker as
the note dialog saves them, a consent recorded as its dialog records it, the dashboard and
reports pages, the review of the benchmark's access request (2,000 items), a sync that brings
1,000 changes from a laptop, the laptop's check-in, and a lock. Targets: no stall over 100 ms;
99th percentile under 30 ms. The worst stalls are printed with the step they happened in,
which is where to look next.

The team (set up before the day, timed apart and not probed): the day's copy of the vault is
the office computer of a team on a folder hub in the temp folder, and a laptop (a second data
folder) has checked out TAKE cases, as tests/perf/checkout_bench.py does. So the office's
window syncs all day as it would (on unlock, after saves, when the hub changes). Before the
sync step the laptop, another computer, writes 1,000 notes on its cases and syncs them with the
probe paused; the step is the office's Sync button and what the hub's watcher starts. The
check-in is the laptop's own window (its "Check in everything" on This laptop) in a process of
its own, as another computer would be, unlocked before the step: the check-in waits for the
office's window to apply the laptop's work, so both windows are probed through it (the
laptop's ticks join the day's as a step of their own).

Usage: nice .venv/bin/python -m tests.perf.gui_day [--cases 50000] [--seed 1] [--profile]
       [--figures FILE]

Prints a Markdown table; --figures writes the table's rows for README.md
(tests/perf/readme_figures.py), as `make bench` asks.
"""

import argparse
import cProfile
import faulthandler
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QObject, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.security import kdf  # noqa: E402
from app.security.device import KeyFileStore  # noqa: E402
from app.services.casework import notes  # noqa: E402
from app.services.consent import records as consent  # noqa: E402
from app.services.team import membership  # noqa: E402
from app.services.team.laptop import checkout  # noqa: E402
from app.services.vault import unlock as vault_service  # noqa: E402
from tests.perf.scale_bench import PASSPHRASE, build_dataset  # noqa: E402
from ui.application import apply_look  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.manager import SARS  # noqa: E402
from ui.operations import Operations  # noqa: E402
from ui.team import laptop_view  # noqa: E402
from ui.team.pages import LAPTOP  # noqa: E402

TICK_MS = 10
STALL_MS, P99_MS = 100, 30
TAKE, CHANGES = 50, 1000
SYNC_STEP = "sync bringing 1,000 changes"
CHECKIN_STEP, LAPTOP_STEP = "check-in (office window)", "check-in (the laptop's window)"


class LagProbe(QObject):
    """Lateness of a 10 ms timer on the GUI thread, by step. With `profile`, a cProfile of the
    GUI thread per step (where a stall's time went; it slows the day down)."""

    def __init__(self, profile: bool = False, dump=None):
        super().__init__()
        # With `dump` (an open file), every thread's Python stack is written to it each time
        # the GUI thread goes STALL_MS without a tick (faulthandler's own thread writes it,
        # without Python's lock): what the worker was in while the window stood still.
        self.dump = dump
        self._step = "start"
        self.profiles: dict[str, cProfile.Profile] | None = {} if profile else None
        # (lateness ms, step, CPU ms the GUI thread spent since the previous tick): a stall
        # with little CPU was the thread waiting (a lock, the disk, a loaded machine), not working.
        self.lags: list[tuple[float, str, float]] = []
        self.clock = QElapsedTimer()
        self._cpu = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    @property
    def step(self) -> str:
        return self._step

    @step.setter
    def step(self, name: str) -> None:
        if self.profiles is not None:
            if self._step in self.profiles:
                self.profiles[self._step].disable()
            self.profiles.setdefault(name, cProfile.Profile()).enable()
        self._step = name

    def stop(self) -> None:
        self.timer.stop()
        if self.dump is not None:
            faulthandler.cancel_dump_traceback_later()
        if self.profiles is not None and self._step in self.profiles:
            self.profiles[self._step].disable()

    def print_profiles(self, steps, out) -> None:
        for step in steps:
            if self.profiles and step in self.profiles:
                print(f"--- GUI thread during: {step}", file=out)
                stats = pstats.Stats(self.profiles[step], stream=out)
                stats.sort_stats("cumulative").print_stats(r"/(app|ui)/", 70)

    def start(self) -> None:
        self.clock.start()
        self._cpu = time.thread_time()
        self.timer.start()

    def pause(self) -> None:
        """Another computer's work (the laptop's) is done on this thread while paused: not counted."""
        self.timer.stop()
        if self.profiles is not None and self._step in self.profiles:
            self.profiles[self._step].disable()

    def resume(self) -> None:
        if self.profiles is not None and self._step in self.profiles:
            self.profiles[self._step].enable()
        self.start()

    def _tick(self) -> None:
        elapsed = self.clock.restart()
        cpu, self._cpu = self._cpu, time.thread_time()
        self.lags.append((max(0, elapsed - TICK_MS), self.step, (self._cpu - cpu) * 1000))
        if self.dump is not None:
            if elapsed - TICK_MS > STALL_MS:
                print(f"=== the stacks above: a stall of {elapsed - TICK_MS} ms in '{self.step}'",
                      file=self.dump, flush=True)
            faulthandler.dump_traceback_later(STALL_MS / 1000, repeat=True, file=self.dump)


def wait(app, ms: int) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)


def until(app, ops, seconds: float = 120) -> None:
    """Run the event loop until the worker is idle (a task and its callbacks done)."""
    end = time.monotonic() + seconds
    wait(app, 30)
    while ops.busy and time.monotonic() < end:
        wait(app, 10)


def day(app, window, ops, probe, source: Path, team: "Team") -> None:
    case_id = team.busiest
    probe.step = "unlock"
    window.unlock_view.username.setText("manager")
    window.unlock_view.passphrase.setText(PASSPHRASE)
    window.unlock_view.unlock()
    until(app, ops)
    session, workspace = window.session, window.workspace
    if workspace is None:
        raise SystemExit(f"gui_day: the unlock did not open the workspace: "
                         f"{window.unlock_view.error.text() if hasattr(window.unlock_view, 'error') else ''}")
    wait(app, 500)
    until(app, ops)
    for name in list(workspace.pages):
        probe.step = f"page {name}"
        workspace.show_page(name)
        until(app, ops)
        wait(app, 200)
    probe.step = "open the busiest case"
    records = workspace.pages.get("Records")
    if records is not None:
        workspace.show_page("Records")
        records.open_case(case_id)
        until(app, ops)
        wait(app, 300)
    search = workspace.pages.get("Search")
    if search is not None:
        probe.step = "search as you type"
        workspace.show_page("Search")
        search.focus_box()
        QTest.keyClicks(search.box, "annual review", delay=60)
        until(app, ops)
        wait(app, 500)
    probe.step = "save notes"
    for i in range(10):
        ops.run(lambda _p, i=i: notes.add_note(session, case_id, "phone_call", date(2026, 12, 7), 5,
                                               f"Day probe note {i}: called the family back."),
                changes=("notes",))
        until(app, ops)
        wait(app, 100)
    probe.step = "record a consent"
    client_id = session.conn.execute("SELECT client_id FROM casefile WHERE id = ?", (case_id,)).fetchone()[0]
    ops.run(lambda _p: consent.record_consent(session, case_id, client_id, "voicemail", "verbal_phone",
                                              today=date(2026, 12, 7)), changes={"consent"})
    until(app, ops)
    wait(app, 200)
    for name in ("Dashboard", "Reports"):
        if name in workspace.pages:
            probe.step = f"page {name} again"
            workspace.show_page(name)
            until(app, ops)
            wait(app, 300)
    sar_id = (source / "sar_id.txt").read_text().strip() if (source / "sar_id.txt").exists() else ""
    if sar_id and SARS in workspace.pages:
        probe.step = "SAR review (2,000 items)"
        sars = workspace.show_page(SARS)
        until(app, ops)
        sars.show_request(sar_id)
        sars.act("review")
        until(app, ops)
        wait(app, 500)
    sync_from_laptop(app, window, ops, probe, team)
    check_in_from_laptop(app, ops, probe, team)
    probe.step = "lock"
    window.lock("bench")
    until(app, ops)
    wait(app, 300)


class Team:
    """The office's team on a folder hub and a laptop with TAKE cases checked out, made before
    the day as tests/perf/checkout_bench.py makes them (timed apart, never probed)."""

    def __init__(self, root: Path, office_dir: Path, office_key: Path):
        self.root, self.times, self.pulled = root, {}, 0
        office = self._timed("office unlock (upgrades an older schema)", lambda: vault_service.unlock(
            office_dir, "manager", PASSPHRASE, office_key))
        # The busiest case stays in the office (a case out on a laptop is read-only there): the
        # day's notes and consent are on it. A scan of every note: over a second at 50,000 cases.
        self.busiest = office.conn.execute(
            "SELECT case_id FROM note GROUP BY case_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        hub = root / "hub"
        hub.mkdir()
        self._timed("team create", lambda: membership.create(office, str(hub), "Benchmark SENDIASS"))
        code = membership.invite(office, "Laptop 1", root / "laptop.invite", laptop=True)
        self.laptop_dir, self.laptop_key = root / "laptop", root / "laptop.key"
        laptop = self._timed("laptop join", lambda: membership.join(
            self.laptop_dir, root / "laptop.invite", code, "manager", PASSPHRASE, KeyFileStore(self.laptop_key)))
        refs = [r[0] for r in office.conn.execute(
            "SELECT c.reference FROM casefile c WHERE c.status = 'open' AND c.deleted_at IS NULL AND c.id != ? "
            "AND EXISTS (SELECT 1 FROM note n WHERE n.case_id = c.id) ORDER BY c.reference LIMIT ?",
            (self.busiest, TAKE))]

        def check_out():
            checkout.request(laptop, refs)
            membership.sync(laptop)
            membership.sync(office)
            membership.sync(laptop)
        self._timed(f"check-out of {len(refs)} cases", check_out)
        self.case_ids = [r[0] for r in laptop.conn.execute("SELECT id FROM casefile ORDER BY reference")]
        if len(self.case_ids) != len(refs):
            raise SystemExit(f"gui_day: {len(self.case_ids)} of {len(refs)} cases reached the laptop")
        office.lock("bench")
        self.laptop = laptop            # open until it has written the day's changes

    def _timed(self, name: str, fn):
        t, cpu = time.perf_counter(), time.process_time()
        value = fn()
        self.times[name] = (time.perf_counter() - t, time.process_time() - cpu)
        return value

    def write_changes(self) -> None:
        """The laptop, another computer: CHANGES notes on its cases, then its sync to the hub."""
        def write():
            for i in range(CHANGES):
                notes.add_note(self.laptop, self.case_ids[i % len(self.case_ids)], "meeting", date.today(), 45,
                               f"Laptop note {i}: visited the family at home and agreed the next steps.")
        self._timed(f"laptop writes {CHANGES:,} notes", write)
        self._timed("laptop syncs them to the hub", lambda: membership.sync(self.laptop))
        self.laptop.lock("bench")


def sync_from_laptop(app, window, ops, probe, team: Team) -> None:
    """The laptop's 1,000 notes written and pushed with the probe paused; then the office's
    window syncs them: its Sync button, and whatever its hub watcher starts."""
    item = window.sync_item
    if item is None:
        raise SystemExit("gui_day: the office window has no sync item (it is not in the team)")
    until(app, ops)
    probe.pause()
    team.write_changes()
    probe.resume()
    probe.step = SYNC_STEP
    results = []
    item.synced.connect(results.append)
    item.sync()
    end = time.monotonic() + 300
    while not any(r.pulled for r in results) and time.monotonic() < end:
        until(app, ops)
        wait(app, 20)
    until(app, ops)
    wait(app, 500)
    until(app, ops)
    probe.pause()
    arrived = []
    marks = ", ".join("?" for _ in team.case_ids)
    session = window.session
    ops.run(lambda _p: arrived.append(session.conn.execute(
        f"SELECT count(*) FROM note WHERE case_id IN ({marks}) AND body LIKE 'Laptop note %'",
        team.case_ids).fetchone()[0]))
    until(app, ops)
    probe.resume()
    if arrived != [CHANGES]:
        raise SystemExit(f"gui_day: the office's sync brought {arrived} of the laptop's {CHANGES:,} notes")
    team.pulled = sum(r.pulled for r in results)


def check_in_from_laptop(app, ops, probe, team: Team) -> None:
    """The laptop, another computer, in a process of its own (no share of this one's GIL): its
    window, unlocked with both probes paused, checks every case in from This laptop. The
    check-in ends only when the office's window has applied the laptop's work, so both windows
    are probed through it: the office's here, the laptop's in its process (its ticks join the
    day's under LAPTOP_STEP)."""
    lags_file = team.root / "laptop-lags.json"
    probe.pause()
    laptop = subprocess.Popen([sys.executable, "-m", "tests.perf.gui_day", "--laptop-check-in", str(team.root)],
                              cwd=Path(__file__).resolve().parents[2])
    while not (team.root / "laptop.ready").exists():
        if laptop.poll() is not None:
            raise SystemExit("gui_day: the laptop's window stopped before its check-in")
        wait(app, 50)
    until(app, ops)
    probe.resume()
    probe.step = CHECKIN_STEP
    (team.root / "laptop.go").touch()
    while laptop.poll() is None:
        wait(app, 20)
    until(app, ops)
    wait(app, 500)
    until(app, ops)
    if laptop.returncode != 0 or not lags_file.exists():
        raise SystemExit(f"gui_day: the laptop's check-in did not end (exit {laptop.returncode})")
    probe.lags += [(lag, LAPTOP_STEP, cpu) for lag, cpu in json.loads(lags_file.read_text())]


def laptop_check_in(root: Path) -> int:
    """The laptop's process (--laptop-check-in): its window, its probe, its check-in."""
    app = QApplication.instance() or QApplication([])
    apply_look(app)
    ops = Operations()
    window = MainWindow(root / "laptop", root / "laptop.key", ops)
    window.resize(1366, 768)
    window.show()
    window.unlock_view.username.setText("manager")
    window.unlock_view.passphrase.setText(PASSPHRASE)
    window.unlock_view.unlock()
    until(app, ops)
    wait(app, 300)
    until(app, ops)
    page = window.workspace.show_page(LAPTOP)
    until(app, ops)
    (root / "laptop.ready").touch()
    while not (root / "laptop.go").exists():
        wait(app, 20)
    probe = LagProbe()
    probe.start()
    laptop_view.messages.ask = lambda *_a, **_k: True      # the person presses "Check in"
    page.check_in()
    until(app, ops, 180)
    wait(app, 300)
    until(app, ops)
    probe.stop()
    done = page.status.text()
    window.lock("bench")
    until(app, ops)
    ops.shutdown()
    if not done.startswith("Checked in:") or page.rows:
        print(f"gui_day: the laptop's check-in did not end: {done or page.error.text()}", file=sys.stderr)
        return 1
    (root / "laptop-lags.json").write_text(json.dumps([(lag, cpu) for lag, _, cpu in probe.lags]))
    return 0


def figures(cases: int, p99: float, over: list[float], worst) -> list[dict]:
    """The two figures as rows for README.md's table (tests/perf/readme_figures.py: figure,
    target, measured, baseline, met); the worst stall is the baseline column's note."""
    where = f"worst stall {worst[0][0]:.0f} ms in {worst[0][1]}" if worst else "–"
    return [{"figure": f"event-loop lag, 99th percentile (GUI day, {cases:,} cases)", "target": f"< {P99_MS} ms",
             "measured": f"{p99:.0f} ms", "baseline": where, "met": "yes" if p99 < P99_MS else "NO"},
            {"figure": f"stalls over {STALL_MS} ms (GUI day, {cases:,} cases)", "target": "0",
             "measured": str(len(over)), "baseline": where, "met": "NO" if over else "yes"}]


def table(cases: int, ticks: int, seconds: float, rows: list[dict], worst) -> list[str]:
    """Markdown: the figures, then the worst stalls with the step each happened in."""
    lines = [f"| GUI day, {cases:,} cases ({ticks:,} probe ticks over {seconds:.0f} s) | figure | target | |",
             "|---|---:|---:|---|"]
    lines += [f"| {r['figure'].split(' (GUI day')[0]} | {r['measured']} | "
              f"{r['target']} | {'met' if r['met'] == 'yes' else 'MISSED'} |" for r in rows]
    lines += [f"| worst stall {i}: {step} | {lag:.0f} ms | < {STALL_MS} ms | GUI thread CPU {cpu:.0f} ms |"
              for i, (lag, step, cpu) in enumerate(worst, 1)]
    return lines


def by_step(lags) -> list[str]:
    """Per step: ticks, p99 and worst lateness, so the sync and the check-in are seen on their own."""
    steps: dict[str, list[float]] = {}
    for lag, step, _ in lags:
        steps.setdefault(step, []).append(lag)
    lines = []
    for step, values in steps.items():
        p99 = statistics.quantiles(values, n=100)[-1] if len(values) >= 2 else max(values)
        seconds = (sum(values) + TICK_MS * len(values)) / 1000
        lines.append(f"  {step:<40} {seconds:6.1f} s {len(values):6,} ticks  p99 {p99:5.0f} ms  worst {max(values):6.0f} ms  "
                     f"over {STALL_MS} ms: {sum(v > STALL_MS for v in values)}")
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", action="store_true",
                   help="profile the GUI thread by step; the worst steps' profiles, and the sync's and the "
                        "check-in's, go to standard error")
    p.add_argument("--stalls", action="store_true", help="also list every stall over 100 ms")
    p.add_argument("--figures", help="write the figures' rows for README.md here (JSON)")
    p.add_argument("--laptop-check-in", type=Path, help=argparse.SUPPRESS)   # the laptop's process
    p.add_argument("--dump", type=Path, metavar="FILE",
                   help="write every thread's Python stack to FILE during each stall over 100 ms")
    args = p.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)      # as the benchmark vault was made (scale_bench)
    if args.laptop_check_in:
        return laptop_check_in(args.laptop_check_in)
    source = build_dataset(args.cases, args.seed)
    app = QApplication.instance() or QApplication([])
    apply_look(app)
    with tempfile.TemporaryDirectory(prefix="confide-day-") as tmp:
        data_dir = Path(tmp) / "vault"
        shutil.copytree(source / "vault", data_dir)
        key = Path(tmp) / "device.key"
        shutil.copy(source / "device.key", key)
        team = Team(Path(tmp), data_dir, key)
        ops = Operations()
        window = MainWindow(data_dir, key, ops)
        window.resize(1366, 768)
        window.show()
        dump = args.dump.open("w") if args.dump else None
        probe = LagProbe(args.profile, dump)
        probe.start()
        started = time.perf_counter()
        try:
            day(app, window, ops, probe, source, team)
        finally:
            probe.stop()
            ops.shutdown()
            if dump is not None:
                dump.close()
        seconds = time.perf_counter() - started
    lags = [lag for lag, _, _ in probe.lags]
    p99 = statistics.quantiles(lags, n=100)[-1] if len(lags) >= 2 else 0.0
    worst = sorted(probe.lags, reverse=True)[:8]
    over = [lag for lag in lags if lag > STALL_MS]
    rows = figures(args.cases, p99, over, worst)
    ok = all(r["met"] == "yes" for r in rows)
    for line in table(args.cases, len(lags), seconds, rows, worst):
        print(line)
    print("\nBy step (the probe's lateness):")
    for line in by_step(probe.lags):
        print(line)
    print("\nSet-up and the laptop's part (not probed): " + "; ".join(
        f"{name} {wall:.1f} s (CPU {cpu:.1f} s)" for name, (wall, cpu) in team.times.items())
        + f"; the office's sync pulled {team.pulled} hub entries; load average {os.getloadavg()[0]:.1f}")
    if args.figures:
        Path(args.figures).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if args.stalls:
        print("\nEvery stall over 100 ms: lateness, GUI thread CPU, step")
        for lag, step, cpu in sorted((s for s in probe.lags if s[0] > STALL_MS), reverse=True):
            print(f"  {lag:6.0f} ms  {cpu:6.0f} ms  {step}")
    if args.profile:
        # The worst steps, and always the team's two (the sync and the check-in).
        steps = list(dict.fromkeys(step for _, step, _ in sorted(probe.lags, reverse=True)))[:6]
        steps += [step for step in (SYNC_STEP, CHECKIN_STEP) if step not in steps]   # the laptop's: its process
        probe.print_profiles(steps, sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

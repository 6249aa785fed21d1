"""The GUI day's two figures (tests/perf/gui_day.py) reach README.md's benchmark table: its
printed Markdown table is skipped by tests/perf/readme_figures.py (a line starting with `|`),
so the figures travel in the rows file `make bench` asks for with --figures."""

import json
import re
from pathlib import Path

from tests.perf import gui_day, readme_figures

ROOT = Path(__file__).resolve().parents[2]
WORST = [(640.0, "sync bringing 1,000 changes", 610.0), (150.0, "check-in (laptop window)", 20.0)]


def _written(folder: Path, rows: list[dict]) -> None:
    printed = "\n".join(gui_day.table(50000, 4000, 60, rows, WORST))
    (folder / "gui_day.txt").write_text(printed, encoding="utf-8")
    (folder / "gui_day.figures.json").write_text(json.dumps(rows), encoding="utf-8")


def test_a_day_with_stalls_reaches_the_table_as_two_missed_figures(tmp_path):
    _written(tmp_path, gui_day.figures(50000, 42.4, [640.0, 150.0], WORST))
    table = readme_figures.section(readme_figures.collect(tmp_path, ["gui_day"]),
                                   readme_figures.datetime(2026, 12, 7, tzinfo=readme_figures.UTC))
    rows = [line for line in table.splitlines() if "(GUI day, 50,000 cases) |" in line]
    assert rows == [
        "| event-loop lag, 99th percentile (GUI day, 50,000 cases) | < 30 ms | 42 ms | "
        "worst stall 640 ms in sync bringing 1,000 changes | NO |",
        "| stalls over 100 ms (GUI day, 50,000 cases) | 0 | 2 | worst stall 640 ms in sync bringing 1,000 changes | NO |"]
    assert "2 figures, 2 missed." in table


def test_a_quiet_day_is_met_and_the_printed_table_alone_gives_no_row(tmp_path):
    rows = gui_day.figures(50000, 12.0, [], [(60.0, "unlock", 55.0)])
    assert [r["met"] for r in readme_figures.rows_of("gui_day", "", json.dumps(rows))] == ["yes", "yes"]
    # Without the rows file the day's figures never reached the README (the printed table is
    # Markdown, which the README's writer leaves to the folded full output).
    printed = "\n".join(gui_day.table(50000, 4000, 60, rows, [(60.0, "unlock", 55.0)]))
    assert readme_figures.rows_of("gui_day", printed, None) == []
    assert "not in the day" not in printed


def test_make_bench_asks_gui_day_for_its_rows_file():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(line for line in makefile.splitlines() if "run_bench,gui_day," in line)
    assert re.search(r"--figures \$\(BENCH_OUT\)/gui_day\.figures\.json,gui_day\)", line)

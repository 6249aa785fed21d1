"""Write the latest benchmark figures into README.md, between its two bench markers, so the
README's figures are always the ones `make bench` last printed (never typed by hand).

`make bench` saves each benchmark's output in .bench/out/<name>.txt; this script turns them
into one table (figure, target, measured, plain SQLite or the limit, met?), then the cost curve,
then every benchmark's full output, folded. A benchmark may also leave <name>.figures.json
(a list of rows with those five keys: tests/perf/cost_curve.py does); otherwise its rows are
read from its printed lines, tolerantly: any line that names a target is a row, and a line
that cannot be read is still in the full output, never lost.

A benchmark run at several sizes is named <name>-<cases>; only the largest size's lines go in
the table (the cost curve carries the others)."""

import json
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = "<!-- bench:start (written by make bench: tests/perf/readme_figures.py) -->"
END = "<!-- bench:end -->"
CURVE = "cost_curve"
# Their figures reach the table through the cost curve's rows; their own lines stay in the
# full output.
THROUGH_CURVE = ("scale_bench", "checkout_bench")

UNITS = r"(?:ms|s|min|MB|MiB|GB|KB|%|×|x)"
NUMBER = r"\d[\d,]*(?:\.\d+)?"
MEASURE = re.compile(rf"(?<![\w/.])({NUMBER})\s*({UNITS})(?![\w/])")
PERCENTILE = re.compile(rf"\bp(95|99)\s+({NUMBER})\s*({UNITS})(?![\w/])")
TARGET = re.compile(r"\btargets?\b\s*(?:p\d\d\s*)?(.*?)(?:\)|;|\s{2,}|$|\s+(?:OK|MISSED|met|NOT met)\b|:\s)",
                    re.IGNORECASE)
LIMIT = re.compile(rf"(<=|>=|<|>|≤|≥)?\s*({NUMBER})\s*({UNITS})?")
SECONDS = {"ms": 0.001, "s": 1.0, "min": 60.0}


PERFORMANCE_DOC = "[docs/performance.md](docs/performance.md), \"Missed figures\""


def machine() -> str:
    cores = os.cpu_count() or 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        mem = 0
    return f"{platform.system()} {platform.machine()}, {cores} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _same_scale(value: float, unit: str, want_unit: str) -> float | None:
    """`value` in `want_unit`, when the two units measure the same thing."""
    if unit == want_unit:
        return value
    if unit in SECONDS and want_unit in SECONDS:
        return value * SECONDS[unit] / SECONDS[want_unit]
    return None


def _label(line: str, first_measure: int) -> str:
    head = line[:first_measure]
    colon = head.find(":")
    label = (head[:colon] if colon >= 0 else head).strip(" :-,")
    found = re.match(r"\[([^\]]+)\]\s*(.*)", label)
    if found:
        label = f"{found.group(2)} ({found.group(1)})"
    return label


def parse_line(line: str) -> dict | None:
    """One table row from a printed line that names a target, or None."""
    text = line.strip()
    if not text or text.startswith(("|", "{", "[{", "#", "```")) or not re.search(r"\btargets?\b", text, re.I):
        return None
    if len(re.findall(r"\btargets?\b", text, re.I)) > 1:
        return None  # a summary of several figures: each is expected on a line of its own
    target_at = re.search(r"\btargets?\b", text, re.I).start()
    before = text[:target_at]
    # What the target is about: "p95 < 3 s" is read from the p95, otherwise every measure.
    percentiles = list(PERCENTILE.finditer(before))
    measures = ([(m.start(), m.group(2), m.group(3)) for m in percentiles[:1]] or
                [(m.start(), m.group(1), m.group(2)) for m in MEASURE.finditer(before)])
    if not measures:  # a bare ratio, "hub bytes / data bytes: 1.12 (target <= 1.5)"
        bare = list(re.finditer(rf"(?<![\w/.,])({NUMBER})(?![\w/.,])", before.split(":", 1)[-1]))
        offset = before.find(":") + 1
        measures = [(offset + m.start(), m.group(1), "") for m in bare[-1:]]
    found_target = TARGET.search(text, target_at)
    target = found_target.group(1).strip(" ,:(") if found_target else ""
    if not measures or not target:
        return None
    limits = [m for m in LIMIT.finditer(target) if m.group(2)]
    used, checks, last_unit = [], [], None
    for limit in limits:
        op, bound = limit.group(1) or "<", _number(limit.group(2))
        unit = limit.group(3) or last_unit or measures[0][2]
        last_unit = unit
        for _, shown, measured_unit in measures:
            value = _same_scale(_number(shown), measured_unit, unit)
            if value is not None:
                used.append(f"{shown} {measured_unit}")
                checks.append({"<": value < bound, "<=": value <= bound, "≤": value <= bound,
                               ">": value > bound, ">=": value >= bound, "≥": value >= bound}[op])
                break
    said = re.search(r"\b(MISSED|NOT met|OK|met)\b", text[target_at:])
    if not used and not said:
        return None  # a setting beside what it aims at ("Calibrated: 64 MiB ... target 0.7 s"), not a figure
    used = [u.strip() for u in used] or [f"{measures[0][1]} {measures[0][2]}".strip()]
    if re.search(r"\b(MISSED|NOT met)\b", text[target_at:], re.I):
        met = "NO"
    elif re.search(r"\b(OK|met)\b", text[target_at:]):
        met = "yes"
    elif checks and len(checks) == len(limits):
        met = "yes" if all(checks) else "NO"
    else:
        met = "?"
    return {"figure": _label(text, measures[0][0]), "target": target, "measured": ", ".join(dict.fromkeys(used)),
            "baseline": "–", "met": met}


def rows_of(name: str, text: str, figures_json: str | None) -> list[dict]:
    if figures_json is not None:
        try:
            rows = json.loads(figures_json)
            return [{k: str(r.get(k, "–")) for k in ("figure", "target", "measured", "baseline", "met")} for r in rows]
        except (ValueError, AttributeError, TypeError):
            pass
    if name.split("-")[0] in THROUGH_CURVE:
        return []
    return [row for row in map(parse_line, text.splitlines()) if row]


def _largest_sizes(names: list[str]) -> set[str]:
    """For names like team_bench-10000 and team_bench-50000, the largest of each."""
    best: dict[str, tuple[int, str]] = {}
    for name in names:
        base, _, size = name.rpartition("-")
        if base and size.isdigit() and int(size) >= best.get(base, (-1, ""))[0]:
            best[base] = (int(size), name)
    plain = {n for n in names if not (n.rpartition("-")[0] and n.rpartition("-")[2].isdigit())}
    return plain | {name for _, name in best.values()}


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def section(outputs: list[tuple[str, str, str | None]], when: datetime) -> str:
    """`outputs`: (name, printed text, figures JSON or None), in the order to show them."""
    table_from = _largest_sizes([name for name, _, _ in outputs])
    parts = [START, f"Latest `make bench`: {when:%d/%m/%Y %H:%M} UTC on {machine()}.", "",
             "| figure | target | measured | plain SQLite / limit | met? |", "|---|---|---|---|---|"]
    rows = []
    for name, text, figures in outputs:
        if name in table_from:
            rows += rows_of(name, text, figures)
    parts += [f"| {_cell(r['figure'])} | {_cell(r['target'])} | {_cell(r['measured'])} | {_cell(r['baseline'])} | "
              f"{_cell(r['met'])} |" for r in rows]
    if not rows:
        parts.append("| (no figure with a target was printed) | | | | |")
    missed = sum(1 for r in rows if r["met"].startswith("NO"))
    parts += ["", f"{len(rows)} figures, {missed} missed. A wall-clock figure moves with the machine's load; "
              "ratios against plain SQLite (or the limit) are measured in the same run.", ""]
    if missed:
        parts += [f"Where the time of each missed figure goes, and the next step: {PERFORMANCE_DOC}.", ""]
    for name, text, _ in outputs:
        if name == CURVE:
            parts += ["**Cost curve**", "", text.strip(), ""]
    parts += ["<details><summary>Every benchmark's full output</summary>", ""]
    for name, text, _ in outputs:
        if name != CURVE:
            parts += [f"**{name}**", "", "```", text.strip().replace("```", "'''"), "```", ""]
    parts += ["</details>", END]
    return "\n".join(parts)


def replace_section(readme: str, new: str) -> str:
    """May raise: ValueError when the README has no markers (they must be added by hand once)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError("README.md has no bench markers; add the two marker lines where the figures go.")
    return readme[:start] + new + readme[end + len(END):]


def collect(folder: Path, names: list[str]) -> list[tuple[str, str, str | None]]:
    outputs = []
    for name in names:
        text_file, figures_file = folder / f"{name}.txt", folder / f"{name}.figures.json"
        if text_file.exists():
            figures = figures_file.read_text(encoding="utf-8") if figures_file.exists() else None
            outputs.append((name, text_file.read_text(encoding="utf-8", errors="replace"), figures))
    return outputs


def main(argv: list[str]) -> int:
    outputs = collect(ROOT / ".bench" / "out", argv)
    if not outputs:
        print("readme_figures: no benchmark output in .bench/out; run make bench", file=sys.stderr)
        return 1
    readme = ROOT / "README.md"
    text = replace_section(readme.read_text(encoding="utf-8"), section(outputs, datetime.now(UTC)))
    readme.write_text(text, encoding="utf-8")
    print(f"README.md: figures from {', '.join(n for n, _, _ in outputs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

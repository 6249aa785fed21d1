"""The cost curve: how each figure grows from one dataset size to the next, beside its target at
200,000 cases and beside plain SQLite (or the figure's limit) where the benchmark measures one.

Reads what `make bench` left in .bench/ for each size (scale_bench's scale-<N>.json,
team_bench's team-<N>.json, checkout_bench's checkout-<N>.json) and prints one Markdown table.
Where 200,000 was not measured (it is opt-in: `make bench BENCH_LARGE=1`), the value there is
projected from the two largest sizes measured (a power law through them) and marked so.
Also writes .bench/out/cost_curve.figures.json: the figures at the largest size, for the README.

    python -m tests.perf.cost_curve 10000 50000 [200000]
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".bench"
LARGE = 200_000


class Figure:
    """One row: where its value is in each size's output, its unit, and its limits."""

    def __init__(self, label, source, value, unit, target=None, plain=None, ratio_target=None, note=""):
        self.label, self.source, self.value, self.unit = label, source, value, unit
        self.target, self.plain, self.ratio_target, self.note = target, plain, ratio_target, note


def _row(name, key):
    def get(data):
        for row in data.get("rows", []):
            if row["operation"].startswith(name):
                return row.get(key)
        return None
    return get


def _team(kind, key):
    def get(data):
        for result in data:
            if result.get("hub") == kind:
                return result.get(key)
        return None
    return get


def _backup_ratio(data):
    return _row("full backup", "ratio")(data)


FIGURES = [
    Figure("search, p95 of 20 queries", "scale", _row("search", "enc_p95"), "ms", 0.025, _row("search", "plain_p95")),
    Figure("case list, first page (p95)", "scale", _row("case list", "enc_p95"), "ms", None,
           _row("case list", "plain_p95")),
    Figure("open a case of 500 notes (p95)", "scale", _row("open case", "enc_p95"), "ms", None,
           _row("open case", "plain_p95")),
    Figure("save a note (p95)", "scale", _row("save a note", "enc_p95"), "ms", None, _row("save a note", "plain_p95"),
           ratio_target=1.2),
    Figure("dashboard (p95)", "scale", _row("dashboard", "enc_p95"), "ms", None, _row("dashboard", "plain_p95")),
    Figure("annual report, PDF written (p95)", "scale", _row("annual report", "enc_p95"), "s", 2.0,
           _row("annual report", "plain_p95")),
    Figure("SAR pack of 2,000 notes (p95)", "scale", _row("SAR pack", "enc_p95"), "s", None, _row("SAR pack", "plain_p95")),
    Figure("full backup / (copy + hash)", "scale", _backup_ratio, "x", 1.5, note="limit: copy + hash of the file"),
    Figure("new computer joins and is ready, folder hub", "team", _team("folder", "join_ready_s"), "s", 120.0),
    Figure("new computer joins and is ready, PostgreSQL", "team", _team("postgres", "join_ready_s"), "s", 120.0),
    # Not part of "ready": the window works meanwhile and search says what it has not indexed
    # yet (docs/sync.md §10); shown so the curve of a joiner's whole work is seen too.
    Figure("then its search index is built, folder hub", "team", _team("folder", "index_after_s"), "s",
           note="after ready"),
    Figure("check out 50 cases to a laptop", "checkout", lambda d: d.get("checkout_total_s"), "s", 5.0),
    Figure("check the 50 cases back in", "checkout", lambda d: d.get("checkin_total_s"), "s", 5.0),
    Figure("unlock at this size (Argon2id apart)", "scale", _row("unlock at this size", "enc_median"), "s"),
    Figure("peak RSS, dataset open", "scale", lambda d: d.get("peak_rss_mb"), "MB", 400.0),
]


def load(size: int) -> dict:
    found = {}
    for source, name in (("scale", f"scale-{size}.json"), ("team", f"team-{size}.json"),
                         ("checkout", f"checkout-{size}.json")):
        path = OUT / name
        if path.exists():
            found[source] = json.loads(path.read_text())
    return found


def fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:.0f} {unit}"


def limit_text(fig: Figure) -> str:
    if fig.target is None:
        return f"≤ ×{fig.ratio_target} plain" if fig.ratio_target else "–"
    return f"< {fig.target:.1f}×" if fig.unit == "x" else f"< {fmt(fig.target, fig.unit)}"


def project(points: list[tuple[int, float]]) -> float | None:
    """The value at LARGE through a power law fitted to the two largest sizes measured. A figure
    that fell between them (noise, or a cache warming) is held flat, never projected to shrink."""
    usable = [(n, v) for n, v in points if v and v > 0]
    if len(usable) < 2:
        return None
    (n1, v1), (n2, v2) = usable[-2:]
    exponent = max(0.0, math.log(v2 / v1) / math.log(n2 / n1))
    return v2 * (LARGE / n2) ** exponent


def curve(sizes: list[int]) -> tuple[str, list[dict]]:
    data = {n: load(n) for n in sizes}
    sizes = [n for n in sizes if data[n]]
    head = "| figure | " + " | ".join(f"{n:,} cases" for n in sizes) + \
        " | growth | at 200,000 | target at 200,000 | met? |"
    lines = [head, "|" + "---|" * (len(sizes) + 5)]
    figures = []
    for fig in FIGURES:
        points = []
        cells = []
        for n in sizes:
            got = data[n].get(fig.source)
            value = fig.value(got) if got is not None else None
            plain = fig.plain(got) if (fig.plain and got is not None) else None
            if value is not None:
                points.append((n, value))
            cell = fmt(value, fig.unit)
            if plain is not None and value is not None:
                cell += f" (plain {fmt(plain, fig.unit)}, ×{value / plain:.2f})" if plain else ""
            cells.append(cell)
        if not points:
            continue
        growth = "–"
        if len(points) >= 2 and points[0][1]:
            growth = f"×{points[-1][1] / points[0][1]:.2f} for ×{points[-1][0] / points[0][0]:g} cases"
        measured_large = dict(points).get(LARGE)
        at_large = measured_large if measured_large is not None else project(points)
        large_text = fmt(at_large, fig.unit) + ("" if measured_large is not None or at_large is None else " (projected)")
        met = "–"
        if fig.target is not None and at_large is not None:
            met = ("yes" if at_large < fig.target else "NO") + ("" if measured_large is not None else " (projected)")
        lines.append(f"| {fig.label} | " + " | ".join(cells) + f" | {growth} | {large_text} | {limit_text(fig)} | {met} |")
        last_n, last_v = points[-1]
        last = data[last_n][fig.source]
        plain = fig.plain(last) if fig.plain else None
        baseline = fig.note or (f"plain SQLite {fmt(plain, fig.unit)}" if plain is not None else "–")
        checks, measured = [], fmt(last_v, fig.unit)
        if fig.target is not None and at_large is not None:
            checks.append(at_large < fig.target)
            if measured_large is None:
                measured += f"; {fmt(at_large, fig.unit)} projected at 200,000"
        if fig.ratio_target is not None and plain:
            checks.append(last_v / plain <= fig.ratio_target)
            baseline += f" (×{last_v / plain:.2f}; target ≤ ×{fig.ratio_target})"
        verdict = "–" if not checks else ("yes" if all(checks) else "NO")
        if checks and fig.target is not None and measured_large is None:
            verdict += " (projected)"
        figures.append({"figure": f"{fig.label}, {last_n:,} cases", "measured": measured,
                        "target": limit_text(fig) + (" at 200,000" if fig.target is not None else ""),
                        "baseline": baseline,
                        "met": verdict})
    return "\n".join(lines) + "\n", figures


def main(argv: list[str]) -> int:
    sizes = sorted({int(a.replace(",", "").replace("_", "")) for a in argv}) or [10_000, 50_000]
    table, figures = curve(sizes)
    if not figures:
        print("cost_curve: no benchmark output in .bench/ for sizes " + ", ".join(map(str, sizes)), file=sys.stderr)
        return 1
    print(f"Cost curve over {', '.join(f'{n:,}' for n in sizes)} cases (p95 unless said; plain SQLite in brackets)")
    print()
    print(table)
    (OUT / "out").mkdir(parents=True, exist_ok=True)
    (OUT / "out" / "cost_curve.figures.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The documents-at-scale comparison (tests/perf/documents_scale.py): the round-2 figures with
the documents beside the same figures without them, judged on CPU time and the backup's own
ratio, in rows README.md takes as they are."""

import json

from tests.perf import documents_scale, readme_figures


def _result(documents, search_cpu, report_cpu, backup_ratio):
    def op(name, cpu, p95):
        return {"operation": name, "enc_cpu_median": cpu, "enc_p95": p95, "ratio": 1.0}
    return {"cases": 50000, "db_mb": 1436 + documents // 1000, "counts": {"document": documents}, "rows": [
        op("search (20 queries)", search_cpu, search_cpu * 3),
        op("annual report (PDF written)", report_cpu, report_cpu * 2),
        {"operation": "full backup (limit: copy + hash of the file)", "enc_cpu_median": 5.0, "enc_p95": 6.0,
         "ratio": backup_ratio}]}


def test_a_figure_that_grew_more_than_allowed_is_missed_and_one_that_kept_is_met():
    rows = documents_scale.compare(_result(484, 0.020, 1.0, 1.70), _result(100484, 0.030, 1.1, 1.75))
    by_figure = {r["label"]: r for r in rows}
    assert set(by_figure) == {"search, p95 of 20 queries", "annual report, PDF written",
                              "full backup, CPU per MB of database"}   # no SAR pack row was measured
    assert by_figure["search, p95 of 20 queries"]["met"] == "NO"
    assert round(by_figure["search, p95 of 20 queries"]["growth"], 2) == 1.5
    assert by_figure["annual report, PDF written"]["met"] == "yes"
    # The same CPU for a larger file: cheaper per MB, whatever its wall-clock ratio did.
    backup = by_figure["full backup, CPU per MB of database"]
    assert backup["met"] == "yes" and backup["growth"] < 1
    assert "×1.75 copy + hash) with 100,484 documents" in backup["measured"]
    assert by_figure["search, p95 of 20 queries"]["baseline"] == "p95 60.0 ms, CPU median 20.0 ms without"


def test_the_rows_reach_the_readme_table_through_the_figures_file():
    rows = documents_scale.compare(_result(484, 0.020, 1.0, 1.70), _result(100484, 0.021, 1.0, 1.70))
    figures = json.dumps([{k: r[k] for k in ("figure", "target", "measured", "baseline", "met")} for r in rows])
    table = readme_figures.rows_of("documents_scale", "", figures)
    assert [r["met"] for r in table] == ["yes", "yes", "yes"]
    assert table[0]["target"] == "≤ ×1.2 of without (CPU)"

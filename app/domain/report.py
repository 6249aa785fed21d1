"""A period report as data: tables of counts, the cells that print the same number, and the
suppression of small numbers decided for the whole report at once (app.domain.suppression).
Types only: the counting that fills them is in app.services.reports."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.domain.periods import Period
from app.domain.suppression import FEWER, LIMIT, WITHHELD, Relation, suppress

SMALL_NUMBER_LIMIT = LIMIT
SUPPRESSED = FEWER
SUPPRESSION_NOTE = (f"To protect families' privacy, counts from 1 to {LIMIT - 1} are shown as \u201c{FEWER}\u201d, "
                    f"and a larger figure is shown as \u201c{WITHHELD}\u201d where it would let a hidden count "
                    "be worked out from a total.")


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]  # first cell a label, then counts (int) or hours (Decimal)
    chart: str | None = None  # "bar" or None
    note: str = ""
    names_people: bool = False  # labels are staff names: replaced by "Worker 1.." outside the service
    total_last: bool = False  # the last row is the sum of the others, column by column
    sum_column: int | None = None  # this column is the sum of the other count columns, row by row
    text: bool = False  # cells are words (a register), wrapped when printed; nothing to suppress
    # Cells are whole-number percentages of another table's counts, row for row: (that table's
    # key, its column that is the whole, its part columns in this table's column order). A
    # percentage is hidden wherever its part or its whole is (Report.protect).
    percent_of: tuple[str, int, tuple[int, ...]] | None = None
    # (row, column) -> FEWER or WITHHELD when published; decided for the whole report by
    # Report.protect(), or for this table alone if it never was (never shown unprotected).
    withheld: dict | None = None

    def total(self, column: int = 1):
        """The sum of the rows (without the total row itself)."""
        rows = self.rows[:-1] if self.total_last else self.rows
        return sum(r[column] for r in rows)

    def own_relations(self) -> list[Relation]:
        out = []
        if self.sum_column is not None:
            parts = [c for c in range(1, len(self.columns)) if c != self.sum_column]
            out += [Relation(tuple((self.key, i, c) for c in parts), (self.key, i, self.sum_column))
                    for i in range(len(self.rows))]
        if not self.total_last or len(self.rows) < 2:
            return out
        last = len(self.rows) - 1
        return out + [Relation(tuple((self.key, i, c) for i in range(last)), (self.key, last, c))
                      for c in range(1, len(self.columns)) if _is_count(self.rows[last][c])]

    def shown_rows(self, exact: bool) -> list[list]:
        if self.percent_of is not None and self.withheld is None and not exact:
            # Its counts were never protected with the report's: nothing is safe to show.
            self.withheld = {(i, c): WITHHELD for i, r in enumerate(self.rows) for c in range(1, len(r))
                             if r[c] != NO_ANSWERS}
        if self.withheld is None and not exact:
            values = {(self.key, i, c): v for i, r in enumerate(self.rows) for c, v in enumerate(r[1:], start=1)
                      if _is_count(v)}
            self.withheld = {(i, c): label for (_k, i, c), label in suppress(values, self.own_relations()).items()}
        rows = [[r[0], *((v if exact else self.withheld.get((i, c), v)) for c, v in enumerate(r[1:], start=1))]
                for i, r in enumerate(self.rows)]
        if self.names_people and not exact:
            last = len(rows) - 1
            rows = [r if self.total_last and i == last else [f"Worker {i + 1}", *r[1:]] for i, r in enumerate(rows)]
        return rows


@dataclass
class Report:
    period: Period
    service_name: str
    generated_on: date
    tables: list[Table] = field(default_factory=list)
    links: list[tuple[tuple, tuple]] = field(default_factory=list)  # cells that print the same number

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def cell(self, key: str, label: str, column: int = 1) -> tuple:
        table = self.table(key)
        return key, next(i for i, r in enumerate(table.rows) if r[0] == label), column

    def same(self, first: tuple, second: tuple) -> None:
        """Record that two cells publish the same number (a total printed in two tables)."""
        self.links.append((first, second))

    def value(self, cell: tuple):
        key, row, column = cell
        return self.table(key).rows[row][column]

    def relations(self) -> list[Relation]:
        out = [rel for t in self.tables for rel in t.own_relations()]
        out += [Relation((a,), b) for a, b in self.links]
        return out

    def protect(self) -> None:
        """Decide which cells are hidden in the published version (every table at once)."""
        values = {(t.key, i, c): v for t in self.tables for i, r in enumerate(t.rows)
                  for c, v in enumerate(r[1:], start=1) if _is_count(v)}
        hidden = suppress(values, self.relations())
        for t in self.tables:
            t.withheld = {(i, c): label for (key, i, c), label in hidden.items() if key == t.key}
        for t in self.tables:
            if t.percent_of is not None:
                source, whole, parts = t.percent_of
                t.withheld = {(i, c): WITHHELD for i in range(len(t.rows)) for c, part in enumerate(parts, start=1)
                              if (source, i, whole) in hidden or (source, i, part) in hidden}

    def to_json(self, exact: bool = False) -> dict:
        return {
            "service": self.service_name,
            "period": {"label": self.period.label, "from": self.period.start.isoformat(),
                       "to": self.period.end.isoformat()},
            "generated_on": self.generated_on.isoformat(),
            "small_numbers_suppressed": not exact,
            "tables": [{"key": t.key, "title": t.title, "columns": t.columns,
                        "rows": [[_json_value(v) for v in r] for r in t.shown_rows(exact)],
                        "total_last": t.total_last, "sum_column": t.sum_column, "text": t.text,
                        "percent_of": t.percent_of[0] if t.percent_of else None, "note": t.note}
                       for t in self.tables],
        }


NO_ANSWERS = "\u2013"     # a percentage of nothing


def percentage(part: int, whole: int) -> str:
    """A whole-number percentage, halves rounded up (7 of 12: "58%"), or a dash for no answers."""
    if not whole:
        return NO_ANSWERS
    return f"{(Decimal(100 * part) / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _json_value(value):
    return float(value) if isinstance(value, Decimal) else value

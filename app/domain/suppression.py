"""Small-number suppression that subtraction cannot undo.

A count from 1 to 4 leaves the service as "fewer than 5" (primary suppression). That alone is
undone by arithmetic: all contacts 48, self-referral 44, so professional referrals = 4. So the
report also lists its additive relations (a total equals the sum of its rows; the same total
printed in two tables is one number), and while any withheld figure can be pinned to a single
value from the published ones, the next smallest figure in a relation that pins it is withheld
too (complementary suppression, shown as "withheld").

The reasoning an outsider can do is interval arithmetic over the relations: a "fewer than 5"
cell lies in 1..4 (zero is published as 0), a "withheld" cell is at least 5 (every smaller
non-zero count is already "fewer than 5"), a published cell is itself.
"""

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

LIMIT = 5
FEWER = "fewer than 5"
WITHHELD = "withheld"
_UNBOUNDED = 10**12

Cell = Hashable  # (table key, row index, column index) in the report


@dataclass(frozen=True)
class Relation:
    """whole == sum(parts)."""

    parts: tuple[Cell, ...]
    whole: Cell


def _bounds(values: dict, primary: set, withheld: set) -> dict:
    out = {}
    for cell, value in values.items():
        if cell in primary:
            out[cell] = (1, LIMIT - 1)
        elif cell in withheld:
            out[cell] = (LIMIT, _UNBOUNDED)
        else:
            out[cell] = (value, value)
    return out


def derivable(values: dict, primary: set, withheld: set, relations: list[Relation]) -> set:
    """The hidden cells an outsider can pin to one value by propagating bounds to a fixed point."""
    bounds = _bounds(values, primary, withheld)
    # Each relation's part sums are kept up to date as its cells tighten, so a pass over a
    # relation of k parts costs k, not k*k (a report over many years has relations of hundreds).
    counts = [Counter(rel.parts) for rel in relations]
    changed = True
    while changed:
        changed = False
        for rel, count in zip(relations, counts, strict=True):
            sum_lo = sum(bounds[p][0] for p in rel.parts)
            sum_hi = sum(bounds[p][1] for p in rel.parts)
            for target in [*rel.parts, rel.whole]:
                lo, hi = bounds[target]
                if target == rel.whole:
                    new_lo, new_hi = sum_lo, sum_hi
                else:
                    n = count[target]  # the other parts: every part but this cell
                    new_lo = bounds[rel.whole][0] - (sum_hi - n * hi)
                    new_hi = bounds[rel.whole][1] - (sum_lo - n * lo)
                tightened = (max(lo, new_lo), min(hi, new_hi))
                if tightened != (lo, hi) and tightened[0] <= tightened[1]:
                    bounds[target] = tightened
                    changed = True
                    n = count.get(target, 0)
                    sum_lo += n * (tightened[0] - lo)
                    sum_hi += n * (tightened[1] - hi)
    return {c for c in primary | withheld if bounds[c][0] == bounds[c][1]}


def suppress(values: dict, relations: list[Relation]) -> dict:
    """{cell: FEWER or WITHHELD} for every cell that must not be published.

    `values` holds every count of the report that takes part in suppression (ints); relations
    name cells of it. Cells outside every relation get primary suppression only, which is
    enough for them: nothing else refers to them."""
    primary = {c for c, v in values.items() if 0 < v < LIMIT}
    withheld: set = set()
    while True:
        exposed = derivable(values, primary, withheld, relations)
        if not exposed:
            break
        candidate = None
        for rel in relations:
            cells = [*rel.parts, rel.whole]
            if not exposed.intersection(cells):
                continue
            for cell in cells:
                if cell in primary or cell in withheld or values[cell] == 0:
                    continue
                # Prefer a row to a total: a total is usually printed elsewhere as well.
                rank = (cell == rel.whole, values[cell])
                if candidate is None or rank < candidate[0]:
                    candidate = (rank, cell)
        if candidate is None:
            break  # every cell of the exposing relations is hidden already; nothing more to do
        withheld.add(candidate[1])
    return {**{c: FEWER for c in primary}, **{c: WITHHELD for c in withheld}}

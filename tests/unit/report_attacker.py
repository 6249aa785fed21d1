"""An outsider with the published report (its JSON) and a pencil: tries to work out every
hidden figure from the published ones. Written independently of app.domain.suppression: it
reads only the published rows, and reasons by enumerating every assignment of the hidden cells
of each additive relation (a total row and its rows; the same total printed in two tables),
keeping only values some consistent assignment uses, until nothing changes.

What it knows: "fewer than 5" is 1 to 4 (zero is published as 0); any other hidden figure is
at least 5 (every smaller count is already "fewer than 5")."""

import itertools

FEWER = "fewer than 5"
MAX_COMBINATIONS = 3_000_000


def _cells(published: dict) -> dict:
    return {(t["key"], i, c): v for t in published["tables"] for i, row in enumerate(t["rows"])
            for c, v in enumerate(row[1:], start=1)}


def relations(published: dict, links: list[tuple[tuple, tuple]] = ()) -> list[tuple[list, tuple]]:
    """(parts, whole) for every total row, every total label printed in two tables, and the
    extra `links` (key, row label, column) the reader sees from column headings."""
    out, totals = [], {}
    for t in published["tables"]:
        if t.get("sum_column"):     # a column headed "All" or "Answered": the sum of the others, row by row
            whole = t["sum_column"]
            out += [([(t["key"], i, c) for c in range(1, len(t["columns"])) if c != whole], (t["key"], i, whole))
                    for i in range(len(t["rows"]))]
        if not t.get("total_last"):
            continue
        last = len(t["rows"]) - 1
        label = t["rows"][last][0]
        for c in range(1, len(t["columns"])):
            if all(isinstance(r[c], int | str) for r in t["rows"]):
                out.append(([(t["key"], i, c) for i in range(last)], (t["key"], last, c)))
        totals.setdefault(label, []).append((t["key"], last, 1))
    for same in totals.values():
        out += [([a], b) for a, b in itertools.pairwise(same)]
    index = {t["key"]: t for t in published["tables"]}

    def locate(key, label, column):
        return key, next(i for i, r in enumerate(index[key]["rows"]) if r[0] == label), column

    out += [([locate(*a)], locate(*b)) for a, b in links]
    return out


def attack(published: dict, links=()) -> dict:
    """{cell: value} for every hidden cell that can be pinned to one value."""
    cells = _cells(published)
    numbers = [v for v in cells.values() if isinstance(v, int)]
    cap = 2 * max(numbers, default=0) + 10
    domains = {c: ({v} if isinstance(v, int) else set(range(1, 5)) if v == FEWER else set(range(5, cap + 1)))
               for c, v in cells.items() if isinstance(v, int | str)}
    rels = [(p, w) for p, w in relations(published, links) if all(c in domains for c in [*p, w])]
    changed = True
    while changed:
        changed = False
        for parts, whole in rels:
            unknown = [c for c in parts if len(domains[c]) > 1]
            if not unknown and len(domains[whole]) == 1:
                continue
            size = 1
            for c in unknown:
                size *= len(domains[c])
            if size > MAX_COMBINATIONS:
                continue
            fixed = sum(next(iter(domains[c])) for c in parts if len(domains[c]) == 1)
            seen = {c: set() for c in [*unknown, whole]}
            for combo in itertools.product(*(sorted(domains[c]) for c in unknown)):
                total = fixed + sum(combo)
                if total in domains[whole]:
                    for c, v in zip(unknown, combo, strict=True):
                        seen[c].add(v)
                    seen[whole].add(total)
            for c, values in seen.items():
                if values and values != domains[c]:
                    domains[c] = domains[c] & values
                    changed = True
    return {c: next(iter(d)) for c, d in domains.items() if isinstance(cells[c], str) and len(d) == 1}


def naive(published: dict, exact: dict) -> dict:
    """The same report with only primary suppression: every "withheld" cell shown exactly."""
    out = {**published, "tables": []}
    for t, e in zip(published["tables"], exact["tables"], strict=True):
        rows = [[*(ev if pv != FEWER and isinstance(pv, str) and i > 0 else pv for i, (pv, ev) in
                   enumerate(zip(pr, er, strict=True)))] for pr, er in zip(t["rows"], e["rows"], strict=True)]
        out["tables"].append({**t, "rows": rows})
    return out

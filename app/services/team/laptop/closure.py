"""What a checked-out case needs, and nothing else: the one definition of a laptop's rows.

`case_closure` is used by the office computer that builds a check-out package, by the laptop
when it decides what to keep at check-in, and by the test that compares a laptop's rows with
what its cases need. `keep_remote` decides which later hub changes a laptop applies. Both
follow the schema's foreign keys (schema.py), so a casework table added later is covered.
"""

import json
from dataclasses import dataclass, field

from app.services.team.laptop.schema import FILED_ON_PERSON, PEOPLE, ROOT, casework
from app.storage.capture import BULK, columns, image_sql


def id_column(conn, table: str) -> str:
    return casework(conn).id_column[table]


def _rows(conn, sql: str, values) -> list[tuple]:
    values = sorted({v for v in values if v is not None})
    found: list[tuple] = []
    for i in range(0, len(values), 400):
        chunk = values[i:i + 400]
        found += conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk).fetchall()
    return found


def case_closure(conn, case_ids, schema: str = "main") -> dict[str, set[str]]:
    """The ids of every row the given cases need, per table: the cases; what hangs off them,
    off the people they are about, and off every row taken (schema.py); and every row a taken
    row names, so that the laptop's foreign keys hold. `schema`: "snap" reads an attached
    snapshot (replica.rebase_on_snapshot)."""
    cw = casework(conn)
    out: dict[str, set[str]] = {t: set() for t in cw.tables}
    s = _schema(schema)
    cases = {r[0] for r in _rows(conn, f"SELECT id FROM {s}{ROOT} WHERE id IN ({{marks}})", case_ids)}
    core: set[str] = set()
    frontier: dict[str, set[str]] = {ROOT: set(cases)}
    out[ROOT] |= cases
    found: dict[str, set[str]] = {}

    def take(table: str, ids) -> None:
        new = {i for i in ids if i is not None} - out[table]
        if new:
            out[table] |= new
            found.setdefault(table, set()).update(new)

    while frontier:
        found = {}
        for table, ids in frontier.items():
            col = cw.id_column[table]
            for edge in cw.needs[table]:       # what the rows name must be here too
                if edge.column == col:
                    continue
                take(edge.parent, (r[0] for r in _rows(
                    conn, f"SELECT {edge.column} FROM {s}{table} WHERE {col} IN ({{marks}})", ids)))
            if table == ROOT:
                for c in cw.core_columns:
                    core |= {r[0] for r in _rows(conn, f"SELECT {c} FROM {s}{ROOT} WHERE id IN ({{marks}})",
                                                 ids & cases)}
            parents = ids & cases if table == ROOT else ids & core if table == PEOPLE else ids
            edges = [_Hang(e.table, e.column, frozenset(parents)) for e in cw.hangs.get(table, ())] if parents else []
            if table == PEOPLE and parents:
                edges += _filed_on(conn, cw, s, parents, cases)
            for edge in edges:
                child_col, refs = cw.id_column[edge.table], cw.case_refs[edge.table]
                picked = ", ".join((child_col,) + refs)
                for row in _rows(conn, f"SELECT {picked} FROM {s}{edge.table} WHERE {edge.column} "
                                       "IN ({marks})", edge.among):
                    # A row that names another case belongs to that case.
                    if all(v is None or v in cases for v in row[1:]):
                        take(edge.table, [row[0]])
        frontier = found
    return out


@dataclass(frozen=True)
class _Hang:
    table: str
    column: str
    among: frozenset[str]       # the parent rows it hangs off


def _filed_on(conn, cw, s: str, people: set[str], cases: set[str]) -> list[_Hang]:
    """Records filed on the people the cases are about (schema.FILED_ON_PERSON), less those
    of a young person whose own case is not among them: the firewall (docs/rules.md, R4)
    keeps those with the own case's worker, and a laptop without that case could not tell."""
    open_people = frozenset(people - _walled(conn, s, people, cases))
    return [_Hang(table, column, open_people) for table, column in FILED_ON_PERSON.items()
            if table in cw.id_column and table not in cw.office_only and open_people]


def _walled(conn, s: str, people: set[str], cases: set[str]) -> set[str]:
    """Those of `people` who are the client of a young person's own case not among `cases`."""
    return {r[1] for r in _rows(conn, f"SELECT id, client_id FROM {s}{ROOT} WHERE own_case = 1 AND "
                                      "deleted_at IS NULL AND client_id IN ({marks})", people)
            if r[0] not in cases}


def filed_on_open(conn, people: set[str], case_ids: set[str]) -> set[str]:
    """Of `people`, those whose records filed on them go with these cases (read on a full
    replica): a person one of the cases is about, less the firewall's (as `_filed_on`)."""
    cw = casework(conn)
    about: set[str] = set()
    for column in cw.core_columns:
        about |= {r[0] for r in _rows(conn, f"SELECT {column} FROM {ROOT} WHERE id IN ({{marks}})", case_ids)}
    about &= set(people)
    return about - _walled(conn, "main.", about, set(case_ids))


def _schema(name: str) -> str:
    if name not in ("main", "snap"):
        raise ValueError(f"not a schema the closure reads: {name!r}")
    return f"{name}."


def rows_of_closure(conn, closure: dict[str, set[str]], schema: str = "main") -> dict[str, list[dict]]:
    """The rows themselves, as images (docs/sync.md §3), table by table in insertion order.
    From an attached snapshot ("snap"), only the columns it has (an older schema's)."""
    cw = casework(conn)
    s = _schema(schema)
    rows: dict[str, list[dict]] = {}
    for table in cw.tables:
        ids = closure.get(table) or set()
        if not ids:
            continue
        cols = columns(conn, table)
        if schema != "main":
            have = {r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")}
            cols = [c for c in cols if c in have]
        # A document's bytes are read as themselves, to travel raw (docs/sync.md §3).
        bulk = tuple(c for c in BULK.get(table, ()) if c in cols)
        sql = (f"SELECT {', '.join([image_sql(cols, table, bulk=bulk), *bulk])} FROM {s}{table} AS {table} "
               f"WHERE {cw.id_column[table]} IN ({{marks}})")
        found = []
        for text, *raw in _rows(conn, sql, ids):
            image = json.loads(text)
            image.update(zip(bulk, raw, strict=True))
            found.append(image)
        found.sort(key=lambda r: r.get("created_at") or "")   # a row it names first (a replaced consent)
        rows[table] = found
    return rows


def _held(conn, cw, table: str, record_id) -> bool:
    if record_id is None:
        return False
    col = cw.id_column[table]
    return conn.execute(f"SELECT 1 FROM {table} WHERE {col} = ?", (record_id,)).fetchone() is not None


def _core(conn, cw, person_id) -> bool:
    """A person one of the cases held here is about (their client or child)."""
    return person_id is not None and any(conn.execute(
        f"SELECT 1 FROM {ROOT} WHERE {c} = ?", (person_id,)).fetchone() for c in cw.core_columns)


@dataclass
class Selection:
    kept: list[dict] = field(default_factory=list)
    # Rows that hang off a case held here but name a record this laptop does not hold and the
    # bundle does not bring: (table, row id, case id or None).
    gaps: list[tuple[str, str, str | None]] = field(default_factory=list)


def keep_remote(conn, wires: list[dict]) -> Selection:
    """The changes of a hub bundle that a laptop applies: every change outside casework; a
    change to a casework row the laptop holds; a new row that hangs off a row it holds, with
    any row it names that the same bundle makes. Everything else belongs to cases that are not
    here, and is passed over by rule; a row that belongs here but cannot be written is a gap,
    reported, never passed over in silence."""
    cw = casework(conn)
    made = {(w["t"], w["k"][0]): w for w in wires
            if w["t"] in cw.id_column and len(w["k"]) >= 1 and w.get("b") is None and w.get("a") is not None}
    picked = Selection()
    arriving: set[tuple[str, str]] = set()
    emitted: set[int] = set()

    def here(table: str, value) -> bool:
        return value is not None and ((table, value) in arriving or _held(conn, cw, table, value))

    def belongs(table: str, after: dict) -> bool:
        for edge in cw.needs[table]:
            if edge not in cw.hangs.get(edge.parent, ()):
                continue
            value = after.get(edge.column)
            if edge.parent == PEOPLE:
                if _core(conn, cw, value):
                    return True
            elif here(edge.parent, value):
                return True
        return False

    def bring(table: str, after: dict, chain: list[dict], seen: set) -> bool:
        """Every row `after` names is here or made by this bundle (then added to `chain`)."""
        for edge in cw.needs[table]:
            value = after.get(edge.column)
            if value is None or here(edge.parent, value) or (edge.parent, value) in seen:
                continue
            other = made.get((edge.parent, value))
            if other is None or edge.parent in cw.office_only:
                return False
            seen.add((edge.parent, value))
            if not bring(edge.parent, other["a"], chain, seen):
                return False
            chain.append(other)
        return True

    for w in wires:
        table = w["t"]
        if table not in cw.id_column:
            picked.kept.append(w)
            continue
        if table in cw.office_only:
            continue
        col = cw.id_column[table]
        after, before = w.get("a"), w.get("b")
        ident = (after or before or {}).get(col)
        if ident is None or id(w) in emitted:
            continue
        if not here(table, ident):
            if after is None or not belongs(table, after):
                continue
            if any(after.get(c) is not None and not here(ROOT, after.get(c)) for c in cw.case_refs[table]):
                continue            # it belongs to another case as well: that case's
        if after is not None:
            chain: list[dict] = []
            if not bring(table, after, chain, {(table, ident)}):
                case = next((after.get(c) for c in cw.case_refs[table] if after.get(c)), None)
                picked.gaps.append((table, ident, case))
                continue
            for other in chain:
                picked.kept.append(other)
                emitted.add(id(other))
                arriving.add((other["t"], other["a"][cw.id_column[other["t"]]]))
            arriving.add((table, ident))
        picked.kept.append(w)
    return picked

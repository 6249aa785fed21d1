"""What a checked-out case needs, and nothing else: the one definition of a laptop's rows.

`case_closure` is used by the office computer that builds a check-out package, by the laptop
when it decides what to keep at check-in, and by the test that compares a laptop's rows with
what its cases need. `keep_remote` decides which later hub changes a laptop applies.
"""

from app.storage.capture import primary_key

# Tables that hold a family's records. A laptop holds their rows only inside its closure;
# every other replicated table (staff, organisations, the check-out register, policy)
# replicates to laptops in full. Listed in an order in which rows can be inserted.
CASEWORK = ("person", "relationship", "enquiry", "enquiry_topic", "casefile", "case_link",
            "consent", "consent_withdrawal", "disclosure", "override_review", "note",
            "note_revision", "action_item", "safeguarding_concern", "incident",
            "mailing_list_member", "paper_file", "paper_file_movement", "subject_access_request",
            "sar_decision", "sar_redaction", "sar_disclosure", "dp_complaint")

# The column that names a row in a closure: its id, or for the two tables keyed by their
# parent, the parent's id.
ID_COLUMN = {"enquiry_topic": "enquiry_id", "sar_decision": "sar_id"}


def id_column(table: str) -> str:
    return ID_COLUMN.get(table, "id")


# A row made elsewhere after check-out joins the laptop when the row it hangs from is here:
# (table, column, parent table). Person rows it references come with it (see keep_remote).
ANCHORS = {
    "note": ("case_id", "casefile"), "action_item": ("case_id", "casefile"),
    "disclosure": ("case_id", "casefile"), "safeguarding_concern": ("case_id", "casefile"),
    "incident": ("case_id", "casefile"), "note_revision": ("note_id", "note"),
    "consent": ("subject_id", "person"), "consent_withdrawal": ("consent_id", "consent"),
    "override_review": ("disclosure_id", "disclosure"), "enquiry_topic": ("enquiry_id", "enquiry"),
    "relationship": ("child_id", "person"),
}


def _ids(conn, sql: str, values) -> set[str]:
    values = [v for v in values if v is not None]
    groups = sql.count("{marks}")
    found: set[str] = set()
    for i in range(0, len(values), 400):
        chunk = values[i:i + 400]
        marks = ", ".join("?" for _ in chunk)
        found.update(r[0] for r in conn.execute(sql.format(marks=marks), chunk * groups) if r[0] is not None)
    return found


def case_closure(conn, case_ids) -> dict[str, set[str]]:
    """The ids of every row the given cases need, per table: the cases, their client and
    child, those people's relationships (and the other person in each), the enquiry that
    opened each case, consents about the case or its people (and any consent they replace),
    withdrawals, disclosures and their override reviews, notes and their revisions, actions,
    safeguarding concerns and incidents of the case, and every person those rows name."""
    cases = _ids(conn, "SELECT id FROM casefile WHERE id IN ({marks})", case_ids)
    out: dict[str, set[str]] = {t: set() for t in CASEWORK}
    out["casefile"] = cases
    core = _ids(conn, "SELECT client_id FROM casefile WHERE id IN ({marks}) UNION "
                      "SELECT child_id FROM casefile WHERE id IN ({marks})", cases) if cases else set()
    rel = _ids(conn, "SELECT id FROM relationship WHERE adult_id IN ({marks}) UNION "
                     "SELECT id FROM relationship WHERE child_id IN ({marks})", core) if core else set()
    out["relationship"] = rel
    people = set(core)
    people |= _ids(conn, "SELECT adult_id FROM relationship WHERE id IN ({marks}) UNION "
                         "SELECT child_id FROM relationship WHERE id IN ({marks})", rel)
    out["enquiry"] = _ids(conn, "SELECT enquiry_id FROM casefile WHERE id IN ({marks})", cases)
    out["enquiry_topic"] = set(out["enquiry"])      # named by their enquiry (ID_COLUMN)
    out["case_link"] = {i for i in _ids(conn, "SELECT id FROM case_link WHERE case_a IN ({marks})", cases)
                        if _ids(conn, "SELECT case_b FROM case_link WHERE id IN ({marks})", [i]) <= cases}
    consents = _ids(conn, "SELECT id FROM consent WHERE case_id IN ({marks})", cases)
    consents |= _ids(conn, "SELECT id FROM consent WHERE case_id IS NULL AND subject_id IN ({marks})", core)
    while True:    # a consent that replaces another needs the one it replaces (a short chain)
        more = _ids(conn, "SELECT replaces_id FROM consent WHERE id IN ({marks})", consents) - consents
        if not more:
            break
        consents |= more
    out["consent"] = consents
    out["consent_withdrawal"] = _ids(conn, "SELECT id FROM consent_withdrawal WHERE consent_id IN ({marks})",
                                     consents)
    out["disclosure"] = _ids(conn, "SELECT id FROM disclosure WHERE case_id IN ({marks})", cases)
    out["consent"] |= _ids(conn, "SELECT consent_id FROM disclosure WHERE id IN ({marks})", out["disclosure"])
    out["override_review"] = _ids(conn, "SELECT id FROM override_review WHERE disclosure_id IN ({marks})",
                                  out["disclosure"])
    out["note"] = _ids(conn, "SELECT id FROM note WHERE case_id IN ({marks})", cases)
    out["note_revision"] = _ids(conn, "SELECT id FROM note_revision WHERE note_id IN ({marks})", out["note"])
    for table in ("action_item", "safeguarding_concern", "incident"):
        out[table] = _ids(conn, f"SELECT id FROM {table} WHERE case_id IN ({{marks}})", cases)
    # Every person a kept row names must be here too (foreign keys, and the screens show them).
    for table, cols in (("enquiry", ("referrer_id", "caller_id", "child_id")),
                        ("consent", ("subject_id", "given_by_id", "counterparty_person_id")),
                        ("disclosure", ("counterparty_person_id",)), ("incident", ("person_id",))):
        for col in cols:
            people |= _ids(conn, f"SELECT {col} FROM {table} WHERE id IN ({{marks}})", out[table])
    out["person"] = people
    return out


def rows_of_closure(conn, closure: dict[str, set[str]]) -> dict[str, list[dict]]:
    """The rows themselves, as images (docs/sync.md §3), table by table in insertion order."""
    import json

    from app.storage.capture import columns, image_sql

    rows: dict[str, list[dict]] = {}
    for table in CASEWORK:
        ids = closure.get(table) or set()
        if not ids:
            continue
        sql = (f"SELECT {image_sql(columns(conn, table), table)} FROM {table} "
               f"WHERE {id_column(table)} IN ({{marks}})")
        found = []
        values = sorted(ids)
        for i in range(0, len(values), 400):
            chunk = values[i:i + 400]
            found += [json.loads(r[0]) for r in conn.execute(
                sql.format(marks=", ".join("?" for _ in chunk)), chunk)]
        if table == "consent":
            found.sort(key=lambda r: r.get("created_at") or "")   # replaced consents first
        rows[table] = found
    return rows


def _held(conn, table: str, record_id) -> bool:
    if record_id is None:
        return False
    pk = primary_key(conn, table)
    if pk != ["id"]:
        return False
    return conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is not None


_FKS: dict[str, list[tuple[str, str]]] = {}


def _casework_refs(conn, table: str) -> list[tuple[str, str]]:
    """(column, casework table) for each foreign key of `table` into casework."""
    if table not in _FKS:
        _FKS[table] = [(r[3], r[2]) for r in conn.execute(f"PRAGMA foreign_key_list({table})")
                       if r[2] in CASEWORK]
    return _FKS[table]


def keep_remote(conn, wires: list[dict]) -> list[dict]:
    """The changes of a hub bundle that a laptop applies: every change outside casework; a
    change to a casework row the laptop holds; a new row that hangs from a row it holds
    (a note on its case, a consent about its person), with any new person that row names
    from the same bundle. Everything else belongs to cases that are not here."""
    people_made = {w["k"][0]: w for w in wires
                   if w["t"] == "person" and w.get("b") is None and w.get("a") is not None}
    kept: list[dict] = []
    kept_people: set[str] = set()
    for w in wires:
        table = w["t"]
        if table not in CASEWORK:
            kept.append(w)
            continue
        key = w["k"][0] if len(w["k"]) == 1 else None
        after = w.get("a")
        held = _held(conn, table, key)
        if not held:
            anchor = ANCHORS.get(table)
            if after is None or anchor is None:
                continue
            col, parent = anchor
            if not (_held(conn, parent, after.get(col)) or
                    (parent == "person" and after.get(col) in kept_people)):
                continue
        if after is not None:
            # Every row it names must be here, or arrive with it (a new person in the same
            # bundle); a row naming one that is not here is left for the office.
            refs = [(after.get(col), parent) for col, parent in _casework_refs(conn, table)]
            bring = [v for v, parent in refs if v is not None and parent == "person"
                     and v in people_made and v not in kept_people and not _held(conn, "person", v)]
            if any(v is not None and v not in bring and v not in kept_people and not _held(conn, parent, v)
                   for v, parent in refs):
                continue
            for value in bring:
                kept.insert(0, people_made[value])
                kept_people.add(value)
        kept.append(w)
    return kept

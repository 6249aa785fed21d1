"""Which tables hold a family's records and how their rows hang together, read from the
schema's foreign keys (docs/sync.md §14), so that a table a later migration adds is covered
without anyone remembering to list it.

- *Casework* is every replicated table from which a chain of foreign keys reaches `person`
  (person itself included), plus the few tables below that name a family in their text
  alone. A laptop holds their rows only inside its cases' closure; every other replicated
  table reaches laptops in full, and must be named in SHARED (a test fails otherwise).
- A row *needs* every row its foreign keys name (the laptop's foreign keys must hold).
- A row *hangs off* a case when a foreign key of it names the case; off any other row it
  needs through a NOT NULL foreign key (a note's revision, an enquiry's correction, a
  consent's withdrawal); and off the people a case is about (the case's own NOT NULL person
  keys: its client and child) through a NOT NULL key (their relationships, the consents they
  gave or are about). Nothing hangs off a person merely named (a professional, a referrer).
- OFFICE_ONLY tables, and tables hanging only off them, never go to a laptop.
"""

import hashlib
from dataclasses import dataclass

from app.storage.capture import primary_key, replicated_tables

ROOT = "casefile"
PEOPLE = "person"

# Replicated in full to every computer: no family's records in them.
SHARED = frozenset({"staff", "staff_record", "staff_key", "organisation", "policy_review", "case_checkout",
                    "checkout_policy",
                    # docs/national.md: evaluations hold no case or person; the register and the
                    # inactivity period are the service's own
                    "service_evaluation", "minimum_standard", "national_policy",
                    # docs/lifecycle.md: the schedule, erasures (never whom they were about) and
                    # each computer's word that it carried one out; import references name no one
                    "retention_rule", "erasure", "erasure_done", "import_reference",
                    "letter_template",    # letter templates: the service's wording
                    "consent_wording"})  # the manager's versions of consent texts: a laptop captures consent

# A family's records with no foreign key to say so.
PERSONAL_WITHOUT_KEYS = frozenset({"dp_complaint"})    # the complainant is named in its text

# Casework a laptop never holds: what the role matrix gives the manager alone (a laptop is
# never a manager's computer, §14), and the paper register, kept where the paper is.
OFFICE_ONLY = frozenset({
    "case_link",                # R4: only the manager sees the link between two cases
    "mailing_list_member",      # the manager's list
    "subject_access_request",   # the manager's register (and what hangs off it)
    "dp_complaint",             # the manager's register
    "paper_file",               # the paper file register (R11), at the office
    "erasure_request",          # the manager's register of right-to-erasure requests
})


# Records filed on a person rather than on a case, through a nullable key (a document filed on
# the young person themself, docs/documents.md): they go to a laptop with a checked-out case
# about that person and leave with it, as if they hung off the person (closure._filed_on,
# which also applies the firewall). Later ones made at the office go in the laptop's package
# (office.add_filed_on): a laptop cannot tell whether the person has an own case it does not hold.
FILED_ON_PERSON = {"document": "person_id"}


@dataclass(frozen=True)
class Edge:
    table: str
    column: str
    parent: str
    required: bool      # NOT NULL


@dataclass(frozen=True)
class Casework:
    tables: tuple[str, ...]                 # creation order: parents before children
    office_only: frozenset[str]
    id_column: dict[str, str]               # the column that names a row in a closure
    needs: dict[str, tuple[Edge, ...]]      # every foreign key of a table into casework
    hangs: dict[str, tuple[Edge, ...]]      # by parent: the edges by which rows hang off it
    case_refs: dict[str, tuple[str, ...]]   # each table's columns that name a case
    core_columns: tuple[str, ...]           # the case's columns naming the people it is about

    def carried(self) -> tuple[str, ...]:
        """Casework tables a laptop may hold rows of."""
        return tuple(t for t in self.tables if t not in self.office_only)


_MEMO: dict[str, Casework] = {}


def casework(conn) -> Casework:
    """The casework tables and their edges, as this database's schema declares them."""
    text = "\n".join(r[0] or "" for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' ORDER BY name"))
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    found = _MEMO.get(fingerprint)
    if found is None:
        found = _MEMO[fingerprint] = _derive(conn)
    return found


def _foreign_keys(conn, table: str) -> list[Edge]:
    notnull = {r[1]: bool(r[3]) for r in conn.execute(f"PRAGMA table_info({table})")}
    return [Edge(table, r[3], r[2], notnull.get(r[3], False))
            for r in conn.execute(f"PRAGMA foreign_key_list({table})")]


def _derive(conn) -> Casework:
    tables = replicated_tables(conn)
    fks = {t: _foreign_keys(conn, t) for t in tables}
    family = {PEOPLE} | (PERSONAL_WITHOUT_KEYS & set(tables))
    grew = True
    while grew:
        grew = False
        for t in tables:
            if t not in family and t not in SHARED and any(e.parent in family for e in fks[t]):
                family.add(t)
                grew = True
    ordered = tuple(t for t in tables if t in family)
    needs = {t: tuple(e for e in fks[t] if e.parent in family) for t in ordered}
    office = set(OFFICE_ONLY & family)
    grew = True
    while grew:
        grew = False
        for t in ordered:
            required = [e for e in needs[t] if e.required and e.parent != PEOPLE]
            if t not in office and required and all(e.parent in office for e in required):
                office.add(t)
                grew = True
    hangs: dict[str, list[Edge]] = {}
    for t in ordered:
        if t in office or t == ROOT:
            continue
        for e in needs[t]:
            if e.parent == ROOT or e.required:
                hangs.setdefault(e.parent, []).append(e)
    id_column = {}
    for t in ordered:
        pk = primary_key(conn, t)
        if pk == ["id"]:
            id_column[t] = "id"
        else:   # keyed by its parent and a value (an enquiry's topics): named by the parent
            id_column[t] = next(e.column for e in needs[t] if e.column in pk)
    return Casework(
        ordered, frozenset(office), id_column, needs, {p: tuple(es) for p, es in hangs.items()},
        {t: tuple(e.column for e in needs[t] if e.parent == ROOT) for t in ordered},
        tuple(e.column for e in needs.get(ROOT, ()) if e.parent == PEOPLE and e.required))


def unclassified(conn) -> list[str]:
    """Replicated tables that are neither casework (by their keys or PERSONAL_WITHOUT_KEYS)
    nor declared SHARED: each must be one or the other before a laptop can be trusted."""
    work = set(casework(conn).tables)
    return [t for t in replicated_tables(conn) if t not in work and t not in SHARED]

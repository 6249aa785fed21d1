"""A Hypothesis state machine: random edits through the real services on random computers,
random sync orders, long offline periods; at the end everyone syncs (conflicts resolved at
random) and every replica must be identical. Used by test_property.py (few examples) and
tests/perf/sync_property.py (many)."""

import itertools
import json
from collections import defaultdict
from datetime import date

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.domain.periods import custom
from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput, as_input
from app.services.consent import records as consent
from app.services.reports import figures as reports
from app.services.team import conflicts
from app.services.team.capture import META
from app.services.team.sync import sync_now
from app.storage.db import transaction
from tests.team.conftest import Team
from tests.team.replica import rows_of, seed_case

FIRST = ["Ada", "Bryn", "Cerys", "Dylan", "Elin", "Ffion", "Gethin", "Hari"]
WORDS = ["review", "annual", "EHCP", "school", "transport", "tribunal", "SENCo", "plan"]
# Valid values for each field the machine edits.
PERSON_VALUES = {"first_name": ["Rhys", "Nia", "Osian"], "last_name": ["Jones", "Price", "Powell"],
                 "postcode": ["NE1 4AB", "NE2 9XY"], "phone_mobile": ["07700 900456", "07700 900789"],
                 "address": ["1 High Street", "2 Mill Lane"], "area": ["Ashby", "Coldharbour"]}
REPLICAS = 3


def _few(pick: int, ids: list) -> int:
    """Mostly one of the two oldest rows (UUIDv7 ids sort by age), so that computers meet."""
    return pick % min(len(ids), 2) if pick % 4 else pick % len(ids)


class SyncMachine(RuleBasedStateMachine):
    template_root = None
    root = None
    counter = itertools.count()

    def __init__(self):
        super().__init__()
        self.team = Team(self.root / f"m{next(self.counter)}", self._hub(), self.template_root)
        for i in range(REPLICAS):
            self.team.add(f"computer{i + 1}")
        # Records every computer already shares, so that concurrent edits meet often.
        shared_case = seed_case(self.s(0))
        notes.add_note(self.s(0), shared_case, "phone_call", "2026-01-05", 5, "shared start")
        for i in range(REPLICAS):
            sync_now(self.s(i), self.team.hub)
        # (table, id) -> field -> set of computers that wrote it; and every value written.
        self.writers = defaultdict(lambda: defaultdict(set))
        self.values = defaultdict(lambda: defaultdict(set))
        self.conflicts_seen = 0
        self.log = []

    @staticmethod
    def _hub():
        from tests.team.memory_hub import MemoryHub

        return MemoryHub()

    def s(self, i):
        return self.team.sessions[i]

    def _wrote(self, i, table, record_id, fields: dict):
        self.log.append((i, table, record_id[-6:], fields))
        for name, value in fields.items():
            self.writers[(table, record_id)][name].add(i)
            self.values[(table, record_id)][name].add(json.dumps(value))

    def _ids(self, i, sql):
        return [r[0] for r in self.s(i).conn.execute(sql)]

    # --- edits ---------------------------------------------------------------------------
    @rule(i=st.integers(0, REPLICAS - 1), first=st.sampled_from(FIRST))
    def create_person(self, i, first):
        p = people.create_person(self.s(i), PersonInput(kind="parent_carer", first_name=first, last_name="Price"))
        self._wrote(i, "person", p.id, {"first_name": first, "last_name": "Price"})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6), field=st.sampled_from(sorted(PERSON_VALUES)),
          which=st.integers(0, 2))
    def edit_person(self, i, pick, field, which):
        value = PERSON_VALUES[field][which % len(PERSON_VALUES[field])]
        ids = self._ids(i, "SELECT id FROM person WHERE deleted_at IS NULL AND kind = 'parent_carer' ORDER BY id")
        if not ids:
            return
        person = people.get_person(self.s(i), ids[_few(pick, ids)])
        data = as_input(person)
        setattr(data, field, value)
        people.update_person(self.s(i), person.id, data)
        self._wrote(i, "person", person.id, {field: value})

    @rule(i=st.integers(0, REPLICAS - 1))
    def open_case(self, i):
        case_id = seed_case(self.s(i))
        self._wrote(i, "casefile", case_id, {"level": "level_2"})    # open_case's default

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6),
          level=st.sampled_from(["level_1", "level_2", "level_3", "level_4"]))   # the network's levels
    def change_level(self, i, pick, level):
        ids = self._ids(i, "SELECT id FROM casefile WHERE deleted_at IS NULL ORDER BY id")
        if ids:
            case_id = ids[_few(pick, ids)]
            cases.update_case(self.s(i), case_id, level=level)
            self._wrote(i, "casefile", case_id, {"level": level})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6), words=st.lists(st.sampled_from(WORDS),
                                                                                    min_size=1, max_size=4))
    def add_note(self, i, pick, words):
        ids = self._ids(i, "SELECT id FROM casefile WHERE deleted_at IS NULL ORDER BY id")
        if ids:
            note = notes.add_note(self.s(i), ids[pick % len(ids)], "phone_call", "2026-01-05", 5, " ".join(words))
            self._wrote(i, "note", note.id, {"body": " ".join(words)})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6), words=st.lists(st.sampled_from(WORDS),
                                                                                    min_size=1, max_size=4))
    def edit_note(self, i, pick, words):
        ids = self._ids(i, "SELECT id FROM note WHERE deleted_at IS NULL ORDER BY id")
        if ids:
            note = notes.get_note(self.s(i), ids[_few(pick, ids)])
            notes.edit_note(self.s(i), note.id, note.note_type, note.occurred_on, note.minutes_spent, " ".join(words))
            self._wrote(i, "note", note.id, {"body": " ".join(words)})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6))
    def delete_note(self, i, pick):
        # No delete service exists yet (erasure is a later issue): a soft delete as it will write.
        ids = self._ids(i, "SELECT id FROM note WHERE deleted_at IS NULL ORDER BY id")
        if ids:
            note_id = ids[_few(pick, ids)]
            with transaction(self.s(i).conn):
                self.s(i).conn.execute("UPDATE note SET deleted_at = '2026-02-01T10:00:00+00:00', "
                                       "version = version + 1 WHERE id = ?", (note_id,))
            self._wrote(i, "note", note_id, {"deleted_at": "2026-02-01T10:00:00+00:00"})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6))
    def record_consent(self, i, pick):
        rows = self.s(i).conn.execute("SELECT id, client_id FROM casefile WHERE deleted_at IS NULL ORDER BY id"
                                      ).fetchall()
        if not rows:
            return
        case_id, client_id = rows[pick % len(rows)]
        pro = people.create_person(self.s(i), PersonInput(kind="professional", first_name="Sam",
                                                          last_name="Okafor", job_title="SENCo"))
        c = consent.record_consent(self.s(i), case_id, client_id, "share_with", "verbal_phone",
                                   counterparty_person_id=pro.id, today=date(2026, 1, 5))
        self._wrote(i, "consent", c.id, {"scope": "share_with"})

    @rule(i=st.integers(0, REPLICAS - 1), pick=st.integers(0, 10 ** 6))
    def withdraw_consent(self, i, pick):
        ids = self._ids(i, "SELECT c.id FROM consent c LEFT JOIN consent_withdrawal w ON w.consent_id = c.id "
                           "WHERE w.id IS NULL ORDER BY c.id")
        if ids:
            consent.withdraw_consent(self.s(i), ids[pick % len(ids)], "verbal_phone", today=date(2026, 1, 9))

    # --- sync ----------------------------------------------------------------------------
    @rule(i=st.integers(0, REPLICAS - 1), resolve=st.lists(st.sampled_from(["mine", "theirs", "edit"]),
                                                          min_size=4, max_size=4))
    def sync(self, i, resolve):
        result = sync_now(self.s(i), self.team.hub)
        assert result.refused == []
        self.log.append((i, "sync", result.pulled, result.pushed, result.conflicts))
        self._settle(i, resolve)

    def _settle(self, i, choices):
        for n, held in enumerate(conflicts.list_conflicts(self.s(i))):
            self.conflicts_seen += 1
            self._check_conflict_is_justified(i, held)
            take = choices[n % len(choices)]
            before = self._row(i, held.table, held.record_id)
            self.log.append((i, "resolve", held.table, held.record_id[-6:], held.kind, held.fields, take))
            if take == "edit" and held.kind == "edit":
                detail = conflicts.conflict_detail(self.s(i), held.id)
                edits = {f.field: ("edit", f.theirs) for f in detail.fields if f.conflicting}
                conflicts.resolve_conflict(self.s(i), held.id, choices=edits)
            else:
                conflicts.resolve_conflict(self.s(i), held.id, take="theirs" if take == "theirs" else "mine")
            # The resolution is this computer's write: of the conflict's fields, and of every
            # field it changed (a duplicate resolved as 'mine' copies our values over theirs).
            after = self._row(i, held.table, held.record_id)
            changed = {k for k in set(before or {}) | set(after or {})
                       if (before or {}).get(k) != (after or {}).get(k)} - META
            for name in set(held.fields) | changed:
                self.writers[(held.table, held.record_id)][name].add(i)
            self._record_final(i, held.table, held.record_id)

    def _row(self, i, table, record_id):
        row = self.s(i).conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return dict(row) if row is not None else None

    def _record_final(self, i, table, record_id):
        row = self.s(i).conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        if row is not None:
            for name in row.keys():
                self.values[(table, record_id)][name].add(json.dumps(row[name]))

    def _check_conflict_is_justified(self, i, held):
        """Conflicts arise only where two computers touched the same field (or delete vs edit)."""
        if held.kind == "duplicate":
            # The same unique record (a note's revision, a consent's withdrawal) made on two
            # computers: the conflict names the unique columns, and the rows differ in id.
            assert held.fields, held
            return
        touched = self.writers[(held.table, held.record_id)]
        if held.kind != "edit" or "deleted_at" in held.fields:
            assert len(set().union(*touched.values())) >= 2 if touched else False, held
            return
        assert any(len(touched.get(f, set())) >= 2 for f in held.fields), (held, dict(touched))

    # --- the end -------------------------------------------------------------------------
    def teardown(self):
        try:
            self._converge()
        finally:
            self.team.close()

    def _converge(self):
        for _round in range(6):
            busy = False
            for i in range(REPLICAS):
                result = sync_now(self.s(i), self.team.hub)
                assert result.refused == []
                if result.conflicts:
                    busy = True
                    self._settle(i, ["mine", "theirs"])
            if not busy:
                break
        for i in range(REPLICAS):
            sync_now(self.s(i), self.team.hub)
        first = rows_of(self.s(0))
        for i in range(1, REPLICAS):
            assert rows_of(self.s(i)) == first
        period = custom(date(2025, 1, 1), date(2027, 12, 31))
        figures = [reports.build_report(self.s(i), period, today=date(2026, 6, 1)).to_json(exact=True)
                   for i in range(REPLICAS)]
        assert figures[1:] == figures[:1] * (REPLICAS - 1)
        self._check_every_edit_survived(first)

    def _check_every_edit_survived(self, rows):
        """A field written by one computer only must hold its last value everywhere; any other
        field holds a value someone wrote (an edit, or a resolution)."""
        by_id = {(t, r["id"]): r for t, images in rows.items() for r in map(json.loads, images) if "id" in r}
        for (table, record_id), fields in self.writers.items():
            row = by_id.get((table, record_id))
            assert row is not None, (table, record_id)
            for name in fields:
                assert json.dumps(row.get(name)) in self.values[(table, record_id)][name], (
                    table, record_id, name, row.get(name), self.values[(table, record_id)][name],
                    dict(self.writers[(table, record_id)]), self.log)

    @invariant()
    def outbox_never_holds_rows_in_conflict(self):
        for i in range(REPLICAS):
            conn = self.s(i).conn
            clash = conn.execute("SELECT count(*) FROM sync_outbox o JOIN sync_conflict c ON c.tbl = o.tbl "
                                 "AND c.pk = o.pk AND c.resolved_at IS NULL WHERE o.in_flight = 1").fetchone()[0]
            assert clash == 0



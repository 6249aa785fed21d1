"""What the simulated people and faults do, one action per step, chosen by the seed."""

from datetime import date, datetime

from app import faults
from app.errors import ConfideError
from app.services.casework import cases as case_service
from app.services.casework import enquiries, notes, people
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.enquiry_corrections import EnquiryCorrection, correct_enquiry
from app.services.casework.people import PersonInput, as_input
from app.services.lifecycle import erase
from app.services.team import blocks, capture, compaction, conflicts, snapshot, state
from app.services.team.hub_care.repair import repair
from app.services.team.laptop import checkout
from app.services.team.replica_check import publish
from app.services.team.sync import sync_conn
from tests.team.sim.world import Marker

# Each office alone writes one free-text field of the shared people: its last value must
# survive everywhere, whatever conflicts others resolve. first_name is written by all.
OWNED_FIELDS = ("address", "area", "known_as", "contact_note", "school_name")
SHARED_FIELD = "first_name"
TOPICS = ("ehc_needs_assessment", "ehc_plan", "annual_review", "sen_support", "exclusion", "tribunal")
NAMES = ("Ada", "Bryn", "Cerys", "Dylan", "Elin", "Ffion", "Gethin", "Hari")


def _ids(c, sql, args=()):
    return [r[0] for r in c.conn.execute(sql, args)]


def _held_cases(c):
    return _ids(c, "SELECT id FROM casefile WHERE deleted_at IS NULL ORDER BY id")


def open_case(w, c):
    """A casework enquiry: the caller, the child, the enquiry, its topics and the case."""
    surname = w.pick(["Hartley", "Pryce", "Lowther", "Okafor", "Nash"])
    data = EnquiryInput(channel="phone", caller_role="parent_carer", enquiry_type="casework",
                        caller=PersonInput(kind="parent_carer", first_name=w.pick(NAMES), last_name=surname),
                        child=PersonInput(kind="child", first_name=w.pick(NAMES), last_name=surname,
                                          date_of_birth="2015-03-02"),
                        relationship="mother", parental_responsibility=True, topics=[w.pick(TOPICS)],
                        summary="Asked about the annual review.", statement_shared=True, statement_how="verbal")
    result = enquiries.record_enquiry(c.session, data)
    w.note(c.name, "open_case", result.case.id if result.case else None)


def add_marker(w, c):
    cases = _held_cases(c)
    if not cases:
        return
    case_id = w.pick(cases)
    text = w.unique("marker")
    note = notes.add_note(c.session, case_id, "phone_call", date(2026, 1, 6), 5, text)
    if case_id in w.erased:     # erased elsewhere, not yet known here: it goes when it is
        w.note(c.name, "marker on an erased case", text)
        return
    w.markers[text] = Marker(text, c.index, case_id, note.id, w.step)
    w.note(c.name, "marker", text)


def add_plain_note(w, c):
    """A note people go on editing (markers are never edited)."""
    cases = _held_cases(c)
    if cases:
        note = notes.add_note(c.session, w.pick(cases), "phone_call", date(2026, 1, 7), 10, w.unique("note"))
        w.note(c.name, "note", note.id[-6:])


def edit_note(w, c):
    """Half the time one of the three oldest notes this computer holds (the same text edited
    on two sides is a conflict someone resolves), otherwise any note."""
    ids = _ids(c, "SELECT id FROM note WHERE deleted_at IS NULL AND body NOT LIKE 'marker-%' ORDER BY id")
    if not ids:
        return
    note = notes.get_note(c.session, w.pick(ids[:3] if w.rng.random() < 0.5 else ids))
    notes.edit_note(c.session, note.id, note.note_type, note.occurred_on, note.minutes_spent, w.unique("text"))
    w.note(c.name, "edit_note", note.id[-6:])


def _shared_people(c):
    return _ids(c, "SELECT id FROM person WHERE kind = 'parent_carer' AND deleted_at IS NULL ORDER BY id LIMIT 2")


def edit_owned_field(w, c):
    ids = _shared_people(c)
    if not ids or c.laptop:
        return
    person = people.get_person(c.session, w.pick(ids))
    name = OWNED_FIELDS[c.index % len(OWNED_FIELDS)]
    value = w.unique(name)
    data = as_input(person)
    setattr(data, name, value)
    people.update_person(c.session, person.id, data)
    w.owned[("person", person.id, name)] = (c.index, value)
    w.note(c.name, "owned", person.id[-6:], name, value)


def edit_shared_field(w, c):
    ids = _shared_people(c)
    if not ids or c.laptop:
        return
    person = people.get_person(c.session, w.pick(ids))
    data = as_input(person)
    data.first_name = w.pick(NAMES) + w.unique("")[-3:].replace("-", "")
    people.update_person(c.session, person.id, data)
    w.note(c.name, "shared", person.id[-6:], data.first_name)


def correct(w, c):
    if c.laptop or not w.options.corrections:
        return
    ids = _ids(c, "SELECT id FROM enquiry ORDER BY id")
    if not ids:
        return
    enquiry = enquiries.get_enquiry(c.session, w.pick(ids))
    change = EnquiryCorrection(received_at=datetime.fromisoformat(enquiry.received_at), channel=enquiry.channel,
                               summary=w.unique("corrected"), topics=[w.pick(TOPICS), w.pick(TOPICS)])
    correct_enquiry(c.session, enquiry.id, change)
    w.note(c.name, "correct_enquiry", enquiry.id[-6:])


def sync(w, c):
    result = sync_conn(c.conn, c.hub, c.session.user.username)
    if w.options.erasure and erase.carry_out(c.session):    # as membership.sync does
        sync_conn(c.conn, c.hub, c.session.user.username)
    w.note(c.name, "sync", result.pulled, result.pushed, result.conflicts, result.refused)
    if result.refused:
        w.refusals.extend((w.step, c.name, r) for r in result.refused)
    if result.blocked or result.others_stopped:
        w.note(c.name, "told", (result.blocked or result.others_stopped[0])[:70])
        follow_the_message(w)
    settle_conflicts(w, c)
    accept(w)


def follow_the_message(w):
    """What a stopped sync asks of the team (docs/sync.md §15): 'confide hub repair' on the
    computers; whichever holds the entry's copy puts it back. Nothing is voided here: every
    entry in the simulation was written by one of its computers, so a copy exists."""
    for other in w.computers:
        done = repair(other.conn, other.hub)
        if done.left and w.hub_kind == "postgres":
            # An entry before the end of a PostgreSQL hub goes back only through the hub
            # owner's connection (docs/hub.md "Repair"): IT runs the repair with it.
            owner = w.open_hub(admin=True)
            try:
                done = repair(other.conn, owner)
            finally:
                owner.close()
        if done.restored or done.snapshot_written:
            w.note(other.name, "repair", done.restored, done.snapshot_written)
            w.repaired += len(done.restored) + (1 if done.snapshot_written else 0)


def settle_conflicts(w, c):
    if not w.options.resolve_conflicts:
        return
    for held in conflicts.list_conflicts(c.session):
        take = w.pick(["mine", "theirs"])
        conflicts.resolve_conflict(c.session, held.id, take=take)
        w.note(c.name, "resolve", held.table, held.record_id[-6:], held.kind, held.fields, take)


def accept(w):
    """A marker is accepted once the hub holds it: its computer has nothing pending for it
    and no push in flight."""
    for m in w.markers.values():
        if m.accepted:
            continue
        c = w.computers[m.by]
        if state.get(c.conn, "in_flight") is None and not capture.has_pending(c.conn, "note", f'["{m.note_id}"]') \
                and c.conn.execute("SELECT 1 FROM note WHERE id = ?", (m.note_id,)).fetchone():
            m.accepted = True


def check_out(w, c):
    if not c.laptop:
        return
    refs = _ids(w.computers[0], "SELECT reference FROM casefile WHERE status = 'open' AND id NOT IN "
                               "(SELECT case_id FROM case_checkout WHERE state IN ('requested', 'out')) ORDER BY id")
    if not refs:
        return
    ref = w.pick(refs)
    checkout.request(c.session, [ref])
    w.note(c.name, "checkout", ref)


def check_in(w, c):
    if not c.laptop or not _held_cases(c):
        return
    try:
        done = checkout.check_in(c.session, sync=lambda s: sync_conn(s.conn, c.hub, s.user.username))
        w.note(c.name, "checkin", done.returned)
    except checkout.CheckoutError as exc:
        w.note(c.name, "checkin refused", exc.message[:40])
        settle_conflicts(w, c)
    accept(w)


def compact(w, c):
    """A snapshot by an office computer, then the hub compacted to it (forced at times, as
    for an erasure: computers behind restart from the snapshot)."""
    if c.laptop or capture.pending_count(c.conn):
        return
    snapshot.put_snapshot(c.conn, c.hub)
    force = w.rng.random() < 0.3
    try:
        plan = compaction.compact(w.admin_hub, force=force)
        w.note(c.name, "compact", plan.upto, plan.dropped, force)
    except compaction.CompactionRefused as exc:
        w.note(c.name, "compact refused", exc.message[:40])


def erase_case(w, c):
    """A manager at an office computer closes a case if it is open and erases it."""
    if c.laptop:
        return
    cases = _held_cases(c)
    if not cases:
        return
    case_id = w.pick(cases)
    if c.conn.execute("SELECT status FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] != "closed":
        case_service.close_case(c.session, case_id, "resolved", ["better_informed"])
    erase.erase(c.session, "case", [case_id], "Simulated retention review")
    w.erased.add(case_id)
    w.fired["erasure"] = w.fired.get("erasure", 0) + 1     # counted with the faults, for the report
    for text in [t for t, m in w.markers.items() if m.case_id == case_id]:
        del w.markers[text]
    w.note(c.name, "erase", case_id[-6:])


def publish_digest(w, c):
    written = publish.publish(c.conn, c.hub, force=True)
    w.note(c.name, "digest", written)


# A crash at a named point during the operation that reaches it: points a sync reaches when
# the computer is behind, when it has something to push, and those of snapshot and compaction.
PULL_POINTS = ("pull.entry", "apply.change", "snapshot.restore")
PUSH_POINTS = {"folder": ("push.before_append", "push.after_append", "hub.folder.after_claim"),
               "postgres": ("push.before_append", "push.after_append", "hub.pg.after_insert", "hub.pg.append")}
SNAPSHOT_POINTS = {"folder": ("snapshot.put", "snapshot.piece", "snapshot.manifest", "compaction.entry"),
                   "postgres": ("snapshot.put", "snapshot.piece", "snapshot.manifest")}
TEAR_POINTS = {"folder": ("hub.folder.append",), "postgres": ()}
DAMAGE_POINTS = {"folder": ("hub.folder.append", "snapshot.put"), "postgres": ("hub.pg.append", "snapshot.put")}


def fault(w, c):
    """Arm a point the computer's next operation reaches (by its state now), then run it."""
    pending = capture.pending_count(c.conn) > 0
    choices = []
    if c.hub.head() > c.applied():
        choices += [("crash", p) for p in PULL_POINTS]
    if pending:
        choices += [("crash", p) for p in PUSH_POINTS[w.hub_kind]]
        choices += [("tear", p) for p in TEAR_POINTS[w.hub_kind]]
    elif not c.laptop and w.options.compaction:
        choices += [("crash", p) for p in SNAPSHOT_POINTS[w.hub_kind]]
    if not choices:
        return
    kind, name = w.pick(choices)
    armed = faults.arm(name, kind, skip=w.rng.randrange(2) if name in PULL_POINTS else 0,
                       offset=w.rng.randrange(1, 200))
    run = compact if name in SNAPSHOT_POINTS[w.hub_kind] else sync
    _under_fault(w, c, run, name, kind, armed)


def damage(w, c):
    """Bytes damaged on their way to the hub (a bit flip on the disk or the wire)."""
    name = w.pick(DAMAGE_POINTS[w.hub_kind])
    armed = faults.arm(name, "corrupt", offset=w.rng.randrange(1, 10_000))
    run = compact if name == "snapshot.put" and not c.laptop else sync
    _under_fault(w, c, run, name, "corrupt", armed)


def _under_fault(w, c, run, name, kind, armed):
    try:
        run(w, c)
    except faults.SimulatedCrash:
        w.note(c.name, "CRASH", name, kind)
        w.restart(c)
    finally:
        faults.disarm()
        if armed.fired:
            w.note(c.name, "fault fired", name, kind)
            w.fired[kind] = w.fired.get(kind, 0) + 1


ACTIONS = (
    (add_marker, 20), (open_case, 4), (add_plain_note, 6), (edit_note, 10), (edit_owned_field, 8),
    (edit_shared_field, 5),
    (correct, 3), (sync, 30), (check_out, 4), (check_in, 3), (compact, 2), (publish_digest, 3),
    (erase_case, 6),
)
FAULT_ACTIONS = ((fault, 10),)
DAMAGE_ACTIONS = ((damage, 2),)


def run_step(w) -> None:
    table = list(ACTIONS) + (list(FAULT_ACTIONS) if w.options.faults else []) + \
        (list(DAMAGE_ACTIONS) if w.options.damage else [])
    off = {correct: not w.options.corrections, edit_shared_field: not w.options.shared_fields,
           compact: not w.options.compaction, erase_case: not w.options.erasure}
    table = [(a, n) for a, n in table if not off.get(a)]
    total = sum(n for _, n in table)
    roll = w.rng.randrange(total)
    action = table[-1][0]
    for candidate, weight in table:
        if roll < weight:
            action = candidate
            break
        roll -= weight
    c = w.pick(w.computers)
    try:
        action(w, c)
    except ConfideError as exc:
        # Refusals people meet in ordinary use (a stale edit, a past-due laptop): noted.
        w.note(c.name, action.__name__, "refused:", type(exc).__name__, exc.message[:60])
        if c.conn.in_transaction:
            c.conn.execute("ROLLBACK")


def quiesce(w, rounds: int = 8) -> None:
    """Everyone syncs, conflicts resolved, until nothing moves; then one more round so every
    computer stands at the same entry."""
    faults.disarm()
    for _ in range(rounds):
        moved = False
        for c in w.computers:
            before = c.applied()
            try:
                sync(w, c)
            except ConfideError as exc:
                # Told plainly, but this computer cannot converge: after_settling says so.
                w.blocked.append((w.step, c.name, exc.message))
                w.note(c.name, "sync blocked", exc.message[:60])
                continue
            if c.applied() != before or conflicts.list_conflicts(c.session):
                moved = True
        if not moved:
            break
    for c in w.computers:
        block = blocks.current(c.conn)
        if block and block.get("seq") is not None:
            w.blocked.append((w.step, c.name, block.get("message") or "stopped"))

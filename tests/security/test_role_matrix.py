"""Attack: roles enforced in the services, not the screens.

Every public function in app.services (subpackages too) must have an entry in the role
matrix; every restricted one is then called as the manager, the case's caseworker, a
colleague and a volunteer, and the service itself must refuse or allow it."""

import importlib
import inspect
import json
import pkgutil

import pytest

import app.services
from app.domain.role_matrix import MATRIX, Scope, grants
from app.errors import ConfideError, NotFound, PermissionDenied
from app.services.casework import cases, enquiries, people, safeguarding, search
from app.services.vault import backup, compartment
from tests.security.role_world import RECIPES, build
from tests.unit.casework_helpers import record


def public_functions() -> dict[str, object]:
    """Every public function under app.services that takes a session first (importing each
    module also fills MATRIX: a row is declared where its function is defined)."""
    found = {}
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and _takes_session(fn):
                found[f"{info.name.removeprefix('app.services.')}.{name}"] = fn
    return found


@pytest.fixture(autouse=True, scope="module")
def _every_row_declared():
    """Rows are declared as modules are imported: import them all before any test reads MATRIX."""
    public_functions()


def _takes_session(fn) -> bool:
    params = list(inspect.signature(fn).parameters)
    return bool(params) and params[0] == "session"


def test_every_public_service_function_has_an_entry():
    functions = public_functions()
    assert len(functions) > 150
    missing = sorted(set(functions) - set(MATRIX))
    assert missing == [], f"declare these with @grants(...) where they are defined: {missing}"
    stale = sorted(set(MATRIX) - set(functions))
    assert stale == [], f"declared but not a public function taking a session: {stale}"


def test_every_function_a_role_can_be_refused_has_a_recipe():
    checked = {name for name, g in MATRIX.items() if g.restricted or g.scope == Scope.GENERAL}
    assert sorted(checked - set(RECIPES)) == []


def test_the_declaration_enforces_the_role_before_the_body_runs(session, data_dir):
    """A function declared for managers refuses a caseworker without running a line of its
    own, and runs for the manager: the row and the check are one thing."""
    from tests.unit.casework_helpers import add_worker

    ran = []

    @grants(Scope.MANAGER)
    def managers_only(session):
        ran.append(session.user.username)

    row = f"{__name__}.test_the_declaration_enforces_the_role_before_the_body_runs.<locals>.managers_only"
    try:
        assert MATRIX[row].scope == Scope.MANAGER
        worker = add_worker(session, data_dir)
        with pytest.raises(PermissionDenied):
            managers_only(worker)
        managers_only(session)
        assert ran == ["manager"]
    finally:
        MATRIX.pop(row, None)   # a planted row must not outlive its test


REFUSED = {Scope.CASEWORK: ("volunteer",), Scope.RESTRICTED: ("volunteer", "colleague"),
           Scope.MANAGER: ("volunteer", "worker", "colleague"), Scope.GENERAL: (), Scope.ANY: ()}
ALLOWED = {Scope.CASEWORK: ("manager", "worker"), Scope.RESTRICTED: ("manager", "worker"),
           Scope.MANAGER: ("manager",), Scope.GENERAL: ("manager", "worker", "volunteer"),
           Scope.ANY: ("manager", "worker", "volunteer")}


def test_every_restricted_function_refuses_and_allows_in_the_service(session, data_dir, tmp_path):
    world = build(session, data_dir, tmp_path)
    problems = []
    for name in sorted(RECIPES):
        grant = MATRIX[name]
        for role in REFUSED[grant.scope]:
            try:
                RECIPES[name](world.session(role), world)
            except PermissionDenied:
                continue
            except NotFound:
                if role == "volunteer":
                    continue  # not in the volunteer's compartment at all (docs/security.md)
                problems.append(f"{name} as {role}: expected a refusal, got NotFound")
                continue
            except Exception as exc:  # noqa: BLE001 - any other outcome is the finding
                problems.append(f"{name} as {role}: expected a refusal, got {type(exc).__name__}: {exc}")
                continue
            problems.append(f"{name} as {role}: expected a refusal, it ran")
        for role in ALLOWED[grant.scope]:
            try:
                RECIPES[name](world.session(role), world)
            except PermissionDenied as exc:
                problems.append(f"{name} as {role}: refused ({exc})")
            except ConfideError:
                pass  # allowed through the role check; the arguments were then judged
    assert problems == []


def test_volunteer_gets_only_what_a_general_enquiry_needs(session, data_dir, tmp_path):
    world = build(session, data_dir, tmp_path)
    vol = world.volunteer
    assert people.find_people(vol, limit=100000) == []  # no list of everyone
    found = people.find_people(vol, text="Ha", limit=100000)
    assert [p.id for p in found] and len(found) <= people.VOLUNTEER_FIND_LIMIT
    for person in found + [people.get_person(vol, world.kid.id)]:
        assert person.date_of_birth is None and person.phone_mobile is None and person.primary_need is None
        assert person.ehcp_status is None and person.address is None and not person.staff_safety_marker
    with pytest.raises(PermissionDenied):
        people.update_person(vol, world.parent.id, people.as_input(people.peek_person(session, world.parent.id)))
    with pytest.raises(PermissionDenied):
        people.set_contact_preferences(vol, world.parent.id, ok_home=1)
    before = session.conn.execute("SELECT count(*) FROM enquiry").fetchone()[0]
    with pytest.raises(PermissionDenied, match="cannot change"):  # parental responsibility is casework's
        record(vol, caller_id=world.parent.id, child_id=world.kid.id, relationship="mother",
               parental_responsibility=False)
    assert session.conn.execute("SELECT count(*) FROM enquiry").fetchone()[0] == before
    assert people.holds_parental_responsibility(session.conn, world.parent.id, world.kid.id)
    casework = record(session, caller_id=world.parent.id, child_id=world.kid.id, enquiry_type="casework",
                      worker="casey").enquiry
    with pytest.raises(NotFound):  # not even in the volunteer's compartment
        enquiries.get_enquiry(vol, casework.id)
    assert casework.id not in {e.id for e in enquiries.enquiries_of_person(vol, world.parent.id)}
    assert casework.id not in {e.id for e in enquiries.recent_enquiries(vol)}
    assert {h.kind for h in search.search(vol, "Hartley")} <= {"person"}
    with pytest.raises(PermissionDenied):
        cases.cases_of_person(vol, world.parent.id)


def test_a_caseworker_cannot_take_a_colleagues_case_to_read_its_safeguarding(session, data_dir, tmp_path):
    world = build(session, data_dir, tmp_path)
    with pytest.raises(PermissionDenied):
        safeguarding.concerns_for_case(world.colleague, world.case.id)
    with pytest.raises(PermissionDenied, match="Only the manager"):
        cases.update_case(world.colleague, world.case.id, worker="cara")
    with pytest.raises(PermissionDenied, match="Only the manager"):
        cases.update_case(world.worker, world.case.id, worker="cara")
    assert cases.load_case(session, world.case.id).worker == "casey"
    with pytest.raises(PermissionDenied):
        safeguarding.concerns_for_case(world.colleague, world.case.id)
    assert cases.update_case(world.worker, world.case.id, level="level_3").worker == "casey"
    assert cases.update_case(session, world.case.id, worker="cara").worker == "cara"  # the manager may


def test_backup_is_the_managers(session, data_dir, tmp_path):
    world = build(session, data_dir, tmp_path)
    for role in ("worker", "volunteer"):
        out = tmp_path / f"{role}.confide-backup"
        with pytest.raises(PermissionDenied):
            backup.create_backup(world.session(role), out)
        assert not out.exists()
    backup.create_backup(session, tmp_path / "manager.confide-backup")
    assert (tmp_path / "manager.confide-backup").exists()


def _bulk_events(session) -> list[dict]:
    return [{"actor": r[0], "what": r[1], **json.loads(r[2])} for r in session.conn.execute(
        "SELECT actor, object_type, detail FROM audit_event WHERE action = 'bulk_read' ORDER BY seq")]


def test_bulk_reads_are_audited_with_what_was_asked_and_how_many_never_who(session, data_dir, tmp_path):
    world = build(session, data_dir, tmp_path)
    before = len(_bulk_events(session))
    found = people.find_people(world.worker, text="Hartley")
    hits = search.search(world.worker, "Hartley")
    listed, _ = cases.list_cases(world.worker)
    recent = enquiries.recent_enquiries(world.volunteer)
    compartment.sync_all(session)  # the manager's next action takes the volunteer's events in
    events = _bulk_events(session)[before:]
    assert [(e["actor"], e["what"], e["rows"]) for e in events] == [
        ("casey", "person", len(found)), ("casey", "search", len(hits)), ("casey", "case", len(listed)),
        ("vera", "enquiry", len(recent))]
    assert events[0]["name_typed"] is True and events[1]["words"] == 1
    raw = json.dumps(events)
    for secret in ("Hartley", "Dana", "Ellie", world.parent.id, world.kid.id):
        assert secret not in raw

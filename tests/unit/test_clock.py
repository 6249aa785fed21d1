"""One clock: a frozen time reaches the rows services write, and stamps have one precision each."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import clock
from app.services.casework import actions
from tests.unit.casework_helpers import family, record

ROOT = Path(__file__).resolve().parents[2]


def test_frozen_time_reaches_what_a_service_writes(session):
    parent, kid = family(session)
    case = record(session, caller_id=parent.id, child_id=kid.id, enquiry_type="casework").case
    action = actions.add_action(session, case.id, "Ring the school", clock.now().date() + timedelta(days=3))
    with clock.frozen(datetime(2031, 1, 19, 14, 30, 5, 123456, tzinfo=UTC)):
        actions.complete_action(session, action.id)
        assert clock.stamp() == "2031-01-19T14:30:05+00:00"
        assert clock.precise_stamp() == "2031-01-19T14:30:05.123456+00:00"
    done_at = session.conn.execute("SELECT done_at FROM action_item WHERE id = ?", (action.id,)).fetchone()[0]
    assert done_at == "2031-01-19T14:30:05+00:00"
    assert clock.now().year >= 2026 and clock.now() != datetime(2031, 1, 19, 14, 30, 5, 123456, tzinfo=UTC)


def test_a_naive_frozen_time_is_refused():
    with pytest.raises(ValueError), clock.frozen(datetime(2026, 1, 1)):
        pass


def _calls_datetime_now(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in {"now", "utcnow"}
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "datetime"]


def test_only_the_clock_asks_the_system_for_the_time():
    found = {str(p.relative_to(ROOT)): lines for p in (ROOT / "app").rglob("*.py")
             if p.name != "clock.py" and (lines := _calls_datetime_now(p))}
    assert found == {}

"""tests/schedule.py orders whole test files, longest first, so xdist's workers end together."""

from types import SimpleNamespace

from tests.schedule import file_order


def _item(nodeid, slow=False):
    return SimpleNamespace(nodeid=nodeid,
                           get_closest_marker=lambda name: object() if slow and name == "slow" else None)


def _ids(items):
    return [i.nodeid for i in items]


ITEMS = [_item("tests/a.py::one"), _item("tests/a.py::two"), _item("tests/b.py::one", slow=True),
         _item("tests/c.py::one"), _item("tests/c.py::two"), _item("tests/c.py::three")]


def test_last_runs_times_put_the_longest_file_first_and_keep_each_files_order():
    ordered = file_order(ITEMS, {"tests/c.py": 40.0, "tests/a.py": 2.0, "tests/b.py": 9.5})
    assert _ids(ordered) == ["tests/c.py::one", "tests/c.py::two", "tests/c.py::three",
                             "tests/b.py::one", "tests/a.py::one", "tests/a.py::two"]


def test_with_no_record_files_with_slow_tests_go_first_then_collection_order():
    assert _ids(file_order(ITEMS, {})) == ["tests/b.py::one", "tests/a.py::one", "tests/a.py::two",
                                           "tests/c.py::one", "tests/c.py::two", "tests/c.py::three"]


def test_a_file_never_seen_before_runs_after_the_recorded_ones():
    ordered = file_order(ITEMS, {"tests/a.py": 1.0})
    assert _ids(ordered)[:2] == ["tests/a.py::one", "tests/a.py::two"]

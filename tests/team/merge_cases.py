"""Row images and the properties the pure merge must keep (docs/sync.md §8.2, §8.4). Shared by
the suite's sample (tests/unit/test_merge_decide.py) and the benchmark (tests/perf/merge_property.py)."""

from hypothesis import strategies as st

from app.services.team.merge.decide import (
    Conflict,
    KeepMine,
    Merged,
    Rules,
    TakeTheirs,
    changed,
    decide,
)
from app.services.team.merge.resolve import resolve

RULES = Rules(meta=frozenset({"version", "updated_at", "updated_by"}), latest_wins=frozenset({"seen"}))
DATA = ("body", "postcode", "phone", "deleted_at", "seen")
VALUES = {"body": [None, "first words", "second words", "third words"],
          "postcode": [None, "NE1 4AB", "NE2 2ZZ"], "phone": [None, "07700 900123", "07700 900456"],
          "deleted_at": [None, None, "2026-03-01T10:00:00+00:00"],
          "seen": [None, "2026-03-01T09:00:00+00:00", "2026-03-01T09:05:00+00:00"]}


@st.composite
def row(draw, version: int = 1):
    image = {"id": "r1", **{f: draw(st.sampled_from(VALUES[f])) for f in DATA}}
    image.update(version=version, updated_at=f"2026-01-0{min(version, 9)}", updated_by=draw(st.sampled_from(["ann", "bo"])))
    return image


@st.composite
def edited(draw, start: dict | None):
    """Nothing, an edit of some fields (a new version), a delete, or a fresh row."""
    if start is None:
        return draw(st.one_of(st.none(), row(1)))
    kind = draw(st.sampled_from(["same", "edit", "edit", "edit", "delete"]))
    if kind == "delete":
        return None
    out = dict(start)
    if kind == "edit":
        for f in draw(st.lists(st.sampled_from(DATA), max_size=3, unique=True)):
            out[f] = draw(st.sampled_from(VALUES[f]))
        out["version"] = start["version"] + draw(st.integers(1, 3))
        out["updated_by"] = draw(st.sampled_from(["ann", "bo", "cy"]))
    return out


@st.composite
def triples(draw):
    base = draw(st.one_of(st.none(), row(draw(st.integers(1, 5)))))
    their_base = base if draw(st.integers(0, 9)) < 8 else draw(edited(base))
    mine = draw(edited(base))
    theirs = draw(edited(their_base))
    return base, mine, theirs, their_base


def choices(fields: tuple):
    options = st.one_of(st.sampled_from(["mine", "theirs"]), st.tuples(st.just("edit"), st.sampled_from(
        ["edited by hand", None])))
    return st.fixed_dictionaries({}, optional={f: options for f in fields})


def _data(image: dict) -> dict:
    return {k: v for k, v in image.items() if k not in RULES.meta}


def check_decision(base, mine, theirs, their_base) -> object:
    """Every property of one decision; returns the decision. Raises AssertionError."""
    d = decide(base, mine, theirs, their_base=their_base, rules=RULES)
    again = decide(base, mine, theirs, their_base=their_base, rules=RULES)
    assert d == again, "the decision is a function of its inputs"
    mine_changed = changed(base, mine, RULES)
    theirs_changed = changed(their_base, theirs, RULES)
    if isinstance(d, TakeTheirs):
        assert d.image == theirs
        # Nothing of mine is lost: I changed no data, we both deleted it, or both made one fact.
        assert ((base is not None and mine is not None and not mine_changed) or (mine is None and theirs is None)
                or (base is None and their_base is None and mine is not None and theirs is not None
                    and {k: v for k, v in _data(mine).items() if k not in RULES.made}
                    == {k: v for k, v in _data(theirs).items() if k not in RULES.made}))
    elif isinstance(d, KeepMine | Merged):
        assert None not in (base, mine, theirs, their_base)
        for f in set(_data(mine)) | set(_data(theirs)):
            if f in RULES.latest_wins and f in mine_changed and f in theirs_changed:
                assert d.image[f] == max((v for v in (mine.get(f), theirs.get(f)) if v is not None), default=None)
            elif f in theirs_changed:
                assert d.image[f] == theirs.get(f), f"their edit of {f} is kept"
            else:
                assert d.image[f] == mine.get(f), f"my value of {f} is kept"
            if f in mine_changed and f in theirs_changed and f not in RULES.latest_wins:
                assert mine.get(f) == theirs.get(f), "a field both changed differently is never merged"
        assert d.image["version"] == theirs["version"] + mine["version"] - base["version"]
        if isinstance(d, KeepMine):
            assert _data(d.image) == _data(mine)
        else:
            assert d.fields and set(d.fields) <= theirs_changed
    else:
        assert isinstance(d, Conflict)
        assert set(d.fields) <= mine_changed | theirs_changed | set(_data(mine or {})) | set(_data(theirs or {}))
        if mine is not None and theirs is not None:
            assert d.kind == "edit"
        else:
            assert d.kind == ("delete_theirs" if theirs is None else "delete_mine")
    both = {f for f in mine_changed & theirs_changed if f not in RULES.latest_wins
            and (mine or {}).get(f) != (theirs or {}).get(f)}
    if both and mine is not None and theirs is not None:
        assert isinstance(d, Conflict) and both <= set(d.fields), "the same field changed two ways is a conflict"
    if (mine is None) != (theirs is None) and not isinstance(d, TakeTheirs):
        assert isinstance(d, Conflict), "a delete against an edit is a conflict"
    if their_base == base and mine is not None and theirs is not None:
        swapped = decide(base, theirs, mine, rules=RULES)
        assert isinstance(d, Conflict) == isinstance(swapped, Conflict), "the rule favours no side"
        if isinstance(d, Conflict):
            assert set(d.fields) == set(swapped.fields)
    return d


def check_resolution(base, mine, theirs, d, picked: dict, meanwhile: dict) -> None:
    """A resolution sets the fields in conflict as chosen and my uncontested edits; every other
    field stays as the row is now (`meanwhile`: edits made to the row while it waited)."""
    if not isinstance(d, Conflict) or d.kind != "edit" or base is None:
        return
    current = {**theirs, **{f: v for f, v in meanwhile.items() if f not in d.fields}}
    plan = resolve("edit", base, mine, theirs, current, d.fields, picked, "mine", RULES)
    for f in d.fields:
        choice = picked.get(f, "mine")
        want = choice[1] if isinstance(choice, tuple) else (mine if choice == "mine" else theirs).get(f)
        assert plan.image[f] == want
    mine_only = changed(base, mine, RULES) - changed(base, theirs, RULES) - set(d.fields)
    for f in current:
        if f in d.fields:
            continue
        if f in mine_only and current.get(f) == theirs.get(f):
            assert plan.image[f] == mine.get(f), f"my uncontested edit of {f} comes back"
        else:
            assert plan.image[f] == current[f], f"{f} was not in conflict and is not overwritten"

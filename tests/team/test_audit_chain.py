"""The pure chain walk behind the audit check at pull and in verify (audit_chain.check_chain)."""

import json

from app.security.audit import GENESIS, row_hash
from app.services.team.audit_chain import check_chain


def chain(n: int, actor: str = "casey") -> list[dict]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        e = {"seq": seq, "id": f"id-{seq}", "at": f"2026-01-0{seq % 9 + 1}T10:00:00+00:00", "actor": actor,
             "action": "view_case", "object_type": "case", "object_id": f"c{seq}", "detail": json.dumps({})}
        e["prev_hash"], e["hash"] = prev, row_hash(e, prev)
        prev = e["hash"]
        events.append(e)
    return events


def test_events_that_follow_pass_and_move_the_head():
    events = chain(5)
    last, problem = check_chain("Office", events[:3], None, lambda s: None)
    assert problem is None and last == (3, events[2]["hash"])
    last, problem = check_chain("Office", events[3:], last, {e["seq"]: e["hash"] for e in events}.get)
    assert problem is None and last == (5, events[4]["hash"])


def test_a_rewritten_chain_does_not_follow_what_was_sent_before():
    sent = chain(4)
    last, _ = check_chain("Office", sent, None, lambda s: None)
    rewritten = chain(6, actor="someone_else")          # the insider re-made the whole chain
    _, problem = check_chain("Office", rewritten[4:], last, lambda s: None)
    assert problem == ("Audit event 5 from computer 'Office' does not follow its event 4 as sent before: "
                       "its audit trail was changed after it was sent.")


def test_an_event_sent_again_with_other_content_is_a_break_and_the_same_one_is_not():
    sent = chain(3)
    held = {e["seq"]: e["hash"] for e in sent}
    last = (3, sent[2]["hash"])
    assert check_chain("Office", [sent[1]], last, held.get) == (last, None)
    other = chain(3, actor="someone_else")
    assert "sent its audit event 2 again with different content" in check_chain("Office", [other[1]], last,
                                                                               held.get)[1]


def test_an_altered_event_and_a_gap():
    events = chain(6)
    altered = dict(events[3], actor="someone_else")
    _, problem = check_chain("Office", [altered], (3, events[2]["hash"]), lambda s: None)
    assert problem == "Audit event 4 from computer 'Office' was altered after it was written."
    # Missed bundles (a restart from a snapshot): the walk starts again at the next event seen.
    last, problem = check_chain("Office", events[4:], (2, events[1]["hash"]), lambda s: None)
    assert problem is None and last == (6, events[5]["hash"])
    assert check_chain("Office", [{"seq": "x"}], None, lambda s: None)[1] == "An audit event from computer 'Office' is damaged."

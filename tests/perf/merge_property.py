"""The pure merge rule at full strength: many thousands of (base, mine, theirs) cases, each
checked for every property in tests/team/merge_cases.py, and a resolution of each conflict.
No database. The suite runs a derandomised sample of 200 (tests/unit/test_merge_decide.py).

Usage: python -m tests.perf.merge_property [EXAMPLES] [SEED]"""

import sys
import time
from collections import Counter

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from app.services.team.merge.decide import Conflict, decide
from tests.team.merge_cases import (
    DATA,
    RULES,
    VALUES,
    check_decision,
    check_resolution,
    choices,
    triples,
)

SEEN: Counter = Counter()


def main(examples: int = 20000, run_seed: int = 1) -> None:
    @seed(run_seed)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(triples(), st.data())
    def every_case(case, data):
        d = check_decision(*case)
        SEEN[type(d).__name__] += 1
        if isinstance(d, Conflict):
            base, mine, theirs, their_base = case
            picked = data.draw(choices(d.fields))
            meanwhile = data.draw(st.fixed_dictionaries({}, optional={f: st.sampled_from(VALUES[f]) for f in DATA}))
            check_resolution(base, mine, theirs, decide(base, mine, theirs, their_base=their_base, rules=RULES),
                             picked, meanwhile)

    start, cpu = time.perf_counter(), time.process_time()
    every_case()
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    total = sum(SEEN.values())
    print(f"merge property: {total} cases (seed {run_seed}) in {wall:.1f} s wall, {used:.1f} s CPU; "
          f"all properties held. Decisions: {dict(sorted(SEEN.items()))}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

"""A separate process racing other processes to append at the same sequence numbers."""

import random
import time

from app.storage.hub.base import SequenceTaken


def race(kind, location, team_id, device_id, rounds, barrier, results):
    from tests.hub.conftest import HubUnderTest

    won = []
    try:
        hub = HubUnderTest(kind, location, team_id).open()
        for seq in range(1, rounds + 1):
            barrier.wait(timeout=60)
            # The last to reach the barrier goes on without sleeping, and the round's winner
            # (slowest, having written) is usually that one: on a loaded machine one process
            # then won every round. A random start of up to 2 ms makes each round a fresh race.
            time.sleep(random.random() * 0.002)
            try:
                hub.append(seq, device_id, "bundle", f"{device_id}:{seq}".encode())
                won.append(seq)
            except SequenceTaken:
                pass
        hub.close()
    except Exception as exc:  # the other racers must not wait for us forever
        barrier.abort()
        results.put((device_id, f"{type(exc).__name__}: {exc}"))
        return
    results.put((device_id, won))

"""One of several processes racing the unlock throttle (test_throttle_parallel.py).

Prints READY once imported, waits for one line on stdin (the starting gun, so that all
processes go at the same moment), then:
  unlock DATA_DIR KEY_FILE   one unlock with a wrong passphrase; prints WRONG or WAIT
  record ATTEMPTS_FILE N     N failures recorded straight into the attempts file
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.errors import TooManyAttempts, WrongCredentials  # noqa: E402
from app.security import kdf  # noqa: E402
from app.security.throttle import AttemptLog  # noqa: E402
from app.services.vault import unlock as vault_service


def main(argv: list[str]) -> None:
    kdf.use_cheap_profile_for_tests()  # a test script, never shipped: its vaults are test vaults
    print("READY", flush=True)
    sys.stdin.readline()
    if argv[0] == "unlock":
        try:
            vault_service.unlock(Path(argv[1]), "manager", "a wrong guess at the passphrase", argv[2])
        except WrongCredentials:
            print("WRONG", flush=True)
        except TooManyAttempts:
            print("WAIT", flush=True)
    else:
        log = AttemptLog(Path(argv[1]))
        for _ in range(int(argv[2])):
            log.record_failure("manager")
        print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

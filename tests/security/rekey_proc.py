"""A re-keyer for the kill -9 tests. Unlocks a vault, then either
  loop          re-keys again and again, printing "K <key id>" after each re-key returned;
  die-at STEP   re-keys once and SIGKILLs itself at that step of keying.rotate.
Usage: python rekey_proc.py DATA_DIR DEVICE_KEY_FILE MODE [STEP]  (passphrase on stdin)
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.security import kdf, sealing  # noqa: E402
from app.services.vault import unlock as vault_service
from app.storage import keying  # noqa: E402


def main(data_dir: str, key_file: str, mode: str, step_name: str | None) -> None:
    # A test-only script: the vaults it opens were made with the cheap test profile.
    kdf.use_cheap_profile_for_tests()
    session = vault_service.unlock(Path(data_dir), "manager", sys.stdin.readline().rstrip("\n"), key_file)
    print("READY", flush=True)
    keyed = keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                         session.device_secret)

    def step(name: str) -> None:
        if name == step_name:
            os.kill(os.getpid(), signal.SIGKILL)

    while True:
        key = keying.rotate(keyed, "manager", "kill test", step)
        print(f"K {sealing.key_id(key, keyed.vault.vault_id)}", flush=True)
        if mode != "loop":
            return


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)

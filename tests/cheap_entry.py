"""Test-only launcher: Confide's real entry point with the cheap Argon2 profile switched on.

The shipped program has no switch for the cheap profile (no environment variable, no
option): someone who controls the environment but not the code cannot weaken the key
derivation. Tests that run Confide in a subprocess start it through this file, which lives
under tests/ and is never packaged.

Usage: python tests/cheap_entry.py ARGS...   (the same arguments as main.py)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.security import kdf  # noqa: E402

if __name__ == "__main__":
    kdf.use_cheap_profile_for_tests()
    import main  # noqa: E402

    sys.argv[0] = "confide"
    sys.exit(main.entry())

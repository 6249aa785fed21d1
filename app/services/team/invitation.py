"""The invitation file and its one-time code (docs/sync.md §13).

The file carries a new computer's private keys and the team's epoch keys sealed to it, so it
is encrypted: AES-256-GCM under Argon2id(one-time code). The code holds 60 random bits (twelve
characters in three groups), shown once to the manager and never stored: with Argon2id at
64 MiB per guess, guessing it offline from a copy of the file is out of reach, while a person
can still read it out over the phone.
"""

import json
import os
import secrets
import struct
from pathlib import Path

from app.errors import ConfideError
from app.fsutil import atomic_write
from app.security import crypto, kdf

MAGIC = b"CFI1"
# Crockford's base32: no I, L, O or U, so a code read aloud or typed is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 12
GROUP = 4
SALT_BYTES = 16
# Fixed, not calibrated: the computer that opens the file may be slower than the one that made it.
CODE_KDF = kdf.KdfParams(memory_kib=64 * 1024, lanes=4, passes=3)
# Bounds on what a file may ask for: a doctored file must not make join use gigabytes.
# Memory no more than the code's own Argon2 setting: the file is written by one Confide version.
MAX_MEMORY_KIB, MAX_PASSES, MAX_LANES = CODE_KDF.memory_kib, 20, 16
MAX_FILE_BYTES = 1 << 20


class InvitationError(ConfideError):
    """The invitation file or its code cannot be used."""


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(chars[i:i + GROUP] for i in range(0, CODE_CHARS, GROUP))


def normalise_code(code: str) -> str:
    """Accept the code as people type it: any case, spaces or dashes, O for 0, I/L for 1.

    May raise: InvitationError.
    """
    text = code.strip().upper().replace("-", "").replace(" ", "")
    text = text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(text) != CODE_CHARS or any(c not in ALPHABET for c in text):
        raise InvitationError(f"That is not an invitation code: it has {CODE_CHARS} letters and digits "
                              "in three groups, like 7KQ2-M9XD-4HTP.")
    return text


def _params() -> kdf.KdfParams:
    return kdf.CHEAP_TEST_PARAMS if kdf.test_profile_active() else CODE_KDF


def _header_aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def write_invitation(path: Path, content: dict, code: str) -> None:
    """Encrypt `content` under the code and write it atomically. May raise: OSError."""
    salt = os.urandom(SALT_BYTES)
    params = _params()
    header = {"v": 1, "salt": salt.hex(), "kdf": params.to_json(), "team_name": content.get("team_name")}
    aad = _header_aad(header)
    key = kdf.derive(normalise_code(code), salt, params)
    nonce, ct = crypto.seal(key, json.dumps(content).encode(), aad)
    atomic_write(Path(path), MAGIC + struct.pack(">I", len(aad)) + aad + nonce + ct)


def _damaged(path: Path) -> InvitationError:
    return InvitationError(f"{path} is not a Confide invitation, or it is damaged. Ask your manager "
                           "for a new invitation.")


def read_invitation(path: Path, code: str) -> dict:
    """Open an invitation with its code.

    May raise: InvitationError (damaged file, wrong code), OSError (cannot read the file).
    """
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _damaged(path)
    data = path.read_bytes()
    if len(data) < 8 or data[:4] != MAGIC:
        raise _damaged(path)
    (length,) = struct.unpack(">I", data[4:8])
    aad, rest = data[8:8 + length], data[8 + length:]
    if len(aad) != length or len(rest) < crypto.NONCE_BYTES + 16:
        raise _damaged(path)
    try:
        header = json.loads(aad)
        salt = bytes.fromhex(header["salt"])
        p = header["kdf"]
        params = kdf.KdfParams(int(p["memory_kib"]), int(p["lanes"]), int(p["passes"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(path) from exc
    if not (0 < params.memory_kib <= MAX_MEMORY_KIB and 0 < params.passes <= MAX_PASSES
            and 0 < params.lanes <= MAX_LANES) or len(salt) != SALT_BYTES:
        raise _damaged(path)
    try:
        params.check()
    except ConfideError as exc:
        raise _damaged(path) from exc
    key = kdf.derive(normalise_code(code), salt, params)
    try:
        plain = crypto.open_sealed(key, rest[:crypto.NONCE_BYTES], rest[crypto.NONCE_BYTES:], aad)
    except crypto.DecryptionFailed:
        raise InvitationError("The invitation code does not match this invitation file (or the file "
                              "was altered). Check the code and try again.") from None
    try:
        content = json.loads(plain)
    except ValueError as exc:
        raise _damaged(path) from exc
    needed = ("team_id", "team_name", "genesis_sign_pub", "device_id", "index", "keys", "sealed", "hub")
    if not isinstance(content, dict) or any(k not in content for k in needed):
        raise _damaged(path)
    return content

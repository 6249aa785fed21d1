"""This computer's local sync state (docs/sync.md §6): never replicated."""

from dataclasses import dataclass

from app.errors import ConfideError
from app.storage.local_state import get
from app.storage.local_state import put as put  # the team's code writes its state as state.put

GENESIS_HASH = "0" * 64
LAPTOPS = "laptop_devices"   # device ids the signed `enrol` entries name as laptops (docs/sync.md §14)


class NotInTeam(ConfideError):
    """This vault is not part of a team yet."""


def in_team(conn) -> bool:
    return get(conn, "team_id") is not None


def require_team(conn) -> str:
    """May raise: NotInTeam."""
    team_id = get(conn, "team_id")
    if team_id is None:
        raise NotInTeam("This computer is not part of a team yet. Create a team or join one first.")
    return team_id


def set_capture(conn, on: bool) -> None:
    conn.execute("UPDATE sync_flag SET capture = ? WHERE id = 1", (1 if on else 0,))


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    device_index: int
    sign_pub: str
    box_pub: str
    manager: bool
    enrolled_seq: int
    revoked_seq: int | None
    last_dseq: int
    last_hash: str
    last_seq: int


def device(conn, device_id: str) -> Device | None:
    row = conn.execute("SELECT device_id, name, device_index, sign_pub, box_pub, manager, enrolled_seq, "
                       "revoked_seq, last_dseq, last_hash, last_seq FROM sync_device WHERE device_id = ?",
                       (device_id,)).fetchone()
    return Device(*row[:5], bool(row[5]), *row[6:]) if row else None


def devices(conn) -> list[Device]:
    ids = [r[0] for r in conn.execute("SELECT device_id FROM sync_device ORDER BY device_index")]
    return [device(conn, i) for i in ids]


def add_device(conn, info: dict, enrolled_seq: int) -> None:
    conn.execute(
        "INSERT INTO sync_device (device_id, name, device_index, sign_pub, box_pub, manager, enrolled_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_id) DO NOTHING",
        (info["device_id"], info["name"], int(info["index"]), info["sign_pub"], info["box_pub"],
         int(bool(info.get("manager"))), enrolled_seq))


def advance_device(conn, device_id: str, dseq: int, bundle_hash: str, hub_seq: int) -> None:
    conn.execute("UPDATE sync_device SET last_dseq = ?, last_hash = ?, last_seq = ? WHERE device_id = ?",
                 (dseq, bundle_hash, hub_seq, device_id))


def epoch_key(conn, epoch: int) -> bytes | None:
    row = conn.execute("SELECT key FROM sync_epoch WHERE epoch = ?", (epoch,)).fetchone()
    return bytes(row[0]) if row else None


def current_epoch(conn) -> tuple[int, bytes]:
    row = conn.execute("SELECT epoch, key FROM sync_epoch ORDER BY epoch DESC LIMIT 1").fetchone()
    return int(row[0]), bytes(row[1])


def add_epoch(conn, epoch: int, key: bytes, started_seq: int) -> None:
    conn.execute("INSERT INTO sync_epoch (epoch, key, started_seq) VALUES (?, ?, ?) "
                 "ON CONFLICT(epoch) DO NOTHING", (epoch, key, started_seq))


def last_applied(conn) -> int:
    return int(get(conn, "last_applied_seq", 0))


def reference_letter(device_index: int) -> str:
    """Computer 1 keeps the existing reference form; computer k > 1 adds a letter (§11)."""
    if device_index <= 1:
        return ""
    letters = "BCDEFGHJKLMNPQRSTUVWXYZ"
    n, tag = device_index - 2, ""
    while True:
        tag = letters[n % len(letters)] + tag
        n = n // len(letters) - 1
        if n < 0:
            return tag

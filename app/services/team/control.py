"""Control entries: team genesis, device enrolment, key epochs, manager rights, a computer's
own key changes (docs/sync.md §5).

Signed JSON, not encrypted: they carry public keys, sealed keys and ids, no personal data.
Who may sign what (docs/security.md "Who holds what"):
- genesis, enrol, epoch, authority, void: an active manager's own staff key (authority.py), checked
  against the managers the team's earlier entries name. No computer's key is enough.
- void (a manager passes over one hub entry, docs/sync.md §4): likewise a manager's staff key.
- rekeyed, joined, blocked: the computer itself, for its own keys or its own stop only; a
  `rekeyed` entry also proves it holds the new team key, a `joined` entry retires the
  invitation's keys, a `blocked` entry says which hub entry stopped it.
"""

import hashlib
import hmac
import json
import struct
from datetime import datetime

from app.security import crypto
from app.security.session import Session
from app.services.team import authority, device_keys, keys, state
from app.services.team.bundle import BundleRefused, canonical
from app.services.team.replica_check import entry as digest_entry
from app.services.team.replica_check import receive as digest_receive

MAGIC = b"CFC1"
KINDS = ("genesis", "enrol", "epoch", "rekeyed", "authority", "joined", "blocked", "void", "digest")
# Team-changing entries: signed by an active manager's staff key. The rest (rekeyed, joined,
# blocked, digest) are a computer's statements about itself, signed by its own device key.
BY_MANAGER = ("genesis", "enrol", "epoch", "authority", "void")
REKEYED = "device_rekeyed"     # sync_state: device id -> the latest epoch it said it re-keyed for
BLOCKED = "device_blocked"     # sync_state: device id -> the block it published (docs/sync.md §4)
JOINED = "device_joined"       # sync_state: device id -> the hub entry of its `joined`
EXPIRES = "invitation_expires" # sync_state: device id -> when its invitation stops working
INVITED = "invitation_sign"    # sync_state: device id -> its invitation's signing key
LATEST = "latest_epoch"        # sync_state: the newest epoch any entry started, held or not
PENDING = "epoch_pending"      # sync_state: epoch -> its halves as sealed, not opened yet
ALREADY_JOINED = "already joined"


def rekeyed_proof(epoch_key: bytes, team_id: str, device_id: str, epoch: int, pubs: str = "") -> str:
    """Shows the writer of a 'rekeyed' entry holds that epoch's key, without revealing it;
    `pubs` binds the computer's new public keys to that proof."""
    return hmac.new(epoch_key, f"confide-rekeyed:v1:{team_id}:{device_id}:{epoch}{pubs}".encode(),
                    hashlib.sha256).hexdigest()


def pubs_text(sign_pub: str, box_pub: str) -> str:
    return f":{sign_pub}:{box_pub}"


def possession(team_id: str, device_id: str, sign_pub: str, box_pub: str) -> bytes:
    return f"confide-device-keys:v1:{team_id}:{device_id}{pubs_text(sign_pub, box_pub)}".encode()


def rekeyed_epochs(conn) -> dict[str, int]:
    """Device id -> the latest key epoch that computer re-keyed its own database for."""
    return {k: int(v) for k, v in (state.get(conn, REKEYED) or {}).items()}


def latest_epoch(conn) -> int:
    return int(state.get(conn, LATEST, 1))


def seal(body: dict, sign_priv: str) -> bytes:
    raw = canonical({**body, "v": 2})
    return MAGIC + struct.pack(">I", len(raw)) + raw + keys.sign(sign_priv, raw)


def _parse(payload: bytes, seq: int) -> tuple[dict, bytes, bytes]:
    damaged = BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.")
    if len(payload) < 8 + keys.SIGNATURE_BYTES or payload[:4] != MAGIC:
        raise damaged
    (length,) = struct.unpack(">I", payload[4:8])
    raw, sig = payload[8:8 + length], payload[8 + length:]
    if len(raw) != length or len(sig) != keys.SIGNATURE_BYTES:
        raise damaged
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise damaged from exc
    if not isinstance(body, dict):
        raise damaged
    return body, raw, sig


def read_unverified(payload: bytes, seq: int) -> dict:
    """The body without checking it: for the hub's compaction tool, which holds no trust
    anchor and only decides when entries may be dropped. May raise: BundleRefused."""
    return _parse(payload, seq)[0]


def check(conn, payload: bytes, seq: int, entry_device: str) -> dict:
    """Verify a control entry against what this computer trusts. Writes nothing.

    May raise: BundleRefused.
    """
    body, raw, sig = _parse(payload, seq)
    team_id = state.get(conn, "team_id")
    if body.get("team") != team_id:
        raise BundleRefused(f"Team entry {seq} belongs to another team and was not applied.")
    kind, signer = body.get("type"), body.get("by")
    if signer != entry_device:
        raise BundleRefused(f"Team entry {seq} was not written by the computer that signed it and "
                            "was not applied.")
    if kind == "genesis":
        _check_genesis(conn, body, raw, sig, seq)
        return body
    if authority.legacy(conn):
        raise BundleRefused(authority.LEGACY_MESSAGE, deterministic=False)
    dev = state.device(conn, signer)
    if dev is None or (dev.revoked_seq is not None and dev.revoked_seq < seq):
        raise BundleRefused(f"Team entry {seq} comes from a computer that is not enrolled in this team "
                            "and was not applied.")
    if kind in BY_MANAGER:
        pub = authority.active_managers(conn).get(str(body.get("staff")))
        if pub is None:
            raise BundleRefused(f"Team entry {seq} changes the team but is not signed by one of the "
                                "team's active managers; it was not applied.")
    elif kind == "joined":
        # Checked against the invitation's own key even after it was used: a second use is
        # then told apart from a forgery, and shown to the manager as one.
        pub = (state.get(conn, INVITED) or {}).get(signer, dev.sign_pub)
    else:
        pub = dev.sign_pub
    if not keys.verify(pub, sig, raw):
        if kind in BY_MANAGER:
            raise BundleRefused(f"Team entry {seq} changes the team but is not signed by one of the "
                                "team's active managers; it was not applied.")
        raise BundleRefused(f"Team entry {seq} was altered after it was written, or signed by a key "
                            "that may not sign it; it was not applied.")
    if kind not in KINDS:
        raise BundleRefused(f"Team entry {seq} is of a kind this version of Confide does not know "
                            "(update Confide).", deterministic=False)
    if kind == "rekeyed":
        _check_rekeyed(conn, body, seq)
    elif kind == "joined":
        _check_joined(conn, body, seq)
    elif kind == "digest":
        digest_entry.check_shape(body, seq)
    return body


def _check_genesis(conn, body: dict, raw: bytes, sig: bytes, seq: int) -> None:
    trusted = state.get(conn, "genesis_sign_pub")
    managers = body.get("managers")
    founder = body.get("device") or {}
    if seq != 1 or founder.get("device_id") != body.get("by"):
        raise BundleRefused(f"Team entry {seq} claims to found the team but does not match this "
                            "team's founding computer; it was not applied.")
    if not isinstance(managers, dict):
        raise BundleRefused(authority.LEGACY_MESSAGE, deterministic=False)
    if managers.get(str(body.get("staff"))) != trusted or not keys.verify(trusted, sig, raw):
        raise BundleRefused(f"Team entry {seq} claims to found the team but is not signed by the "
                            "manager who founded it; it was not applied.")


def _damaged(seq: int) -> BundleRefused:
    return BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.")


def _check_rekeyed(conn, body: dict, seq: int) -> None:
    try:
        epoch = int(body["epoch"])
        proof = str(body["proof"])
        pubs = pubs_text(str(body["sign_pub"]), str(body["box_pub"])) if "sign_pub" in body else ""
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(seq) from exc
    if pubs:
        _check_possession(body, seq)
    key = state.epoch_key(conn, epoch)
    if key is None:
        # Only a computer that cannot read that epoch (a removed one, or a joiner replaying
        # the entries before its first sign-in) lacks the key; every computer that reads
        # the team's new records checks the proof (docs/security.md "Who holds what").
        return
    if not hmac.compare_digest(proof, rekeyed_proof(key, body["team"], body["by"], epoch, pubs)):
        raise BundleRefused(f"Team entry {seq} says a computer changed to a team key it does not hold; "
                            "it was not applied.")


def _check_joined(conn, body: dict, seq: int) -> None:
    device_id = body["by"]
    # The same entry read again (a joiner's control replay for a snapshot that was then
    # refused, before it falls back to an older one) is not a second use.
    used = (state.get(conn, JOINED) or {}).get(device_id)
    if used is not None and int(used) != seq:
        raise BundleRefused(f"Team entry {seq}: this invitation was {ALREADY_JOINED} by another computer; "
                            "a second use of an invitation is refused.")
    expires = (state.get(conn, EXPIRES) or {}).get(device_id)
    try:
        at = datetime.fromisoformat(str(body["at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(seq) from exc
    if expires is not None and at > datetime.fromisoformat(expires):
        raise BundleRefused(f"Team entry {seq}: the invitation had expired when it was used, so it was "
                            "refused.")
    _check_possession(body, seq)


def _check_possession(body: dict, seq: int) -> None:
    """The new keys an entry names were made by its writer: their signing half signed them."""
    try:
        sign_pub, box_pub = str(body["sign_pub"]), str(body["box_pub"])
        proof = bytes.fromhex(str(body["possession"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(seq) from exc
    if not keys.verify(sign_pub, proof, possession(body["team"], body["by"], sign_pub, box_pub)):
        raise _damaged(seq)


def apply(conn, body: dict, seq: int) -> None:
    """Record the devices, managers and epoch keys a checked control entry carries."""
    me = state.get(conn, "device_id")
    kind = body["type"]
    if kind == "genesis":
        state.add_device(conn, body["device"], seq)
        for username, pub in body["managers"].items():
            authority.set_member(conn, username, pub, True)
        state.put(conn, LATEST, 1)
    elif kind == "enrol":
        info = body["device"]
        state.add_device(conn, info, seq)
        if body.get("expires"):
            state.put(conn, EXPIRES, {**(state.get(conn, EXPIRES) or {}), info["device_id"]: body["expires"]})
            state.put(conn, INVITED, {**(state.get(conn, INVITED) or {}), info["device_id"]: info["sign_pub"]})
    elif kind == "authority":
        authority.set_member(conn, str(body["user"]), body.get("sign"), bool(body.get("manager")))
    elif kind == "rekeyed":
        said = rekeyed_epochs(conn)
        said[body["by"]] = max(said.get(body["by"], 1), int(body["epoch"]))
        state.put(conn, REKEYED, said)
        if "sign_pub" in body:
            _new_device_keys(conn, body, seq)
    elif kind == "blocked":
        said = dict(state.get(conn, BLOCKED) or {})
        if body.get("entry") is None:
            said.pop(body["by"], None)
        else:
            said[body["by"]] = {k: body.get(k) for k in ("entry", "author", "reason", "at")}
        state.put(conn, BLOCKED, said)
    elif kind == "joined":
        state.put(conn, JOINED, {**(state.get(conn, JOINED) or {}), body["by"]: seq})
        _new_device_keys(conn, body, seq)
        if body["by"] == me:        # the invitation's keys are retired
            conn.execute("DELETE FROM sync_state WHERE key = ?", (device_keys.INVITATION,))
    elif kind == "digest":
        digest_receive.receive(conn, body, seq)
    elif kind == "epoch":
        for device_id in body.get("revoked") or []:
            conn.execute("UPDATE sync_device SET revoked_seq = ? WHERE device_id = ? AND revoked_seq IS NULL",
                         (seq, device_id))
        for username in body.get("disabled") or []:
            authority.set_member(conn, username, None, False)
        epoch = int(body["epoch"])
        state.put(conn, LATEST, max(latest_epoch(conn), epoch))
        if state.epoch_key(conn, epoch) is None:
            pending = state.get(conn, PENDING) or {}
            pending[str(epoch)] = {"people": body.get("people") or {},
                                   "device": (body.get("devices") or {}).get(me),
                                   "invitation": (body.get("invitations") or {}).get(me), "seq": seq}
            state.put(conn, PENDING, pending)
        open_pending(conn)


def _new_device_keys(conn, body: dict, seq: int) -> None:
    conn.execute("UPDATE sync_device SET sign_pub = ?, box_pub = ? WHERE device_id = ?",
                 (body["sign_pub"], body["box_pub"], body["by"]))
    if body["by"] == state.get(conn, "device_id"):
        from_next(conn, body["sign_pub"])


def from_next(conn, sign_pub: str) -> None:
    """This computer's announced keys are now its keys (also after a crash between the
    append and recording it: the pull meets the entry)."""
    secret = device_keys.secret_for(conn)
    nxt = device_keys.open_value(conn, device_keys.NEXT, secret)
    if nxt is not None and nxt["sign_pub"] == sign_pub:
        device_keys.store(conn, nxt, secret)
        conn.execute("DELETE FROM sync_state WHERE key = ?", (device_keys.NEXT,))


def person_label(username: str) -> str:
    return f"person:{username}"


def epoch_key_from_halves(team_id: str, epoch: int, person_half: bytes, device_half: bytes) -> bytes:
    """A team key is made of two halves (docs/security.md "Who holds what"): one sealed to the
    team's active people, one to its enrolled computers' current box keys. Opening it takes
    both: a person's passphrase *and* a computer of the team that was not removed."""
    return crypto.hkdf(person_half + device_half, info=f"confide-epoch:v2:{team_id}:{epoch}".encode())


def _open(priv: str | None, team_id: str, label: str, epoch: int, sealed) -> bytes | None:
    if priv is None or not sealed:
        return None
    try:
        return keys.open_sealed_for_device(priv, team_id, label, epoch, sealed)
    except (crypto.DecryptionFailed, ValueError, KeyError, TypeError):
        return None       # sealed to an older key of this person: a colleague opens it


def open_pending(conn) -> int:
    """Open the team keys whose person half is sealed to the one signed in on `conn` and
    whose computer half is sealed to this computer (or, while joining, both to its
    invitation). Returns how many."""
    pending = state.get(conn, PENDING) or {}
    session = Session.for_connection(conn)
    if not pending or session is None:
        return 0
    mine = state.device(conn, state.get(conn, "device_id"))
    if mine is not None and mine.revoked_seq is not None:
        return 0          # a computer removed from the team is sealed no half (docs/sync.md §5)
    team_id, me, opened = state.get(conn, "team_id"), state.get(conn, "device_id"), 0
    user, private = session.user.username, session.private_key
    secret = session.device_secret
    invitation = device_keys.open_value(conn, device_keys.INVITATION, secret) or {}
    own = device_keys.open_value(conn, device_keys.OWN, secret) or {}
    for epoch, item in list(pending.items()):
        n = int(epoch)
        inv = item.get("invitation") or {}
        person = _open(private.hex() if private else None, team_id, person_label(user), n,
                       item["people"].get(user)) or \
            _open(invitation.get("box_priv"), team_id, f"invitation-person:{me}", n, inv.get("person"))
        device = _open(own.get("box_priv"), team_id, me, n, item.get("device")) or \
            _open(invitation.get("box_priv"), team_id, f"invitation-device:{me}", n, inv.get("device"))
        if person is None or device is None:
            continue
        state.add_epoch(conn, n, epoch_key_from_halves(team_id, n, person, device), int(item["seq"]))
        del pending[epoch]
        opened += 1
    state.put(conn, PENDING, pending)
    return opened

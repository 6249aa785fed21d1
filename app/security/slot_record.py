"""A colleague's key slot on this computer, made from their replicated staff key record
(docs/sync.md §12). Here rather than with the team's code (app/services/team/staff_keys.py):
opening a volunteer's compartment and adding staff need it too, and the unlock screen must
not load the team's modules."""

import base64
import json

from app.security import kdf, sealing, staff_slot


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def slot_from_record(user: str, public_b64: str, private_wrap: str, data_key: bytes, device_secret: bytes,
                     vault_id: str) -> staff_slot.StaffSlot:
    """This computer's slot for a colleague, from their replicated key record.

    May raise: ValueError, KeyError (a damaged record), VaultFileInvalid (Argon2 settings)."""
    wrap = json.loads(private_wrap)
    params = kdf.KdfParams.from_json(wrap["kdf"])
    public = b64(public_b64)
    slot = staff_slot.StaffSlot(user, b64(wrap["salt"]), params, bool(wrap.get("must_change")), public=public,
                                private_nonce=b64(wrap["private"]["nonce"]),
                                private_wrapped=b64(wrap["private"]["wrapped"]))
    slot.sealed = [sealing.seal(data_key, public, device_secret, vault_id, user,
                                sealing.key_id(data_key, vault_id))]
    return slot

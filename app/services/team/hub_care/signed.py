"""Whether an entry's bytes carry a good signature of the computer they name: how `hub
check` tells an entry altered or forged on the hub from an honest one, with no key but the
public keys every computer holds."""

from app.services.team import bundle, control, keys, state
from app.services.team.bundle import BundleRefused


def well_signed(conn, seq: int, device_id: str, kind: str, payload: bytes) -> bool:
    if kind == "control":
        try:
            control.check(conn, payload, seq, device_id)
        except BundleRefused as exc:
            # A kind this version does not know is not a bad signature.
            return not exc.deterministic
        return True
    if kind != "bundle":
        return False
    try:
        p = bundle.parse(payload, seq)
    except BundleRefused:
        return False
    dev = state.device(conn, device_id)
    if dev is None or p.header.get("device") != device_id:
        return False
    return keys.verify(dev.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext)

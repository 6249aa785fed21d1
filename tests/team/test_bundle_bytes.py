"""Bundles that carry bytes (a document's pieces, docs/sync.md §3, format 2): the bytes travel
as themselves, compressed only when that pays, and a crafted body is refused like any other."""

import os
import struct
import zlib

from app.security import crypto
from app.services.team import bundle, keys
from app.services.team.bundle import BundleRefused
from app.services.team.state import Device

HEADER = {"team": "t", "device": "dev-1", "dseq": 1, "prev": "", "schema": 1, "epoch": 1}


def _device(sign_pub: str) -> Device:
    return Device("dev-1", "Office 1", 1, sign_pub, "", False, 1, None, 0, "", 0)


def _open(payload: bytes, device_keys: dict, epoch_key: bytes):
    exp = bundle.Expectation(5, "dev-1", "t", 999, _device(device_keys["sign_pub"]), lambda _e: epoch_key)
    return bundle.open_bundle(payload, exp)


def _forge(plain: bytes, form: int, device_keys: dict, epoch_key: bytes) -> bytes:
    """A well-signed bundle with any body: what a computer of the team (or its thief) could write."""
    head = bundle.canonical({**HEADER, "v": form})
    nonce, ct = crypto.seal(epoch_key, plain, head)
    signed = head + nonce + ct
    return bundle.MAGIC + struct.pack(">I", len(head)) + signed + keys.sign(device_keys["sign_priv"], signed)


def test_bytes_travel_raw_and_text_like_bytes_are_compressed():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    scanned, text = os.urandom(512 * 1024), b"The young person's plan. " * 20000
    body = {"changes": [{"t": "document_chunk", "a": {"id": "c1", "data": scanned}},
                        {"t": "document_chunk", "a": {"id": "c2", "data": text}}], "audit": []}
    payload = bundle.seal(HEADER, body, epoch_key, device_keys["sign_priv"])
    header, opened = _open(payload, device_keys, epoch_key)
    assert opened == body and header["v"] == bundle.FORMAT_BYTES
    # Hex and compression of random bytes made this about 1.15 times the data: now the random
    # piece adds nothing and the text piece shrinks.
    assert len(payload) < len(scanned) + len(text) // 10


def test_a_bundle_without_bytes_keeps_the_first_format():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    payload = bundle.seal(HEADER, {"changes": [], "audit": []}, epoch_key, device_keys["sign_priv"])
    assert _open(payload, device_keys, epoch_key)[0]["v"] == bundle.FORMAT


def test_a_piece_that_inflates_a_thousandfold_is_refused():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    text = zlib.compress(b'{"audit":[],"changes":[{"$blob":0}]}')
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    plain = struct.pack(">II", len(text), 1) + text + struct.pack(">BI", bundle.DEFLATED, len(bomb)) + bomb
    try:
        _open(_forge(plain, bundle.FORMAT_BYTES, device_keys, epoch_key), device_keys, epoch_key)
    except BundleRefused as exc:
        assert "more than 64 times its size" in exc.message
    else:
        raise AssertionError("the bomb was opened")


def test_a_body_naming_bytes_it_does_not_hold_is_refused():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    text = zlib.compress(b'{"audit":[],"changes":[{"$blob":3}]}')
    plain = struct.pack(">II", len(text), 1) + text + struct.pack(">BI", bundle.RAW, 4) + b"abcd"
    for damaged in (plain, plain[:-2], plain + b"x"):
        try:
            _open(_forge(damaged, bundle.FORMAT_BYTES, device_keys, epoch_key), device_keys, epoch_key)
        except BundleRefused as exc:
            assert exc.deterministic and "altered" in exc.message
        else:
            raise AssertionError("a damaged body was opened")


def test_a_format_from_a_newer_confide_asks_for_an_update():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    try:
        _open(_forge(b"anything", 3, device_keys, epoch_key), device_keys, epoch_key)
    except BundleRefused as exc:
        assert not exc.deterministic and "newer version" in exc.message
    else:
        raise AssertionError("an unknown format was opened")

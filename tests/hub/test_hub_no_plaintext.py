"""The hub stores only what it is given: ciphertext, device ids, numbers, sizes and times.

Family data (Faker en_GB) is encrypted the way a bundle would be and appended; then every
hub file and every PostgreSQL row (COPY ... TO STDOUT) is scanned: the ciphertext given is
there (so the scan can see), the plaintext is not, in any encoding, and neither is the
connection password in any file written (test_postgres_hub.py)."""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from faker import Faker


def encodings(text: str) -> list[bytes]:
    raw = text.encode("utf-8")
    return [raw, raw.hex().encode(), base64.b64encode(raw), text.encode("utf-16-le")]


def test_only_ciphertext_reaches_the_hub(hub_setup, any_hub):
    fake = Faker("en_GB")
    fake.seed_instance(12)
    key = AESGCM.generate_key(256)
    canaries, given = [], []
    for seq in range(1, 6):
        canary = f"CANARY-{seq}-{fake.name()}-{fake.postcode()}"
        canaries.append(canary)
        nonce = os.urandom(12)
        payload = nonce + AESGCM(key).encrypt(nonce, f"note about {canary}".encode(), None)
        given.append(payload)
        any_hub.append(seq, "dev-a", "bundle", payload)
    any_hub.put_snapshot(5, "dev-a", given[-1])
    stored = hub_setup.stored_bytes()
    for payload in given:
        assert payload in stored or payload.hex().encode() in stored   # COPY text shows bytea as hex
    for canary in canaries:
        for form in encodings(canary):
            assert form not in stored, f"plaintext {canary!r} found on the hub"
    assert key not in stored and key.hex().encode() not in stored

"""A signature drawn on screen, as the strokes the pen made: kept inside the encrypted
database (never as an image file), compact, and redrawable at any size in a PDF.

Binary layout (big-endian): b"CSG1", width u16, height u16, stroke count u16, then per
stroke a point count u16 and that many (x u16, y u16) pairs in the pad's own coordinates.
A typical signature is 1-3 KB. Pressure is not kept: the PDF draws an even line.
"""

import math
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.text import uk_date
from app.errors import ValidationError

MAGIC = b"CSG1"
MAX_SIDE = 4000
MAX_STROKES = 400
MAX_POINTS = 20_000
# Less ink than this (as a share of the pad's width) is a tap or a slip, not a signature.
MIN_INK_SHARE = 0.08

Point = tuple[int, int]


@dataclass(frozen=True)
class Signature:
    width: int
    height: int
    strokes: tuple[tuple[Point, ...], ...]

    @classmethod
    def from_points(cls, strokes: Iterable[Sequence[Sequence[float]]], width: float, height: float) -> "Signature":
        """From a pad's strokes in its own (float) coordinates: rounded, clamped to the pad,
        consecutive repeats dropped (a resting pen sends the same point many times)."""
        w = max(1, min(MAX_SIDE, int(round(width))))
        h = max(1, min(MAX_SIDE, int(round(height))))
        kept = []
        for stroke in strokes:
            points: list[Point] = []
            for x, y in stroke:
                if not (math.isfinite(x) and math.isfinite(y)):
                    continue
                point = (min(w, max(0, int(round(x)))), min(h, max(0, int(round(y)))))
                if not points or points[-1] != point:
                    points.append(point)
            if points:
                kept.append(tuple(points))
        return cls(w, h, tuple(kept))

    @property
    def point_count(self) -> int:
        return sum(len(s) for s in self.strokes)

    @property
    def ink_length(self) -> float:
        return sum(math.dist(a, b) for stroke in self.strokes for a, b in zip(stroke, stroke[1:], strict=False))

    @property
    def is_blank(self) -> bool:
        return self.ink_length < MIN_INK_SHARE * self.width

    def to_bytes(self) -> bytes:
        if len(self.strokes) > MAX_STROKES or self.point_count > MAX_POINTS:
            raise ValueError("signature too large")
        parts = [MAGIC, struct.pack(">HHH", self.width, self.height, len(self.strokes))]
        for stroke in self.strokes:
            parts.append(struct.pack(">H", len(stroke)))
            parts.append(struct.pack(f">{2 * len(stroke)}H", *(c for p in stroke for c in p)))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Signature":
        """May raise: ValueError for anything that is not a well-formed signature."""
        data = bytes(data)
        if data[:4] != MAGIC or len(data) < 10:
            raise ValueError("not a Confide signature")
        width, height, count = struct.unpack_from(">HHH", data, 4)
        offset, strokes = 10, []
        if count > MAX_STROKES:
            raise ValueError("too many strokes")
        for _ in range(count):
            (n,) = struct.unpack_from(">H", data, offset)
            offset += 2
            flat = struct.unpack_from(f">{2 * n}H", data, offset)
            offset += 4 * n
            strokes.append(tuple(zip(flat[0::2], flat[1::2], strict=True)))
        if offset != len(data):
            raise ValueError("trailing bytes after the last stroke")
        return cls(width, height, tuple(strokes))


def check_signature(value, signer: str = "the family member") -> Signature:
    """The signature a form sent, or a ValidationError that says what to do about it.

    Accepts a Signature or its bytes.
    """
    empty = ValidationError(f"The signature box is empty. Ask {signer} to sign in the box with the mouse, "
                            "a pen or a finger.", field="signature")
    if value is None or value == b"":
        raise empty
    if not isinstance(value, Signature):
        try:
            value = Signature.from_bytes(value)
        except (ValueError, struct.error, TypeError):
            raise ValidationError("The signature could not be read; clear the box and sign again.",
                                  field="signature") from None
    if not value.strokes:
        raise empty
    if value.is_blank:
        raise ValidationError(f"The signature box holds only a dot or a tick. Ask {signer} to sign in "
                              "the box with the mouse, a pen or a finger.", field="signature")
    if len(value.strokes) > MAX_STROKES or value.point_count > MAX_POINTS:
        raise ValidationError("The signature has far more strokes than a signature needs; clear the box "
                              "and sign again.", field="signature")
    return value


def signature_alt(name: str, given_on: str) -> str:
    """The words a screen reader gives for a signature (the record's image, the screen's view)."""
    return f"Signature of {name}, drawn on screen on {uk_date(given_on)}."

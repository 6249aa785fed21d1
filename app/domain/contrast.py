"""WCAG 2.2 contrast (success criteria 1.4.3 and 1.4.11), computed from colours as written in
a style sheet: '#rgb', '#rrggbb' or a few names. Pure: no Qt."""

import re

__all__ = ["AA_TEXT", "AA_LARGE_TEXT", "AA_NON_TEXT", "ratio", "rgb", "is_large"]

AA_TEXT = 4.5        # 1.4.3, normal text
AA_LARGE_TEXT = 3.0  # 1.4.3, text of 18 pt, or 14 pt bold
AA_NON_TEXT = 3.0    # 1.4.11, the edges of controls and focus indicators

_NAMES = {"white": "#ffffff", "black": "#000000", "transparent": None}


def rgb(colour: str) -> tuple[int, int, int] | None:
    """(r, g, b) of a colour, or None for 'transparent'. May raise: ValueError."""
    value = _NAMES.get(colour.strip().lower(), colour.strip().lower())
    if value is None:
        return None
    if not re.fullmatch(r"#[0-9a-f]{3}|#[0-9a-f]{6}", value):
        raise ValueError(f"not a colour this check reads: {colour!r}")
    if len(value) == 4:
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _luminance(colour: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4  # WCAG 2.2's own constant
    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(foreground: str, background: str) -> float:
    """The contrast ratio, 1 to 21."""
    a, b = _luminance(rgb(foreground)), _luminance(rgb(background))
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def is_large(point_size: float | None, bold: bool) -> bool:
    return point_size is not None and (point_size >= 18 or (bold and point_size >= 14))

"""The look: a theme (the standard colours, high contrast or dark) and a text size, from the
person's choice in Settings or, by default, the system's own high-contrast and dark settings.

A theme other than the standard is the standard style sheet with its colours swapped, property
by property (a text colour, a background, a border each have their own table, since one colour
can be text in one place and a background in another), then a few rules of its own appended
(resources/themes/<theme>.qss: selection shown inverted, thicker focus rings). The text size
scales every point size in the sheet as well as the application font, so headings grow with
the text. Colours painted from Python (table rows, charts) go through the same tables
(`painted`), and the dark theme sets the palette too, for what no sheet styles.
tests/ui/test_contrast.py computes WCAG 2.2 AA contrast for every rule of every theme.
"""

import json
import re
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app import resources
from app.config import Appearance

__all__ = ["THEMES", "TEXT_SIZES", "BASE_POINT_SIZE", "style_sheet", "restyle", "rules", "chosen_theme",
           "apply", "follow_system", "current", "local", "painted", "shown"]

BASE_POINT_SIZE = 11.0
THEMES = {"system": "Follow the system", "standard": "Standard", "high_contrast": "High contrast", "dark": "Dark"}
TEXT_SIZES = (100, 125, 150, 175, 200)
STYLE_SHEET = resources.path("style.qss")

# Which table a property's colours are swapped with.
_KIND = {"color": "text", "selection-color": "text", "background": "background",
         "background-color": "background", "alternate-background-color": "background",
         "selection-background-color": "background", "gridline-color": "border"}
_DECLARATION = re.compile(r"(?P<prop>[a-z-]+)\s*:\s*(?P<value>[^;{}]+)")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
_POINTS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)pt\b")

# What this process shows now (set by apply), so a dialog with a sheet of its own matches it.
current = Appearance()
shown = ["standard"]  # the theme `current` resolved to when it was applied
_palette: list[QPalette] = []  # the application's own palette, from before any dark one


@cache
def _theme_files(theme: str) -> tuple[dict, str]:
    if theme == "standard":
        return {}, ""
    folder = resources.path("themes")
    colours = json.loads((folder / f"{theme}.json").read_text(encoding="utf-8"))
    return colours, (folder / f"{theme}.qss").read_text(encoding="utf-8")


def _kind(prop: str) -> str:
    return _KIND.get(prop, "border" if prop.startswith("border") else "")


def restyle(sheet: str, theme: str, scale: int = 100) -> str:
    """`sheet` with its colours swapped for `theme`'s, the theme's own rules appended, and its
    point sizes scaled to `scale` per cent."""
    colours, extra = _theme_files(theme)
    if colours:
        def swap_declaration(match: re.Match) -> str:
            table = colours.get(_kind(match["prop"]), {})
            value = _HEX.sub(lambda h: table.get(h.group(0).lower(), h.group(0)), match["value"])
            return f"{match['prop']}: {value}"
        sheet = re.sub(r"\{[^{}]*\}", lambda body: _DECLARATION.sub(swap_declaration, body.group(0)), sheet)
        sheet += "\n" + extra
    if scale != 100:
        sheet = _POINTS.sub(lambda m: f"{float(m.group(1)) * scale / 100:g}pt", sheet)
    return sheet


def local(sheet: str) -> str:
    """A widget's own sheet, in the theme and text size this process shows."""
    return restyle(sheet, chosen_theme(current.theme), current.text_size)


def style_sheet(theme: str = "standard", scale: int = 100, path: Path = STYLE_SHEET) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""  # unstyled is still usable; a missing file must not stop the start
    # Style sheet URLs are relative to the working folder, so make them absolute (the theme's
    # own rules name icons too).
    return restyle(text, theme, scale).replace("@RESOURCES@", path.parent.as_posix())


def rules(sheet: str) -> dict[str, dict[str, str]]:
    """Each selector of a sheet and its declarations, later rules overriding earlier ones as in
    the cascade. Comments are dropped."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        declarations = {m["prop"]: m["value"].strip() for m in _DECLARATION.finditer(body)}
        for selector in selectors.split(","):
            found.setdefault(" ".join(selector.split()), {}).update(declarations)
    return found


def chosen_theme(choice: str) -> str:
    """'system' becomes high contrast when the system asks for more contrast, else dark when
    its colour scheme is dark (QStyleHints.colorScheme, Qt 6.5+), else standard."""
    if choice != "system":
        return choice if choice in THEMES else "standard"
    hints = QGuiApplication.styleHints()
    wants = getattr(hints, "accessibility", None)
    if wants is not None and wants().contrastPreference() == Qt.ContrastPreference.HighContrast:
        return "high_contrast"
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None and scheme() == Qt.ColorScheme.Dark:
        return "dark"
    return "standard"


def painted(colour: QColor | str, kind: str = "text") -> QColor:
    """A colour painted from Python (a row's text, a chart's bar), in the theme shown now: the
    standard colour swapped through the theme's table of that kind, like the sheet's own."""
    name = QColor(colour).name()
    return QColor(_theme_files(shown[0])[0].get(kind, {}).get(name, name))


def _dark_palette() -> QPalette:
    """For what no sheet styles (check marks, item views' own text, placeholders)."""
    text, back = (lambda c: painted(c, "text")), (lambda c: painted(c, "background"))
    palette = QPalette()
    role = QPalette.ColorRole
    for which, colour in ((role.Window, back("#f4f6f8")), (role.WindowText, text("#1f2933")),
                          (role.Base, back("#ffffff")), (role.AlternateBase, back("#f6f8fa")),
                          (role.Text, text("#1f2933")), (role.Button, back("#ffffff")),
                          (role.ButtonText, text("#1f2933")), (role.Highlight, back("#cfe2f1")),
                          (role.HighlightedText, text("#102a43")), (role.ToolTipBase, back("#102a43")),
                          (role.ToolTipText, text("#ffffff")), (role.PlaceholderText, text("#4a5866")),
                          (role.Link, text("#0b4f7c")), (role.BrightText, text("#ffffff"))):
        palette.setColor(which, colour)
    for which in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, which, text("#6b7682"))
    return palette


_system_size: list[float] = []  # the system's own text size, read once before any scaling


def apply(app: QApplication, appearance: Appearance) -> None:
    """A readable base size for every widget, scaled, then the sheet of the chosen theme."""
    global current
    current = appearance
    if not _system_size:
        _system_size.append(app.font().pointSizeF())
    font = app.font()
    font.setPointSizeF(max(_system_size[0], BASE_POINT_SIZE) * appearance.text_size / 100)
    app.setFont(font)
    shown[0] = chosen_theme(appearance.theme)
    if not _palette:
        _palette.append(app.palette())
    app.setPalette(_dark_palette() if shown[0] == "dark" else _palette[0])
    app.setStyleSheet(style_sheet(shown[0], appearance.text_size))


def follow_system(app: QApplication) -> None:
    """When the system's contrast or colour scheme changes while Confide runs, and the person
    left the choice to the system, show the change at once."""
    def changed(*_args) -> None:
        if current.theme == "system":
            apply(app, current)
    hints = app.styleHints()
    hints.colorSchemeChanged.connect(changed)
    if hasattr(hints, "accessibility"):
        hints.accessibility().contrastPreferenceChanged.connect(changed)

"""WCAG 2.2 AA contrast, computed from the style sheets themselves for every theme: each rule's
text on its own background (or, if it sets none, on every surface it can sit on), selected
text on its selection colour, and the edges and focus rings of controls (1.4.11, 3:1).
Colours painted from Python (table rows, charts) are checked against the table backgrounds.
The sheets are found, not listed: resources/style.qss and every module-level *_STYLE string
in ui/."""

import ast
import re
from pathlib import Path

import pytest

from app.domain import contrast
from ui import theme

UI = Path(__file__).resolve().parents[2] / "ui"
# Where a rule with no background of its own can appear.
SURFACES = ("QMainWindow", "QDialog", "QFrame#card", "QGroupBox", "QStatusBar", "QMenuBar", "QMenu",
            "QTableView")
# Parts that carry no text: their colours are checked as edges, if at all.
NO_TEXT = ("::chunk", "::up-button", "::down-button", "::drop-down", "::indicator", "::up-arrow",
           "::down-arrow")
# Controls whose edges identify them (1.4.11).
CONTROLS = ("QLineEdit", "QSpinBox", "QDateTimeEdit", "QComboBox", "QPlainTextEdit", "QPushButton")
_LAST_PART = re.compile(r"(::?[\w-]+|\[[^\]]*\]|#[\w]+)$")


def local_sheets() -> dict[str, str]:
    found = {}
    for path in UI.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id.endswith("_STYLE") and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                found[f"{path.relative_to(UI.parent)}:{node.targets[0].id}"] = node.value.value
    return found


def _chain(selector: str) -> list[str]:
    chain = [selector]
    while _LAST_PART.search(chain[-1]):
        chain.append(_LAST_PART.sub("", chain[-1]))
    return [s for s in chain if s]


def _find(rules: dict, selector: str, *props: str) -> str | None:
    for step in _chain(selector):
        for prop in props:
            if prop in rules.get(step, {}):
                return rules[step][prop]
    return None


def _colour(value: str | None) -> str | None:
    if value is None:
        return None
    found = re.findall(r"#[0-9a-fA-F]{3,6}\b|\btransparent\b|\bwhite\b|\bblack\b", value)
    return found[-1] if found else None


def _surfaces(rules: dict) -> set[str]:
    return {_colour(rules[s]["background"]) for s in SURFACES if "background" in rules.get(s, {})}


def _size(rules: dict, selector: str) -> tuple[float | None, bool]:
    size = _find(rules, selector, "font-size")
    weight = _find(rules, selector, "font-weight") or ""
    points = float(size.removesuffix("pt")) if size and size.endswith("pt") else None
    return points, weight in ("600", "700", "bold")


def problems(sheet: str, scale_back: float = 1.0) -> list[str]:
    rules = theme.rules(sheet)
    surfaces = _surfaces(rules)
    found = []
    for selector, props in rules.items():
        if ":disabled" in selector or any(part in selector for part in NO_TEXT):
            continue  # inactive controls are exempt (1.4.3); these parts hold no text
        if not {"color", "background", "selection-color"} & set(props):
            continue
        text = _colour(_find(rules, selector, "color") or rules["QWidget"]["color"])
        own = _colour(_find(rules, selector, "background"))
        backgrounds = surfaces if own in (None, "transparent") else {own}
        points, bold = _size(rules, selector)
        need = contrast.AA_LARGE_TEXT if contrast.is_large(points and points / scale_back, bold) \
            else contrast.AA_TEXT
        for back in sorted(backgrounds):
            got = contrast.ratio(text, back)
            if got < need:
                found.append(f"{selector}: text {text} on {back} is {got:.2f}:1, needs {need}:1")
        if "selection-color" in props:
            fore = _colour(props["selection-color"])
            back = _colour(_find(rules, selector, "selection-background-color"))
            if back and contrast.ratio(fore, back) < contrast.AA_TEXT:
                found.append(f"{selector}: selected text {fore} on {back} is {contrast.ratio(fore, back):.2f}:1")
    for selector, props in rules.items():
        if selector.split(":")[0].split("[")[0] not in CONTROLS or ":disabled" in selector:
            continue
        edge = _colour(props.get("border"))
        if edge is None or edge == "transparent":
            continue
        fill = _colour(_find(rules, selector, "background"))
        for back in sorted(surfaces):
            # A control is told apart by its edge or by its fill; a focus ring by itself alone.
            told = contrast.ratio(edge, back) >= contrast.AA_NON_TEXT or (
                ":focus" not in selector and fill not in (None, "transparent")
                and contrast.ratio(fill, back) >= contrast.AA_NON_TEXT)
            if not told:
                found.append(f"{selector}: edge {edge} on {back} is {contrast.ratio(edge, back):.2f}:1, needs 3:1")
    return found


THEMES = [t for t in theme.THEMES if t != "system"]


@pytest.mark.parametrize("name", THEMES)
def test_every_style_rule_meets_wcag_aa_contrast(name):
    sheets = {"resources/style.qss": theme.style_sheet(name)}
    sheets |= {where: theme.restyle(text, name) for where, text in local_sheets().items()}
    assert len(sheets) >= 2  # the main sheet and the consent dialog's own
    found = []
    for where, sheet in sheets.items():
        # A local sheet's rules sit on the main sheet's surfaces and inherit its text colour.
        combined = sheet if where.startswith("resources") else sheets["resources/style.qss"] + sheet
        found += [f"{where}: {p}" for p in problems(combined) if where.startswith("resources")
                  or p.split(":")[0] in theme.rules(sheet)]
    assert found == []


@pytest.mark.parametrize("name", THEMES)
def test_every_colour_of_the_sheet_has_its_place_in_each_theme(name):
    """A colour someone adds to the standard sheet must be given its high-contrast value too,
    or that theme would quietly show the standard colour."""
    if name == "standard":
        return
    tables = theme._theme_files(name)[0]
    missing = []
    for where, sheet in {"style.qss": Path(theme.STYLE_SHEET).read_text(), **local_sheets()}.items():
        for selector, props in theme.rules(sheet).items():
            for prop, value in props.items():
                kind = theme._kind(prop)
                for colour in re.findall(r"#[0-9a-fA-F]{6}\b", value):
                    if kind and colour.lower() not in tables[kind]:
                        missing.append(f"{where} {selector} {prop}: {colour}")
    assert missing == []


def test_the_check_catches_pale_text_and_faint_edges():
    sheet = ("QWidget { color: #1f2933; } QDialog { background: #ffffff; }"
             "QLabel[kind=\"hint\"] { color: #9aa5b1; } QLineEdit { border: 1px solid #d5dbe1; }")
    found = problems(sheet)
    assert any("QLabel[kind=\"hint\"]: text #9aa5b1 on #ffffff" in p for p in found)
    assert any("QLineEdit: edge #d5dbe1" in p for p in found)
    assert problems(sheet.replace("#9aa5b1", "#4a5866").replace("#d5dbe1", "#8a96a3")) == []


def test_contrast_ratio_matches_wcag_examples():
    assert contrast.ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast.ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast.ratio("#ffffff", "#ffffff") == pytest.approx(1)


def test_text_size_scales_every_point_size_in_the_sheet():
    sheet = theme.style_sheet("standard", 200)
    assert "font-size: 38pt" in sheet and "font-size: 19pt" not in sheet  # the heading, 19pt at 100%


# Painted from Python: names that are not text (bars, grids, edges, shading).
NOT_TEXT = ("BACKGROUND", "GRID", "BORDER", "BAR", "GUIDE", "UNDERLINE", "INK")
TABLE_ROWS = ("#ffffff", "#f6f8fa")  # QTableView background and alternate rows


def painted_colours() -> list[tuple[str, str, str | None]]:
    """(where, text colour, its own background or None) for each module-level colour constant
    in ui/: `X = QColor("#...")`, and `{key: (QColor(text), QColor(background))}` tables."""
    found = []

    def hexes(node) -> list[str]:
        return [n.args[0].value for n in ast.walk(node) if isinstance(n, ast.Call)
                and getattr(n.func, "id", "") == "QColor" and n.args and isinstance(n.args[0], ast.Constant)
                and str(n.args[0].value).startswith("#")]

    for path in UI.rglob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        # X_TEXT is drawn on X_BACKGROUND when the module has both (a redaction box).
        backs = {n.targets[0].id.removesuffix("_BACKGROUND"): hexes(n.value)[0] for n in body
                 if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)
                 and n.targets[0].id.endswith("_BACKGROUND") and hexes(n.value)}
        for node in body:
            if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
                continue
            name, where = node.targets[0].id, f"{path.relative_to(UI.parent)}:{node.targets[0].id}"
            if any(word in name for word in NOT_TEXT):
                continue
            for value in ([node.value] if not isinstance(node.value, ast.Dict) else node.value.values):
                colours = hexes(value)
                if isinstance(value, ast.Tuple) and len(colours) == 2:
                    found.append((where, colours[0], colours[1]))
                else:
                    found += [(where, colour, backs.get(name.removesuffix("_TEXT"))) for colour in colours]
    return found


@pytest.mark.parametrize("name", THEMES)
def test_colours_painted_from_python_meet_aa_on_table_rows(name):
    """Each painted colour goes through the theme's tables at paint time (theme.painted), as the
    sheet's colours do: in the dark theme an overdue row's red must read on a dark row."""
    tables = theme._theme_files(name)[0]

    def swap(colour: str, kind: str) -> str:
        return tables.get(kind, {}).get(colour.lower(), colour)

    rows = [swap(row, "background") for row in TABLE_ROWS]
    found, checked = [], painted_colours()
    assert len(checked) >= 8  # overdue, due soon, closed and disabled rows at least
    for where, text, back in checked:
        for background in ([swap(back, "background")] if back else rows):
            got = contrast.ratio(swap(text, "text"), background)
            if got < contrast.AA_TEXT:
                found.append(f"{where}: {swap(text, 'text')} on {background} is {got:.2f}:1")
    assert found == []


@pytest.mark.parametrize("name", THEMES)
def test_date_fields_have_the_edges_and_focus_ring_of_other_fields(name):
    """On the walk at 200% in high contrast a date field showed Fusion's thin blue focus line
    and blue selection: QDateEdit is no QSpinBox, so the sheet never reached it."""
    rules = theme.rules(theme.style_sheet(name))
    for state in ("QDateTimeEdit", "QDateTimeEdit:focus"):
        assert rules[state]["border"] == rules[state.replace("QDateTimeEdit", "QLineEdit")]["border"]
    assert rules["QDateTimeEdit"]["selection-background-color"] == rules["QLineEdit"]["selection-background-color"]

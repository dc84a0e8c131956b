"""Every colour and banner style of the window, named by what it means, so that "error" looks the
same in the banner, the history panel, a mapping cell and the save-blocked note.

Colours are hex strings (no Qt class is loaded here: the settings list paints its badges after the
window's first paint and builds its QColors then).
"""
from __future__ import annotations

from typing import NamedTuple


class Tone(NamedTuple):
    text: str
    background: str
    border: str


INFO = Tone("#1d3b63", "#e7f0fb", "#b6cdea")
OK = Tone("#1e5631", "#e7f4ea", "#b3d8bd")
WARNING = Tone("#9a6700", "#fff4d6", "#ebcf8a")
ERROR = Tone("#8a1c12", "#fde7e9", "#efb4b9")
READ_ONLY = Tone("#3d444d", "#eef0f3", "#c9ced6")
NEUTRAL = Tone("#555555", "#eeeeee", "#cccccc")
TONES = {"info": INFO, "ok": OK, "warning": WARNING, "error": ERROR, "read-only": READ_ONLY}

# What changed, in diffs, the history and the mapping editor (the diff's icons carry it too).
ADDED = "#1a7f37"
REMOVED = "#cf222e"
CHANGED = "#9a6700"
KIND_COLOURS = {"added": ADDED, "removed": REMOVED, "changed": CHANGED}
ROW_TINT_ALPHA = 30

# Where a value comes from (the settings list's badges): text colour, background.
SOURCE_BADGES = {"database": ("#1f5fa8", INFO.background), "file": (ADDED, OK.background),
                 "settings": (WARNING.text, WARNING.background)}

MUTED = "#9aa0a6"            # stale readers, chart axis
CHART_BAR = "#3b73b9"
CHART_TODAY = "#1f4f8f"
CHART_TEXT = "#4a525a"


def text_sheet(tone: Tone) -> str:
    """Coloured text (a problem under an editor, a warning beside the spin box)."""
    return f"color: {tone.text};"


def cell_sheet(tone: Tone) -> str:
    """A field marked in place (an invalid mapping cell)."""
    return f"background: {tone.background}; color: {tone.text};"


def banner_sheet(tone: Tone, selector: str = "", padding: str = "2px 8px") -> str:
    """A boxed message; `selector` scopes it (e.g. `#banner_conflict`) so children keep their own look."""
    body = (f"background: {tone.background}; border: 1px solid {tone.border}; border-radius: 4px;"
            f" color: {tone.text}; padding: {padding};")
    return f"{selector} {{ {body} }}" if selector else body

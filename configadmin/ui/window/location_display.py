"""Where the window reads and writes, said where the analyst looks: the window title (with the
database, never its password), a coloured badge beside the environment list (production in red),
the list itself (the environments that exist, and a way to start a new one), and the file a value
from a file comes from."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from configadmin.domain.validation import environment_problem

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved
    from configadmin.service.configuration_service import ConfigurationService

NEW_ENVIRONMENT = "New environment…"
_COLOURS = {  # background, text: production cannot be mistaken for dev
    "production": ("#c62828", "white"),
    "staging": ("#f9a825", "black"),
}


def window_title(environment: str, database: str | None) -> str:
    """`database` is the display URL (password masked); `[*]` shows the unsaved-edits mark."""
    where = f" — {database}" if database else ""
    return f"{environment}{where} — configadmin [*]"


def value_origin(r: Resolved | None, service: ConfigurationService | None) -> tuple[str, str | None]:
    """"from the database, version 7" or "from the defaults file ml_config.py", and the file's full
    path for the tooltip (None for a database value)."""
    from configadmin.domain.records import Source
    if r is None:
        return "", None
    if r.source is Source.DATABASE:
        return f"from the database, version {r.version}", None
    layer = None if service is None else service.defaults if r.source is Source.FILE else service.legacy
    if layer is None or layer.path is None:
        return f"from the {r.source}", None
    kind = "defaults file" if r.source is Source.FILE else "settings file"
    return f"from the {kind} {layer.path.name}", str(layer.path)


class EnvironmentBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBadge")
        self.setTextFormat(Qt.TextFormat.PlainText)  # never hidden: a toolbar keeps a hidden widget hidden

    def show_environment(self, environment: str) -> None:
        colours = _COLOURS.get(environment)
        self.setText(environment.upper())
        if colours is None:
            self.setStyleSheet("background: palette(mid); color: palette(window-text);"
                               " border-radius: 3px; padding: 2px 8px; margin-left: 6px; font-weight: 600;")
        else:
            self.setStyleSheet(f"background: {colours[0]}; color: {colours[1]}; border-radius: 3px;"
                               " padding: 2px 8px; margin-left: 6px; font-weight: 700;")
        self.setToolTip(f"Saves in this window change {environment}"
                        + (": the live configuration the inference services read." if
                           environment == "production" else "."))


class NewEnvironmentDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, existing: list[str]) -> str | None:
        """A new environment's name, checked (asked again with the reason until it is fine);
        None when cancelled."""
        text, problem = "", ""
        while True:
            label = "Name of the new environment (letters, digits, - _ .):"
            if problem:
                label = f"{problem}\n\n{label}"
            text, ok = QInputDialog.getText(parent, "New environment", label,
                                            QLineEdit.EchoMode.Normal, text)
            if not ok:
                return None
            text = text.strip()
            problem = environment_problem(text) or (
                f"{text!r} exists already" if text in existing else "")
            if not problem:
                return text

"""Which environment the window edits, said where the analyst looks: the window title (with the
database, never its password), a coloured badge beside the environment list (production in red),
and the list itself, which offers the environments that exist and a way to start a new one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from configadmin.domain.validation import environment_problem

NEW_ENVIRONMENT = "New environment…"
_COLOURS = {  # background, text: production cannot be mistaken for dev
    "production": ("#c62828", "white"),
    "staging": ("#f9a825", "black"),
}


def window_title(environment: str, database: str | None) -> str:
    """`database` is the display URL (password masked); `[*]` shows the unsaved-edits mark."""
    where = f" — {database}" if database else ""
    return f"{environment}{where} — configadmin [*]"


class EnvironmentBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="environmentBadge")
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

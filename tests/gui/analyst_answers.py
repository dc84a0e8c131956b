"""Stand-ins for the analyst at the window's questions (the dialogs' `ask` classmethods, per
STYLE), and small moves an analyst makes: select a setting, choose an environment, press a button
of a real modal box."""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from configadmin.ui import MainWindow
from configadmin.ui.dialogs.save_dialog import PendingChange, SaveDialog
from configadmin.ui.dialogs.unsaved_edits import UnsavedEditsDialog


def select(win: MainWindow, name: str) -> None:
    settings = win.findChild(QListWidget, "settingsList")
    item = next(settings.item(i) for i in range(settings.count())
                if settings.item(i).data(Qt.ItemDataRole.UserRole + 1) == name)
    settings.setCurrentItem(item)


def save_button(win: MainWindow) -> QToolButton:
    return win.findChild(QToolButton, "saveButton")


class SaveAsked:
    """Stands in for the analyst at the save dialog: records what it showed, then cancels."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str | None = None) -> None:
        self.shown: list[tuple[list[PendingChange], list[str]]] = []
        self.columns: list[str | None] = []  # the count of columns not in the feature table, per ask
        self.answer = answer
        monkeypatch.setattr(SaveDialog, "ask", classmethod(self._ask))

    def _ask(self, _cls: Any, _parent: Any, changes: Any, _env: str, warnings: Any = (),
             columns: str | None = None) -> str | None:
        self.shown.append((list(changes), list(warnings)))
        self.columns.append(columns)
        return self.answer


class EditsAsked:
    """Stands in for the analyst at the unsaved-edits question."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str | None) -> None:
        self.answer = answer
        self.shown: list[tuple[str, str, list[str]]] = []
        monkeypatch.setattr(UnsavedEditsDialog, "ask", classmethod(self._ask))

    def _ask(self, _cls: Any, _parent: Any, environment: str, leaving: str, lines: Any) -> str | None:
        self.shown.append((environment, leaving, list(lines)))
        return self.answer


def choose_environment(window: MainWindow, name: str) -> None:
    window.findChild(QComboBox, "environmentCombo").textActivated.emit(name)


def click_in_modal(qtbot: QtBot, caption: str) -> None:
    """Presses the button `caption` of the modal box once it is up (the real dialog, not patched)."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, press)
            return
        next(b for b in box.findChildren(QPushButton) if b.text() == caption).click()

    QTimer.singleShot(0, press)

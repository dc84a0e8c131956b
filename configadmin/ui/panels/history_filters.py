"""The history filters: a plain query record (crosses to the worker thread) and the bar that edits it."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget, QComboBox, QCompleter, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QWidget,
)

from configadmin.domain.records import Action
from configadmin.domain.text import split_setting

ALL_SETTINGS = "All settings"
ALL_ACTIONS = "All actions"
_NO_DATE = QDate(2000, 1, 1)  # the minimum of the date edits doubles as "no bound"
TYPING_PAUSE_MS = 300


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What the history shows; every field is a filter applied in SQL (None: no filter)."""

    environment: str | None = None
    setting: str | None = None  # "category.key"
    actor: str | None = None  # as typed: exact, unless `actors` resolved it
    actors: tuple[str, ...] | None = None  # the known names containing `actor`, any case
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole day
    text: str | None = None  # contained in the reason

    def replace(self, **changes: Any) -> HistoryQuery:
        return dataclasses.replace(self, **changes)

    def service_filters(self) -> dict[str, Any]:
        """Keyword arguments for `ConfigurationService.history` (dates as local-midnight bounds)."""
        category, key = split_setting(self.setting or "")
        return {
            "environment": self.environment, "category": category or None, "key": key or None,
            "actor": self.actor if self.actors is None else None, "actors": self.actors,
            "action": self.action, "text": self.text,
            "since": _local_midnight(self.since) if self.since else None,
            "until": _local_midnight(self.until + timedelta(days=1)) if self.until else None,
        }


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone()


class HistoryFilterBar(QWidget):
    """Setting, actor, action, date range and reason text; emits `changed` with the new query."""

    changed = Signal(object)

    def __init__(self, settings: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._query = HistoryQuery()
        self._actors: list[str] = []
        self.setting_combo = QComboBox()
        self.setting_combo.setObjectName("historySettingFilter")
        self.setting_combo.addItem(ALL_SETTINGS, None)
        for name in settings:
            self.setting_combo.addItem(str(name), name)
        self.actor_edit = _line_edit("historyActorFilter", "Actor")
        self.actor_edit.setMinimumWidth(160)
        self.actor_edit.setToolTip("Who made the change: any part of the name, any case (\"bo\" finds Bob); "
                                   "the list offers every name in the history. Esc clears.")
        self._actor_names = QStringListModel(self)
        completer = QCompleter(self._actor_names, self.actor_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(lambda _: self._apply())
        self.actor_edit.setCompleter(completer)
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("historyActionFilter")
        self.action_combo.addItem(ALL_ACTIONS, None)
        for action in Action:
            self.action_combo.addItem(action.value, action.value)
        self.since_edit = _date_edit("historySinceFilter")
        self.until_edit = _date_edit("historyUntilFilter")
        self.text_edit = _line_edit("historyTextFilter", "Reason contains…")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.setting_combo, self.actor_edit, self.action_combo, QLabel("From"),
                       self.since_edit, QLabel("to"), self.until_edit, self.text_edit):
            layout.addWidget(widget)
        layout.setStretch(layout.indexOf(self.text_edit), 1)

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._apply)
        self.actor_edit.textChanged.connect(lambda _: self._typing.start())
        self.text_edit.textChanged.connect(lambda _: self._typing.start())
        self.actor_edit.returnPressed.connect(self._apply)
        self.text_edit.returnPressed.connect(self._apply)
        for line in (self.actor_edit, self.text_edit):  # Esc clears the filter it is typed in
            line.installEventFilter(self)
        for combo in (self.setting_combo, self.action_combo):
            combo.currentIndexChanged.connect(lambda _: self._apply())
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(lambda _: self._apply())
            edit.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in a text filter clears it (and closes the actor suggestions); an unset date bound
        opens its calendar on this month, not on the year-2000 "any" marker."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(watched, QLineEdit)
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape and watched.text()):
            completer = watched.completer()
            popup = completer.popup() if completer is not None else None
            if popup is not None:
                popup.hide()
            watched.clear()
            self._apply()
            return True
        if event.type() == QEvent.Type.Show and isinstance(watched, QCalendarWidget):
            if watched.selectedDate() == _NO_DATE:
                today = QDate.currentDate()
                watched.setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    @property
    def query(self) -> HistoryQuery:
        return self._query

    def set_actors(self, names: list[str]) -> None:
        """The names to pick from (and to match typed text against); re-applies a typed actor."""
        if names == self._actors:
            return
        self._actors = names
        self._actor_names.setStringList(names)
        if self._query.actor:
            self._query = self._query.replace(actors=None)  # resolve again against the new list
            self._apply()

    @property
    def actors(self) -> list[str]:
        return list(self._actors)

    def focus_actor(self) -> None:
        self.actor_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.actor_edit.selectAll()

    def set_environment(self, environment: str | None) -> None:
        self._query = self._query.replace(environment=environment)

    def set_setting(self, name: str | None) -> None:
        """Selects the setting without emitting `changed` (the panel refreshes itself)."""
        index = self.setting_combo.findData(name) if name else 0
        if index < 0:
            self.setting_combo.addItem(str(name), name)
            index = self.setting_combo.count() - 1
        self.setting_combo.blockSignals(True)
        self.setting_combo.setCurrentIndex(index)
        self.setting_combo.blockSignals(False)
        self._query = self._query.replace(setting=name)

    def _apply(self) -> None:
        self._typing.stop()
        actor = self.actor_edit.text().strip() or None
        needle = (actor or "").casefold()
        actors = tuple(a for a in self._actors if needle in a.casefold()) if actor and self._actors else None
        query = self._query.replace(
            setting=self.setting_combo.currentData(),
            actor=actor, actors=actors,
            action=self.action_combo.currentData(),
            since=_date_of(self.since_edit), until=_date_of(self.until_edit),
            text=self.text_edit.text().strip() or None,
        )
        if query != self._query:
            self._query = query
            self.changed.emit(query)


def _line_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_NO_DATE)
    edit.setSpecialValueText("any")
    edit.setDate(_NO_DATE)
    return edit


def _date_of(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == _NO_DATE else date(value.year(), value.month(), value.day())

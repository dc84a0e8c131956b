"""Unsaved edits on disk, so a crash or a kill loses nothing: one draft per database and environment
in the platformdirs state folder (draft_file.py), written within two seconds of an edit, offered
back at start; a draft that cannot be used is set aside and the analyst told so."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from configadmin.ui.plain_text import plain_message_box
from configadmin.ui.window.draft_file import Draft as Draft
from configadmin.ui.window.draft_file import DraftEntry as DraftEntry
from configadmin.ui.window.draft_file import DraftStore as DraftStore
from configadmin.ui.window.draft_file import UnusableDraft as UnusableDraft
from configadmin.ui.window.draft_file import drafts_folder as drafts_folder

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved

RESTORE_LINES = 15  # entries listed in the restore question
DRAFT_DELAY_MS = 1000  # a timer that is not restarted by later edits: on disk within two seconds


class RestoreDraftDialog:
    """Asks whether to bring back the edits found in a draft."""

    @classmethod
    def ask(cls, parent: QWidget | None, draft: Draft, summary: str) -> bool:
        box = QMessageBox(parent)
        box.setObjectName("restoreDraftDialog")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the entries are data
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved edits found")
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        box.setText(f"You have unsaved edits to {draft.environment} from {when}. Restore them?")
        box.setInformativeText(summary)
        plain_message_box(box)
        restore = box.addButton("Restore edits", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard them", QMessageBox.ButtonRole.DestructiveRole)
        box.exec()
        chosen = box.clickedButton() is restore
        box.deleteLater()
        return chosen


class DraftKeeper(QObject):
    """Keeps one window's draft: written shortly after edits, offered back once per environment."""

    writeFailed = Signal(str)
    unusable = Signal(str)  # a draft was found but set aside: what to tell the analyst

    def __init__(self, parent: QWidget, collect: Callable[[], dict[str, DraftEntry]]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._collect = collect
        self._store: DraftStore | None = None
        self._ready = False
        self._timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.write_now)

    def bind(self, database: str, environment: str) -> None:
        """A new database or environment: nothing is written until its draft has been offered."""
        self.write_now()
        self._store = DraftStore(database, environment)
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    def edited(self) -> None:
        if self._ready and not self._timer.isActive():
            self._timer.start()

    def write_now(self) -> None:
        self._timer.stop()
        if self._store is None or not self._ready:
            return
        try:
            self._store.save(self._collect())
        except OSError as exc:
            self.writeFailed.emit(f"Could not write the draft: {exc.strerror or exc}")

    def stop(self) -> None:
        self._timer.stop()

    def offer(self, draft: Draft | UnusableDraft | None, current: Mapping[str, Resolved],
              restore: Callable[[str, Any], None]) -> bool:
        """Asks whether to restore the draft's edits (those that still differ from `current`);
        calls `restore(name, value)` for each when yes, removes the draft when no."""
        self._ready = True
        if draft is None or self._store is None:
            return False
        from configadmin.domain.resolution import thaw
        from configadmin.domain.validation import json_type
        from configadmin.ui.dialogs.save_dialog import PendingChange, describe
        if not isinstance(draft, UnusableDraft):
            wrong = [n for n, e in draft.settings.items() if n in current
                     and current[n].value is not None
                     and json_type(e.value) != json_type(thaw(current[n].value))]
            if wrong:
                draft = self._store.set_aside(f"holds a value of the wrong type for {wrong[0][:60]}")
        if isinstance(draft, UnusableDraft):
            where = f"; it was kept as {draft.moved_to}" if draft.moved_to else ""
            self.unusable.emit(f"A draft of unsaved edits {draft.reason} and was not restored{where}.")
            return False
        wanted = {n: e for n, e in draft.settings.items() if n in current and thaw(current[n].value) != e.value}
        if not wanted:
            self._store.remove()
            return False
        summary, lines = describe([PendingChange(n, current[n].value, e.value) for n, e in wanted.items()])
        shown = lines[:RESTORE_LINES] + ([f"… and {len(lines) - RESTORE_LINES:,} more"]
                                         if len(lines) > RESTORE_LINES else [])
        summary += "\n\n" + "\n".join(shown)  # the entries themselves, not only their counts
        moved = [n for n, e in wanted.items() if e.base_version != current[n].stored_version]
        if moved:
            summary += f"\n\n{', '.join(moved)} has been saved by someone since; review before saving."
        if not RestoreDraftDialog.ask(self._parent, draft, summary):
            self._store.remove()
            return False
        for name, entry in wanted.items():
            restore(name, entry.value)
        return True

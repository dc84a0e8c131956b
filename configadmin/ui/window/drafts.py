"""Unsaved edits on disk, so a crash or a kill loses nothing: one draft per window (its process and
window, for its database and environment) in the platformdirs state folder (draft_file.py), written
within two seconds of an edit; at start every draft that is left (its window gone) is offered, each
with its time and a summary; a draft that cannot be used is set aside and the analyst told so."""
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
from configadmin.ui.window.draft_file import new_owner, owner_gone

if TYPE_CHECKING:
    from configadmin.domain.records import Resolved

RESTORE_LINES = 15  # entries listed in the restore question
DRAFT_DELAY_MS = 1000  # a timer that is not restarted by later edits: on disk within two seconds


class RestoreDraftDialog:
    """Asks whether to bring back the edits found in a draft: True restore, False discard, None
    (closed without an answer) keeps the draft for later."""

    @classmethod
    def ask(cls, parent: QWidget | None, draft: Draft, summary: str) -> bool | None:
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
        discard = box.addButton("Discard them", QMessageBox.ButtonRole.DestructiveRole)
        later = box.addButton("Keep for later", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(later)  # Esc or the window's close button: nothing is lost
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return True if clicked is restore else False if clicked is discard else None


class DraftKeeper(QObject):
    """Keeps one window's draft: written shortly after edits; the drafts left by other windows are
    offered once per environment."""

    writeFailed = Signal(str)
    unusable = Signal(str)  # a draft was found but set aside: what to tell the analyst

    def __init__(self, parent: QWidget, collect: Callable[[], dict[str, DraftEntry]]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._collect = collect
        self._store: DraftStore | None = None
        self._owner = new_owner()
        self._ready = False
        self._timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._timer.timeout.connect(self.write_now)

    def bind(self, database: str, environment: str) -> None:
        """A new database or environment: nothing is written until its draft has been offered."""
        self.write_now()
        self._store = DraftStore(database, environment, owner=self._owner)
        self._ready = False

    @property
    def path(self) -> str | None:
        """This window's draft file (it exists while the window has unsaved edits)."""
        return str(self._store.path) if self._store is not None else None

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
        """The window closes: its draft, if it kept one, is now left for the next start."""
        self._timer.stop()
        owner_gone(self._owner)

    def offer(self, drafts: list[Draft | UnusableDraft], current: Mapping[str, Resolved],
              restore: Callable[[str, Any], None]) -> bool:
        """Offers the drafts left by other windows (those edits that still differ from `current`):
        one is asked about alone, several are listed to pick from; `restore(name, value)` is called
        for each edit of the one restored, which then becomes this window's draft."""
        self._ready = True
        if self._store is None:
            return False
        offers: list[tuple[Draft, dict[str, DraftEntry], str]] = []
        for draft in drafts:
            found = self._usable(draft, current)
            if found is not None:
                offers.append(found)
        if not offers:
            return False
        if len(offers) == 1:
            draft, wanted, summary = offers[0]
            answer = RestoreDraftDialog.ask(self._parent, draft, summary)
            chosen: tuple[str, int] | None = None if answer is None else ("restore" if answer else "discard", 0)
        else:
            from configadmin.ui.dialogs.draft_choice import DraftChoiceDialog
            chosen = DraftChoiceDialog.ask(self._parent, [(d.saved_at, summary) for d, _, summary in offers])
        if chosen is None:
            return False  # kept: offered again at the next start
        action, index = chosen
        draft, wanted, _ = offers[index]
        if action == "discard":
            self._store.remove(draft)
            return False
        for name, entry in wanted.items():
            restore(name, entry.value)
        self.write_now()  # the edits are this window's draft now, before the old file goes
        self._store.remove(draft)
        return True

    def _usable(self, draft: Draft | UnusableDraft, current: Mapping[str, Resolved]
                ) -> tuple[Draft, dict[str, DraftEntry], str] | None:
        """(draft, its edits that still differ, the summary to show); None: nothing to offer."""
        from configadmin.domain.resolution import thaw
        from configadmin.domain.validation import json_type
        from configadmin.ui.dialogs.save_dialog import PendingChange, describe
        assert self._store is not None
        if not isinstance(draft, UnusableDraft):
            wrong = [n for n, e in draft.settings.items() if n in current
                     and current[n].value is not None
                     and json_type(e.value) != json_type(thaw(current[n].value))]
            if wrong:
                draft = self._store.set_aside(f"holds a value of the wrong type for {wrong[0][:60]}", draft)
        if isinstance(draft, UnusableDraft):
            where = f"; it was kept as {draft.moved_to}" if draft.moved_to else ""
            self.unusable.emit(f"A draft of unsaved edits {draft.reason} and was not restored{where}.")
            return None
        wanted = {n: e for n, e in draft.settings.items() if n in current and thaw(current[n].value) != e.value}
        if not wanted:
            self._store.remove(draft)
            return None
        summary, lines = describe([PendingChange(n, current[n].value, e.value) for n, e in wanted.items()])
        shown = lines[:RESTORE_LINES] + ([f"… and {len(lines) - RESTORE_LINES:,} more"]
                                         if len(lines) > RESTORE_LINES else [])
        summary += "\n\n" + "\n".join(shown)  # the entries themselves, not only their counts
        moved = [n for n, e in wanted.items() if e.base_version != current[n].stored_version]
        if moved:
            summary += f"\n\n{', '.join(moved)} has been saved by someone since; review before saving."
        return draft, wanted, summary

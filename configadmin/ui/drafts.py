"""Unsaved edits on disk, so a crash or a kill loses nothing: one draft per database and environment
in the platformdirs state folder, written within two seconds of an edit, offered back at start."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtWidgets import QMessageBox, QWidget

DRAFT_DELAY_MS = 1000


@dataclass(frozen=True)
class DraftEntry:
    base_version: int
    value: Any


@dataclass(frozen=True)
class Draft:
    database: str
    environment: str
    saved_at: datetime
    settings: dict[str, DraftEntry]


def drafts_folder() -> Path:
    return Path(platformdirs.user_state_dir("configadmin", appauthor=False)) / "drafts"


class DraftStore:
    """`database` is the display URL (no password): it names the draft and is written in it."""

    def __init__(self, database: str, environment: str, folder: Path | None = None) -> None:
        self.database = database
        self.environment = environment
        digest = hashlib.sha256(f"{database}\n{environment}".encode()).hexdigest()[:16]
        self.path = (folder or drafts_folder()) / f"{environment[:40]}-{digest}.json"

    def save(self, settings: dict[str, DraftEntry]) -> None:
        """Atomic: a kill during the write leaves the previous draft, never half a file."""
        if not settings:
            self.remove()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"database": self.database, "environment": self.environment,
                "saved_at": datetime.now(UTC).isoformat(),
                "settings": {k: {"base_version": e.base_version, "value": e.value} for k, e in settings.items()}}
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def load(self) -> Draft | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Draft(data["database"], data["environment"], datetime.fromisoformat(data["saved_at"]),
                         {k: DraftEntry(int(v["base_version"]), v["value"]) for k, v in data["settings"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class RestoreDraftDialog:
    """Asks whether to bring back the edits found in a draft."""

    @classmethod
    def ask(cls, parent: QWidget | None, draft: Draft, summary: str) -> bool:
        box = QMessageBox(parent)
        box.setObjectName("restoreDraftDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved edits found")
        when = draft.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
        box.setText(f"You have unsaved edits to {draft.environment} from {when}. Restore them?")
        box.setInformativeText(summary)
        restore = box.addButton("Restore edits", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard them", QMessageBox.ButtonRole.DestructiveRole)
        box.exec()
        chosen = box.clickedButton() is restore
        box.deleteLater()
        return chosen

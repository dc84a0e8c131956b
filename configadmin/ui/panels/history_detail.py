"""The detail pane: what one audit entry changed, entry by entry (old → new)."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import AuditEntry, SettingKey
from configadmin.domain.text import local_time
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """An audit entry with its diff; an absent side (first set, reset) is the current file default."""

    entry: AuditEntry
    diff: Diff
    against_default: bool = False


def load_detail(service: ConfigurationService, audit_id: int) -> EntryDetail:
    """Runs in the runner: the full entry and its (possibly large) diff, off the GUI thread."""
    entry = service.audit_entry(audit_id)
    old, new = entry.old_value, entry.new_value
    against_default = False
    if old is None or new is None:
        default = service.file_default(SettingKey(entry.category, entry.key))
        against_default = default is not None
        old = default if old is None else old
        new = default if new is None else new
    return EntryDetail(entry, diff_values(old, new), against_default)


class HistoryDetail(QWidget):
    """Header (who, when, why) over the entry-level diff table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel()
        self.header.setObjectName("historyDetailHeader")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.model = DiffModel(self, old_header="Old", new_header="New")  # the diff panel's table
        self.table = diff_table(self.model, "historyDetailTable", (90, 200, 220))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.table)
        self.show_detail(None)

    def show_loading(self) -> None:
        self.header.setText("Loading…")
        self.model.set_entries(())

    def show_detail(self, detail: EntryDetail | None) -> None:
        if detail is None:
            self.header.setText("Select an entry to see what it changed.")
            self.model.set_entries(())
            return
        e = detail.entry
        parts = [f"#{e.id}  {e.setting} ({e.environment})  ·  {e.action} by {e.actor}  ·  "
                 f"{local_time(e.at)}  ·  version {e.version}"]
        if e.reason:
            parts.append(f"Reason: {e.reason}")
        changes = detail.diff.summary if detail.diff else "no differences"
        note = " (an absent side is compared with the current file default)" if detail.against_default else ""
        parts.append(f"Changes: {changes}{note}")
        self.header.setText("\n".join(parts))
        self.model.set_entries(detail.diff.entries)

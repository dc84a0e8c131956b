"""The detail pane: what one audit entry changed, entry by entry (old → new)."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import AuditEntry, SettingKey
from configadmin.domain.text import local_time
from configadmin.service.configuration_service import ConfigurationService
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table
from configadmin.ui.plain_text import TextDetailsDialog, elide, needs_details

REASON_SHOWN = 600  # characters of a reason in the header; "Full reason…" shows the rest


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
        self.full_reason = QPushButton("Full reason…")
        self.full_reason.setObjectName("historyFullReason")
        self.full_reason.clicked.connect(self._show_reason)
        self._reason = ""
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.full_reason, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.show_detail(None)

    def _show_reason(self) -> None:
        TextDetailsDialog.show_text(self.window(), "Reason", self._reason)

    def show_loading(self) -> None:
        self.header.setText("Loading…")
        self.model.set_entries(())

    def show_detail(self, detail: EntryDetail | None) -> None:
        if detail is None:
            self.full_reason.hide()
            self.header.setText("Select an entry to see what it changed.")
            self.model.set_entries(())
            return
        e = detail.entry
        parts = [f"#{e.id}  {e.setting} ({e.environment})  ·  {e.action} by {elide(e.by, 200)}  ·  "
                 f"{local_time(e.at)}  ·  version {e.version}"]
        self._reason = e.reason or ""
        self.full_reason.setVisible(needs_details(self._reason, REASON_SHOWN))
        if e.reason:
            parts.append(f"Reason: {elide(e.reason, REASON_SHOWN)}")
        changes = detail.diff.summary if detail.diff else "no differences"
        note = " (an absent side is compared with the current file default)" if detail.against_default else ""
        parts.append(f"Changes: {changes}{note}")
        self.header.setText("\n".join(parts))
        self.model.set_entries(detail.diff.entries)

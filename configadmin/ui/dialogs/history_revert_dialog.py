"""Before a revert: what it changes now (entry by entry, the value now → the value after) and the
later changes it undoes, with who made them and when; the reason goes into the revert's audit row."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QLineEdit,
    QTableView, QVBoxLayout, QWidget,
)

from configadmin.domain.diff import Kind
from configadmin.domain.previews import RevertPreview
from configadmin.domain.text import local_time
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.table_keys import tab_leaves

REVERT_WORDS = {Kind.ADDED: "comes back", Kind.REMOVED: "removed", Kind.CHANGED: "changes"}


def undone_lines(preview: RevertPreview) -> list[str]:
    """One line per later change the revert undoes: id, time, actor, what it did."""
    lines = [f"#{e.id}  {local_time(e.at)}  {e.actor}  {e.action}: {summary}"
             + (f" — {e.reason}" if e.reason else "")
             for e, summary in zip(preview.later, preview.later_summaries)]
    if preview.more_later:
        lines.append("… and more (see the history)")
    return lines


class RevertDialog(QDialog):
    def __init__(self, preview: RevertPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revertDialog")
        entry = preview.entry
        self.setWindowTitle(f"Revert {entry.setting} ({entry.environment}) to entry #{entry.id}")
        what = ("reset it to the file default" if entry.new_value is None
                else "store again the value it recorded")
        intro = QLabel(f"Entry #{entry.id} of {local_time(entry.at)} by {entry.actor} ({entry.action}). "
                       f"Reverting will {what} in {entry.environment}, as a new audited change.")
        intro.setObjectName("revertIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        later = undone_lines(preview)
        count = len(preview.later)
        undone = QLabel()
        undone.setObjectName("revertUndone")
        undone.setWordWrap(True)
        undone.setTextFormat(Qt.TextFormat.PlainText)
        if later:
            more = "+" if preview.more_later else ""
            undone.setText(f"This undoes {count:,}{more} later change{'s' if count != 1 else ''}:\n"
                           + "\n".join(later))
            undone.setStyleSheet("color: #7a4b00; background: #fff4d6; border: 1px solid #e8cf8a;"
                                 " border-radius: 4px; padding: 4px 8px;")
        else:
            undone.setText("No change was made after this entry.")

        diff = preview.diff
        self.summary = QLabel()
        self.summary.setObjectName("revertSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setText(f"What changes now: {diff.summary}" if diff else
                             "The value now already equals this entry's: reverting changes nothing.")
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        self.model = DiffModel(self, old_header="Now", new_header="After revert", kind_words=REVERT_WORDS)
        self.model.set_entries(diff.entries)
        self.table = QTableView()
        self.table.setObjectName("revertDiffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        tab_leaves(self.table)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((110, 170, 200)):
            self.table.setColumnWidth(column, width)
        self.table.setVisible(bool(diff))

        self.reason = QLineEdit()
        self.reason.setObjectName("revertReason")
        self.reason.setPlaceholderText("Why? (required)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Revert")
        ok.setObjectName("revertConfirmButton")
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason:", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(undone)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        if not diff:
            layout.addStretch(1)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(760, 460 if diff else 260)
        self.reason.setFocus()  # the one thing the analyst must type; the table is for reading

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    @classmethod
    def ask(cls, preview: RevertPreview, parent: QWidget | None = None) -> str | None:
        """The reason, or None when the user cancelled."""
        dialog = cls(preview, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.reason.text().strip() or None
        finally:
            dialog.deleteLater()

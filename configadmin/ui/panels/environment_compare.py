"""One setting in two environments side by side, the diff a promote would make, and "Promote →",
which writes the target environment only (audited as `promote` there)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QVBoxLayout, QWidget,
)

from configadmin.domain.diff import Kind
from configadmin.domain.records import Resolved, SettingKey, Source
from configadmin.domain.errors import ConflictError
from configadmin.ui.error_text import error_text
from configadmin.domain.text import json_text, value_text
from configadmin.ui import theme
from configadmin.service.configuration_service import ConfigurationService, PromotePreview
from configadmin.ui.dialogs.promote_confirm import PromoteConfirm
from configadmin.ui.panels.diff_model import DiffModel
from configadmin.ui.panels.diff_table import diff_table
from configadmin.ui.dialogs.messages import Messages
from configadmin.ui.worker import Runner
from configadmin.ui.plain_text import plain
from configadmin.ui.table_keys import tab_leaves

SHOWN_CHARS = 2_000_000
PROMOTION_ORDER = ("default", "dev", "staging", "production")


def promotion_pair(here: str) -> tuple[str, str]:
    """(from, to) to offer first: the current environment into the next one up (dev → staging →
    production); from production, staging into production; any other name into dev."""
    if here == PROMOTION_ORDER[-1]:
        return PROMOTION_ORDER[-2], here
    if here in PROMOTION_ORDER:
        return here, PROMOTION_ORDER[PROMOTION_ORDER.index(here) + 1]
    return here, "dev"


@dataclass(frozen=True)
class _Side:
    environment: str
    caption: str
    text: str


@dataclass(frozen=True)
class _Comparison:
    source: _Side
    target: _Side
    preview: PromotePreview


def _side(environment: str, resolved: Resolved) -> _Side:
    if resolved.source is Source.DATABASE:
        caption = f"database value, version {resolved.version}"
    else:
        caption = "no database value: the file default applies" if resolved.source is Source.FILE \
            else "no database value: settings.py applies"
    text = json_text(resolved.value, indent=2)
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + "\n… (shortened for display)"
    return _Side(environment, caption, text)


class EnvironmentCompareDialog(QDialog):
    def __init__(self, runner: Runner, service: ConfigurationService, setting_name: str,
                 parent: QWidget | None = None, read_only: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentCompareDialog")
        self.setWindowTitle(f"Compare environments — {setting_name}")
        self._runner = runner
        self._service = service
        self._setting: SettingKey = service.parse_key(setting_name)
        self._comparison: _Comparison | None = None
        self._busy = False
        self._note = ""
        self.promoted = False
        self._read_only = read_only  # why this user may not promote (None: may)
        self._build()
        self._runner.run(service.environments, on_success=self._environments,
                         on_failure=self._failed("Could not list the environments"), owner=self)

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.from_combo = QComboBox()
        self.from_combo.setObjectName("compareFromCombo")
        self.to_combo = QComboBox()
        self.to_combo.setObjectName("compareToCombo")
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel("From"))
        pickers.addWidget(self.from_combo, 1)
        pickers.addSpacing(12)
        pickers.addWidget(QLabel("promote to"))
        pickers.addWidget(self.to_combo, 1)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._captions: list[QLabel] = []
        self._texts: list[QPlainTextEdit] = []
        sides = QGridLayout()
        for column, name in enumerate(("compareFromValue", "compareToValue")):
            caption = QLabel()
            caption.setObjectName(f"{name}Caption")
            caption.setTextFormat(Qt.TextFormat.PlainText)
            text = QPlainTextEdit()
            text.setObjectName(name)
            text.setReadOnly(True)
            tab_leaves(text)
            text.setFont(mono)
            text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            sides.addWidget(caption, 0, column)
            sides.addWidget(text, 1, column)
            self._captions.append(caption)
            self._texts.append(text)

        self.warnings = QLabel()
        self.warnings.setObjectName("promoteWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setStyleSheet(theme.banner_sheet(theme.WARNING, padding="4px 8px"))
        self.warnings.hide()
        self.summary = plain(QLabel())
        self.summary.setObjectName("compareSummary")
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        self.model = DiffModel(self, old_header="Target now", new_header="After promote")
        self.table = diff_table(self.model, "compareDiffTable", (96, 180, 220))

        self.reason = QLineEdit()
        self.reason.setObjectName("promoteReason")
        self.reason.setPlaceholderText("Reason for the audit trail (optional)")
        self.status = QLabel()
        self.status.setObjectName("compareStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self._close)
        self.promote_button = QPushButton("Promote →")
        self.promote_button.setObjectName("promoteButton")
        self.promote_button.setEnabled(False)
        self.promote_button.clicked.connect(self._promote)
        buttons.addButton(self.promote_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addLayout(sides, 3)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.reason)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(860, 640)

    # -- loading ----------------------------------------------------------------------------------
    def _environments(self, names: list[str]) -> None:
        source, target = promotion_pair(self._service.environment)
        names = list(dict.fromkeys([*PROMOTION_ORDER, *names]))  # a first promote creates the target
        for combo in (self.from_combo, self.to_combo):
            combo.blockSignals(True)
            combo.addItems(names)
            combo.blockSignals(False)
        self.from_combo.setCurrentText(source)
        self.to_combo.setCurrentText(target)
        self.from_combo.currentTextChanged.connect(self._picked)
        self.to_combo.currentTextChanged.connect(self._picked)
        self.reload()

    def _picked(self) -> None:
        self._note = ""
        self.reload()

    def reload(self) -> None:
        """Fetches both sides and the preview again (after a pick, or after a promote)."""
        self._runner.drop("compare", self)
        self._comparison = None
        self._update_button()
        source, target = self.from_combo.currentText(), self.to_combo.currentText()
        if source == target:
            self._clear(f"Pick two different environments (both are {source!r}).")
            return
        self.status.setText("Loading…")
        service, setting = self._service, self._setting  # plain values: the job must not touch the dialog
        self._runner.run(lambda: _compare(service, setting, source, target), on_success=self._show,
                         on_failure=self._failed("Could not compare the environments"),
                         owner=self, key="compare")

    def _show(self, result: _Comparison) -> None:
        self._comparison = result
        for caption, text, side in zip(self._captions, self._texts, (result.source, result.target)):
            caption.setText(f"{side.environment}: {side.caption}")
            text.setPlainText(side.text)
        diff = result.preview.diff
        self.model.set_headers(f"{result.target.environment} now",
                               f"{result.target.environment} after promote")
        self.model.set_entries(diff.entries)
        self.table.setVisible(bool(diff))
        self.warnings.setText("\n".join(f"⚠ {text}" for text in result.preview.warnings))
        self.warnings.setVisible(bool(result.preview.warnings) and bool(diff))
        if diff and len(diff) == 1 and not diff.entries[0].path:
            self.summary.setText(f"Promote changes {result.target.environment}: "
                                 f"{value_text(diff.entries[0].old)} → {value_text(diff.entries[0].new)}")
        elif diff:
            self.summary.setText(
                f"Promote changes {result.target.environment}: {diff.count(Kind.ADDED):,} added, "
                f"{diff.count(Kind.REMOVED):,} removed, {diff.count(Kind.CHANGED):,} changed")
        elif result.preview.changes:
            self.summary.setText(f"Promote changes {result.target.environment}: the same entries, "
                                 "in another order.")
        else:
            self.summary.setText(f"{result.target.environment} already has this value: nothing to promote.")
        self.status.setText(self._note)
        self._update_button()

    def _clear(self, message: str) -> None:
        for caption, text in zip(self._captions, self._texts):
            caption.setText("")
            text.clear()
        self.model.set_entries(())
        self.warnings.hide()
        self.summary.setText(message)
        self.status.setText("")

    # -- promoting --------------------------------------------------------------------------------
    def _update_button(self) -> None:
        c = self._comparison
        ready = c is not None and c.preview.changes and not self._busy
        self.promote_button.setEnabled(ready and not self._read_only)
        self.promote_button.setToolTip(f"Promote — not available: {self._read_only}"
                                       if self._read_only else "")
        self.promote_button.setText(f"Promote {c.source.environment} → {c.target.environment}"
                                    if c is not None else "Promote →")

    def _promote(self) -> None:
        c = self._comparison
        if c is None or self._busy or not PromoteConfirm.ask(self, c.preview):
            return
        self._busy = True
        self._update_button()
        preview, reason = c.preview, self.reason.text().strip() or None
        self.status.setText(f"Promoting to {preview.to_env}…")
        from configadmin.ui.operations.promote_flow import promote
        promote(self._runner, self._service, preview, reason, owner=self, on_done=self._promoted,
                on_failure=self._promote_failed)

    def _promoted(self, entry: Any) -> None:
        self.promoted = self.promoted or entry is not None
        self._busy = False
        if entry is not None:
            self._note = (f"Promoted to {entry.environment}: now version {entry.version} "
                          f"(audit entry #{entry.id}).")
            self.reason.clear()  # the next promote gets its own reason
        self.reload()

    def _promote_failed(self, error: BaseException) -> None:
        self._busy = False
        if isinstance(error, ConflictError):
            self._note = "The target changed while you looked: the comparison is refreshed; check it again."
            self.reload()
            return
        self._failed("Promote failed")(error)
        self._update_button()

    def _failed(self, doing: str) -> Any:
        def show(error: BaseException) -> None:
            self.status.setText("")
            Messages.error(self, error_text(error, self._service, doing))
        return show

    def _close(self) -> None:
        self.done(QDialog.DialogCode.Accepted if self.promoted else QDialog.DialogCode.Rejected)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: Runner, service: ConfigurationService,
            setting_name: str, read_only: str | None = None) -> bool:
        """True when something was promoted (the window reloads then); `read_only` says why this
        user may compare but not promote."""
        dialog = cls(runner, service, setting_name, parent, read_only)
        try:
            dialog.exec()
        finally:
            runner.forget(dialog)  # results still on their way find nobody to show them to
            dialog.deleteLater()
        return dialog.promoted


def _compare(service: ConfigurationService, setting: SettingKey, source: str, target: str) -> _Comparison:
    """Worker side: three reads, nothing of the dialog's (it may be closed while this runs)."""
    preview = service.promote_preview(setting.category, setting.key, source, target)
    return _Comparison(_side(source, service.stored_resolution(setting, source)),
                       _side(target, service.stored_resolution(setting, target)), preview)

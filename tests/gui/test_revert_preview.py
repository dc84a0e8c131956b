"""Issue 15 item 2: before a revert, the change from the value now to the reverted one and the
later changes it undoes (who, when, which entry) are shown; nothing is written until confirmed."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.ui.dialogs.history_revert_dialog import RevertDialog
from configadmin.ui.panels.history_panel import HistoryPanel
from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui
WAIT = 20_000


@pytest.fixture
def panel(qtbot: QtBot, runner: Runner, service: ConfigurationService) -> Iterator[HistoryPanel]:
    widget = HistoryPanel(runner, service)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


def loaded(qtbot: QtBot, panel: HistoryPanel) -> None:
    qtbot.waitUntil(lambda: not panel.model.loading and panel.model.rowCount() > 0, timeout=WAIT)


def open_preview(qtbot: QtBot, panel: HistoryPanel, monkeypatch: pytest.MonkeyPatch, *,
                 shown: bool = False) -> RevertDialog:
    """Clicks Revert… for the selected entry and returns the preview dialog, left open (its `ask`
    only builds it, and shows it when `shown`)."""
    seen: list[RevertDialog] = []

    def look(cls: type[RevertDialog], preview: object, parent: object = None) -> None:
        dialog = cls(preview, parent)
        qtbot.addWidget(dialog)
        if shown:
            dialog.show()
        seen.append(dialog)
        return None

    monkeypatch.setattr(RevertDialog, "ask", classmethod(look))
    panel.revert_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    return seen[0]


def test_revert_preview_shows_the_change_now_and_the_later_changes_it_undoes(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 item 2: reverting to #1 silently undid two later changes by other people."""
    base = dict(service.get_ml_feature_mapping())
    service.set("ml", "feature_mapping", base, updated_by="alice", reason="baseline")
    service.set("ml", "feature_mapping", {**base, "nps": "nps_last"}, updated_by="bob", reason="add nps")
    service.set("ml", "feature_mapping", {**base, "nps": "nps_last", "revenue": "net_revenue"},
                updated_by="carol", reason="net revenue")
    panel.refresh()
    loaded(qtbot, panel)
    panel.table.selectRow(2)
    dialog = open_preview(qtbot, panel, monkeypatch)
    undone = dialog.findChild(QLabel, "revertUndone").text()
    assert undone.startswith("This undoes 2 later changes:")
    lines = undone.splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["#3", "#2"]
    assert "carol" in lines[0] and "net revenue" in lines[0] and "bob" in lines[1]
    assert dialog.findChild(QLabel, "revertSummary").text() == "What changes now: 1 removed, 1 changed"
    model = dialog.model
    rows = {model.index(r, 1).data(): (model.index(r, 0).data(), model.index(r, 2).data(),
                                       model.index(r, 3).data()) for r in range(model.rowCount())}
    assert rows == {"revenue": ("changes", "net_revenue", "total_revenue"),
                    "nps": ("removed", "nps_last", "—")}
    assert service.get("ml", "feature_mapping")["revenue"] == "net_revenue"  # nothing written yet


def test_revert_preview_of_a_reset_says_it_in_history_words_and_waits_for_the_reason(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25: the undone reset read `{"revenue": "total_revenue_eu… → default`; the reason
    field, the one thing to type, did not have the focus."""
    base = dict(service.get_ml_feature_mapping())
    service.set("ml", "feature_mapping", {**base, "revenue": "total_revenue_eur"}, updated_by="alice",
                reason="euros")
    service.reset("ml", "feature_mapping", updated_by="bob", reason="back to the file")
    panel.refresh()
    loaded(qtbot, panel)
    panel.table.selectRow(1)  # alice's set: reverting it undoes bob's reset
    dialog = open_preview(qtbot, panel, monkeypatch, shown=True)
    undone = dialog.findChild(QLabel, "revertUndone").text().splitlines()[1]
    assert "reset: 15 entries → default" in undone and "{" not in undone
    assert panel.model.row_at(0).summary == "15 entries → default"  # what History says of it
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.findChild(QLineEdit, "revertReason").hasFocus())

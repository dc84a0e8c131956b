"""The audit history viewer on SQLite and PostgreSQL: lazy pages, SQL filters, detail, revert,
export, chain check. Audit rows are written through the real service."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from configadmin import ConfigurationService
from configadmin.ui.panels.history_export import ExportFilePicker
from configadmin.ui.panels.history_model import HistoryRow
from configadmin.ui.panels.history_panel import HistoryPanel
from configadmin.ui.dialogs.history_revert_dialog import RevertDialog
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
    qtbot.waitUntil(lambda: not widget.busy, timeout=WAIT)


def loaded(qtbot: QtBot, panel: HistoryPanel) -> list[HistoryRow]:
    """The rows once the pending page has arrived."""
    qtbot.waitUntil(lambda: not panel.model.loading, timeout=WAIT)
    return [panel.model.row_at(i) for i in range(panel.model.rowCount())]


def test_first_load_shows_one_page_and_scrolling_fetches_the_next(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService) -> None:
    for size in range(1, 251):
        service.set("ml", "model_input_size", size, reason=f"step {size}")
    panel.refresh()
    rows = loaded(qtbot, panel)
    assert len(rows) == 100
    assert rows[0].summary == "249 → 250" and rows[0].reason == "step 250"
    assert panel.model.canFetchMore()

    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 200, timeout=WAIT)
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 250, timeout=WAIT)
    rows = loaded(qtbot, panel)
    assert [r.reason for r in rows] == [f"step {n}" for n in range(250, 0, -1)]
    assert not panel.model.canFetchMore()
    assert panel.count_label.text() == "250 entries"


def test_a_second_fetch_while_one_is_in_flight_adds_no_duplicate_page(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService) -> None:
    for size in range(1, 251):
        service.set("ml", "model_input_size", size)
    panel.refresh()
    loaded(qtbot, panel)
    panel.model.fetchMore()
    panel.model.fetchMore()
    rows = loaded(qtbot, panel)
    assert len(rows) == 200
    assert len({r.id for r in rows}) == 200


@pytest.fixture
def varied_history(service: ConfigurationService) -> ConfigurationService:
    """Six entries: two actors, three actions, two settings, two environments."""
    mapping = dict(service.get_ml_feature_mapping())
    service.set("ml", "model_input_size", 12, updated_by="alice", reason="Bigger model")
    service.set("ml", "feature_mapping", {**mapping, "revenue": "net_revenue"}, updated_by="bob",
                reason="Rename revenue column")
    service.set("ml", "model_input_size", 14, updated_by="bob", reason="tuning")
    service.reset("ml", "model_input_size", updated_by="alice", reason="back to defaults")
    service.set("ml", "model_input_size", 20, updated_by="carol", environment="staging",
                reason="staging trial")
    service.set("ml", "model_input_size", 16, updated_by="alice", reason="try 16")
    return service


def _type(panel: HistoryPanel, attribute: str, value: str) -> None:
    field = getattr(panel.filters, attribute)
    field.setText(value)
    QTest.keyClick(field, Qt.Key.Key_Return)  # Enter applies at once, without the typing pause


def _dates(panel: HistoryPanel, since: date, until: date) -> None:
    panel.filters.since_edit.setDate(QDate(since.year, since.month, since.day))
    panel.filters.until_edit.setDate(QDate(until.year, until.month, until.day))


TODAY = date.today()
FILTERS = {
    "setting": (lambda p: p.set_setting("ml.feature_mapping"), ["Rename revenue column"]),
    "actor": (lambda p: _type(p, "actor_edit", "alice"), ["try 16", "back to defaults", "Bigger model"]),
    "action": (lambda p: p.filters.action_combo.setCurrentIndex(
        p.filters.action_combo.findData("reset")), ["back to defaults"]),
    "reason text": (lambda p: _type(p, "text_edit", "REVENUE"), ["Rename revenue column"]),
    "environment": (lambda p: p.set_environment("staging"), ["staging trial"]),
    "all environments": (lambda p: p.set_environment(None),
                         ["try 16", "staging trial", "back to defaults", "tuning",
                          "Rename revenue column", "Bigger model"]),
    "dates including today": (lambda p: _dates(p, TODAY - timedelta(days=1), TODAY),
                              ["try 16", "back to defaults", "tuning", "Rename revenue column",
                               "Bigger model"]),
    "dates before today": (lambda p: _dates(p, TODAY - timedelta(days=9), TODAY - timedelta(days=2)),
                           []),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_each_filter_narrows_the_history(qtbot: QtBot, panel: HistoryPanel,
                                         varied_history: ConfigurationService, name: str) -> None:
    panel.refresh()
    assert len(loaded(qtbot, panel)) == 5  # the "default" environment
    apply, expected = FILTERS[name]
    apply(panel)
    assert [r.reason for r in loaded(qtbot, panel)] == expected
    if not expected:
        assert panel.count_label.text() == "No entries match these filters."


def test_filters_combine(qtbot: QtBot, panel: HistoryPanel,
                         varied_history: ConfigurationService) -> None:
    panel.set_setting("ml.model_input_size")
    _type(panel, "actor_edit", "bob")
    assert [(r.actor, r.reason) for r in loaded(qtbot, panel)] == [("bob", "tuning")]


def test_detail_pane_lists_the_entries_a_change_made(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {"revenue": "total_revenue", "tier": "loyalty_tier"})
    service.set("ml", "feature_mapping", {"revenue": "net_revenue", "recency": "days_since"})
    panel.refresh()
    assert loaded(qtbot, panel)[0].summary == "1 added, 1 removed, 1 changed"
    panel.table.selectRow(0)
    model = panel.detail.model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=WAIT)
    shown = {tuple(model.index(r, c).data() for c in range(4)) for r in range(3)}
    assert shown == {("changed", "revenue", "total_revenue", "net_revenue"),
                     ("removed", "tier", "loyalty_tier", "—"),
                     ("added", "recency", "—", "days_since")}
    assert "1 added, 1 removed, 1 changed" in panel.detail.header.text()


def test_revert_restores_the_old_value_and_audits_it(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    service.set("ml", "model_input_size", 20, reason="first")
    service.set("ml", "model_input_size", 30, reason="second")
    panel.refresh()
    assert [r.reason for r in loaded(qtbot, panel)] == ["second", "first"]
    panel.table.selectRow(1)
    monkeypatch.setattr(RevertDialog, "ask", classmethod(lambda cls, row, parent=None: "30 broke it"))
    with qtbot.waitSignal(panel.reverted, timeout=WAIT):
        panel.revert_button.click()
    assert service.get("ml", "model_input_size") == 20
    newest = service.history(limit=1)[0]
    assert (newest.action, newest.old_value, newest.new_value, newest.reason, newest.actor) == (
        "revert", 30, 20, "30 broke it", "tester")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT)
    assert panel.model.row_at(0).action == "revert"
    assert "entry #1" in panel.banner.text()
    assert service.verify_audit().ok


def test_cancelled_revert_changes_nothing(qtbot: QtBot, panel: HistoryPanel,
                                          service: ConfigurationService,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    service.set("ml", "model_input_size", 20)
    service.set("ml", "model_input_size", 30)
    panel.refresh()
    loaded(qtbot, panel)
    panel.table.selectRow(1)
    asked: list[object] = []
    monkeypatch.setattr(RevertDialog, "ask", classmethod(lambda cls, preview, parent=None: asked.append(preview)))
    panel.revert_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT)
    qtbot.waitUntil(lambda: not panel._runner.busy, timeout=WAIT)
    assert service.get("ml", "model_input_size") == 30
    assert len(service.history()) == 2


def test_export_writes_exactly_the_filtered_rows(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for size in range(1, 31):
        service.set("ml", "model_input_size", size, updated_by="bob" if size % 6 == 0 else "alice",
                    reason=f'step {size}, "quoted"')
    target = tmp_path / "export" / "history.csv"
    target.parent.mkdir()
    monkeypatch.setattr(ExportFilePicker, "ask", classmethod(lambda cls, parent, suggested: target))
    panel.export_page_size = 7  # several pages, the last one partial
    _type(panel, "actor_edit", "alice")
    loaded(qtbot, panel)
    with qtbot.waitSignal(panel.exported, timeout=WAIT) as done:
        panel.export_button.click()
    assert done.args == [25, str(target)]
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,")  # a BOM: Excel reads the file as UTF-8
    with target.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    expected = service.history(actor="alice", limit=1000)
    assert [int(r["id"]) for r in rows] == [e.id for e in expected]
    assert {r["actor"] for r in rows} == {"alice"}
    assert rows[0]["reason"] == 'step 29, "quoted"' and rows[0]["new_value"] == "29"
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind


def test_cancelled_export_leaves_no_file(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for size in range(1, 31):
        service.set("ml", "model_input_size", size)
    target = tmp_path / "export" / "history.csv"
    target.parent.mkdir()
    monkeypatch.setattr(ExportFilePicker, "ask", classmethod(lambda cls, parent, suggested: target))
    panel.export_page_size = 7
    panel.export_button.click()
    assert panel.active_export is not None
    panel.active_export.progress.cancel()
    qtbot.waitUntil(lambda: panel.banner.text() == "Export cancelled.", timeout=WAIT)
    qtbot.waitUntil(lambda: not list(target.parent.iterdir()), timeout=WAIT)
    assert panel.export_button.isEnabled()


def _tamper(service: ConfigurationService, audit_id: int) -> None:
    """Edits an audit row behind the append-only triggers' back, as an attacker with DDL rights would."""
    with service.engine.begin() as conn:
        if service.is_postgres:
            conn.execute(text("ALTER TABLE configuration_audit DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER configuration_audit_no_update"))
        conn.execute(text("UPDATE configuration_audit SET reason = 'nothing to see' WHERE id = :id"),
                     {"id": audit_id})


def test_a_hidden_panel_loads_nothing_until_it_is_shown(
        qtbot: QtBot, runner: Runner, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 12)
    hidden = HistoryPanel(runner, service)
    qtbot.addWidget(hidden)
    hidden.set_setting("ml.model_input_size")
    hidden.refresh()
    assert hidden.model.rowCount() == 0 and not hidden.model.loading
    hidden.show()
    assert [r.setting for r in loaded(qtbot, hidden)] == ["ml.model_input_size"]
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


def test_verify_reports_an_intact_chain(qtbot: QtBot, panel: HistoryPanel,
                                        service: ConfigurationService) -> None:
    for size in (12, 13, 14):
        service.set("ml", "model_input_size", size)
    with qtbot.waitSignal(panel.chainChecked, timeout=WAIT):
        panel.verify_button.click()
    assert panel.banner.property("kind") == "ok"
    assert panel.banner.text() == "Audit chain intact: 3 entries verified."


def test_verify_reports_a_broken_chain_by_entry_id(qtbot: QtBot, panel: HistoryPanel,
                                                   service: ConfigurationService) -> None:
    for size in (12, 13, 14, 15):
        service.set("ml", "model_input_size", size, reason="honest")
    _tamper(service, 3)
    with qtbot.waitSignal(panel.chainChecked, timeout=WAIT):
        panel.verify_button.click()
    assert panel.last_chain_report is not None and panel.last_chain_report.first_broken_id == 3
    assert panel.banner.property("kind") == "error"
    assert panel.banner.text().startswith("Audit chain broken at entry #3:")
    assert panel.banner.isVisibleTo(panel)


def test_timeline_counts_the_selected_settings_changes_today(
        qtbot: QtBot, panel: HistoryPanel, varied_history: ConfigurationService) -> None:
    panel.set_setting("ml.model_input_size")
    qtbot.waitUntil(lambda: panel.timeline.total == 4, timeout=WAIT)
    assert panel.timeline.title == "ml.model_input_size in default"
    panel.set_environment(None)
    qtbot.waitUntil(lambda: panel.timeline.total == 5, timeout=WAIT)


def test_timeline_follows_the_actor_filter_like_the_table(
        qtbot: QtBot, panel: HistoryPanel, varied_history: ConfigurationService) -> None:
    panel.set_setting("ml.model_input_size")
    qtbot.waitUntil(lambda: panel.timeline.total == 4, timeout=WAIT)
    _type(panel, "actor_edit", "alice")
    qtbot.waitUntil(lambda: panel.timeline.total == 3, timeout=WAIT)  # bob's "tuning" is left out
    assert panel.timeline.title == "ml.model_input_size in default, by 'alice'"
    assert panel.model.rowCount() == 3


def test_show_entry_of_a_broken_chain_selects_it_or_shows_it_alone(
        qtbot: QtBot, panel: HistoryPanel, service: ConfigurationService) -> None:
    for size in (12, 13, 14, 15):
        service.set("ml", "model_input_size", size, reason="honest")
    _tamper(service, 3)
    panel.refresh()
    loaded(qtbot, panel)
    assert not panel.show_broken_button.isVisibleTo(panel)
    with qtbot.waitSignal(panel.chainChecked, timeout=WAIT):
        panel.verify_button.click()
    button = panel.show_broken_button
    assert button.isVisibleTo(panel) and button.text() == "Show entry #3"
    button.click()
    assert panel.selected_row() is not None and panel.selected_row().id == 3
    qtbot.waitUntil(lambda: panel.detail.header.text().startswith("#3"), timeout=WAIT)
    assert "nothing to see" in panel.detail.header.text()

    _type(panel, "text_edit", "honest")  # the tampered entry no longer matches: not in the table
    assert all(r.id != 3 for r in loaded(qtbot, panel))
    panel.verify_button.click()
    qtbot.waitUntil(lambda: panel.show_broken_button.isVisibleTo(panel), timeout=WAIT)
    panel.show_broken_button.click()
    assert panel.selected_row() is None
    qtbot.waitUntil(lambda: panel.detail.header.text().startswith("#3"), timeout=WAIT)


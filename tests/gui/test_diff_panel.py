"""The diff panel on values read through the real service (SQLite and PostgreSQL): stored against the
file default entry by entry, pending edits against the stored value, row selection."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService, Source
from configadmin.domain.diff import Kind
from configadmin.domain.resolution import thaw
from configadmin.ui.panels.diff_model import EntryRole, KindRole
from configadmin.ui.panels.diff_panel import DiffPanel
from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui
WAIT = 20_000


@pytest.fixture
def panel(qtbot: QtBot, runner: Runner) -> Iterator[DiffPanel]:
    widget = DiffPanel(runner)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    yield widget
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)


def rows(panel: DiffPanel) -> set[tuple[str, str, str, str]]:
    """(change, entry, old, new) as the user reads them in the table."""
    model = panel.model
    return {tuple(model.index(r, c).data() for c in range(4))  # type: ignore[misc]
            for r in range(model.rowCount())}


def show(qtbot: QtBot, panel: DiffPanel, name: str, file_default: Any, stored: Any,
         pending: Any) -> None:
    with qtbot.waitSignal(panel.diffShown, timeout=WAIT):
        panel.set_values(name, file_default, stored, pending)


def layers(service: ConfigurationService, key: str) -> tuple[Any, Any]:
    resolved = service.resolve("ml", key)
    return thaw(resolved.layers[Source.FILE]), thaw(resolved.layers.get(Source.DATABASE))


def test_panel_lists_exactly_the_added_removed_and_changed_entries(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    mapping = dict(service.get_ml_feature_mapping())
    mapping["revenue"] = "net_revenue"
    del mapping["tier"]
    mapping["nps"] = "nps_last"
    service.set("ml", "feature_mapping", mapping)
    file_default, stored = layers(service, "feature_mapping")

    show(qtbot, panel, "ml.feature_mapping", file_default, stored, None)

    assert rows(panel) == {
        ("changed", "revenue", "total_revenue", "net_revenue"),
        ("removed", "tier", "loyalty_tier", "—"),
        ("added", "nps", "—", "nps_last"),
    }
    assert panel.counts == {Kind.ADDED: 1, Kind.REMOVED: 1, Kind.CHANGED: 1}
    assert panel.findChild(QLabel, "diffCountAdded").text() == "1 added"
    icon = panel.model.index(0, 0).data(Qt.ItemDataRole.DecorationRole)  # not colour alone
    assert icon is not None and not icon.isNull()
    assert "File default" in panel.model.headerData(2, Qt.Orientation.Horizontal)


def test_a_setting_without_database_value_says_the_file_default_applies(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    file_default, stored = layers(service, "feature_mapping")
    assert stored is None

    show(qtbot, panel, "ml.feature_mapping", file_default, stored, None)

    assert panel.model.rowCount() == 0
    assert "file default applies" in panel.findChild(QLabel, "diffStatus").text()


def test_scalar_setting_shows_old_arrow_new(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 42)
    file_default, stored = layers(service, "model_input_size")

    show(qtbot, panel, "ml.model_input_size", file_default, stored, None)

    scalar = panel.findChild(QLabel, "diffScalar")
    assert scalar.isVisible() and not panel.table.isVisible()
    text = scalar.text()
    assert text.index("15") < text.index("→") < text.index("42")
    assert panel.counts[Kind.CHANGED] == 1


def test_pending_mode_follows_the_edits_as_they_are_typed(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {**service.get_ml_feature_mapping(), "nps": "nps_last"})
    file_default, stored = layers(service, "feature_mapping")
    panel.findChild(QPushButton, "diffPendingToggle").click()  # what the analyst does

    show(qtbot, panel, "ml.feature_mapping", file_default, stored, None)
    assert "No unsaved edits" in panel.findChild(QLabel, "diffStatus").text()

    show(qtbot, panel, "ml.feature_mapping", file_default, stored, {**stored, "nps": "nps_9"})
    assert rows(panel) == {("changed", "nps", "nps_last", "nps_9")}

    for typed in ("nps_90", "nps_90d"):  # keystrokes faster than the worker: the last one wins
        panel.set_values("ml.feature_mapping", file_default, stored, {**stored, "nps": typed, "x": "y"})
    expected = {("changed", "nps", "nps_last", "nps_90d"), ("added", "x", "—", "y")}
    qtbot.waitUntil(lambda: rows(panel) == expected, timeout=WAIT)
    assert panel.model.headerData(3, Qt.Orientation.Horizontal) \
        == "Your edits"

    with qtbot.waitSignal(panel.diffShown, timeout=WAIT):
        panel.findChild(QPushButton, "diffPendingToggle").click()
    assert rows(panel) == {("added", "nps", "—", "nps_last")}


def test_selecting_a_diff_row_names_its_entry(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    mapping = {**service.get_ml_feature_mapping(), "revenue": "net_revenue"}
    service.set("ml", "feature_mapping", mapping)
    file_default, stored = layers(service, "feature_mapping")
    show(qtbot, panel, "ml.feature_mapping", file_default, stored, None)
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.index(r, 0).data(EntryRole) == "revenue")
    assert panel.model.index(row, 0).data(KindRole) == "changed"

    with qtbot.waitSignal(panel.entrySelected, timeout=WAIT) as selected:
        panel.table.selectRow(row)

    assert selected.args == ["revenue"]


def test_nested_json_is_diffed_by_structure(qtbot: QtBot, panel: DiffPanel) -> None:
    old = {"layers": [64, 32], "dropout": {"rate": 0.1}}
    new = {"layers": [64, 16, 8], "dropout": {"rate": 0.2}}

    show(qtbot, panel, "ml.model_shape", old, new, None)

    assert rows(panel) == {("changed", "layers[1]", "32", "16"), ("added", "layers[2]", "—", "8"),
                           ("changed", "dropout.rate", "0.1", "0.2")}


def test_following_the_editors_selection_does_not_echo_it_back(
        qtbot: QtBot, panel: DiffPanel, service: ConfigurationService) -> None:
    service.set("ml", "feature_mapping", {**service.get_ml_feature_mapping(), "nps": "nps_last"})
    file_default, stored = layers(service, "feature_mapping")
    show(qtbot, panel, "ml.feature_mapping", file_default, stored, None)

    with qtbot.assertNotEmitted(panel.entrySelected):
        panel.select_entry("nps")

    assert panel.model.index(panel.table.currentIndex().row(), 0).data(EntryRole) == "nps"

"""The window's controller without a window: it loads, retries, ignores news that is not news, and
says what to render through its signals (on a real SQLite database)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from configadmin import ConfigurationService
from configadmin.domain.records import Resolved, SettingKey, Source
from configadmin.ui.edits.conflicts import ConflictItem
from configadmin.ui.edits.pending import PendingEdit
from configadmin.ui.window.controller import WindowController

pytestmark = pytest.mark.gui
MAPPING = "ml.feature_mapping"
SIZE = "ml.model_input_size"
SIZE_KEY = SettingKey("ml", "model_input_size")


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, environment="default", user="tester") as svc:
        yield svc


@pytest.fixture
def controller(qtbot: QtBot, service: ConfigurationService) -> Iterator[WindowController]:
    ctl = WindowController()
    ctl.attach(service)
    yield ctl
    ctl.close()
    qtbot.waitUntil(lambda: not ctl.runner.busy, timeout=10000)


def test_a_load_emits_the_snapshot_and_records_its_revision(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 12, updated_by="alice")
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000) as loaded:
        controller.reload()
    snap, drafts = loaded.args
    assert drafts == [] and snap.environment == "default"  # no window left a draft
    assert controller.state.revision == snap.revision > 0
    assert [r.value for r in snap.resolved if r.name == "ml.model_input_size"] == [12]


def test_reloads_asked_for_during_a_load_run_once_after_it(
        qtbot: QtBot, controller: WindowController) -> None:
    loads: list[object] = []
    controller.snapshotLoaded.connect(lambda snap, draft: loads.append(snap))
    for _ in range(5):
        controller.reload()
    qtbot.waitUntil(lambda: len(loads) == 2, timeout=10000)
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10000)
    assert len(loads) == 2


def test_a_change_notice_for_what_is_shown_does_not_reload(
        qtbot: QtBot, controller: WindowController) -> None:
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000):
        controller.reload()
    controller._external_change("default", controller.state.revision)
    controller._external_change("staging", 10_000)  # another environment
    assert not controller.change_timer.isActive()
    controller._external_change("default", (controller.state.revision or 0) + 1)
    assert controller.change_timer.isActive()


def test_a_failed_load_says_why_and_retries_with_backoff(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    path = Path(str(service.url.database))
    service.engine.dispose()
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()
    try:
        with qtbot.waitSignal(controller.loadFailed, timeout=10000) as failed:
            controller.reload()
        text, seconds = failed.args
        assert seconds == 1 and text and "Traceback" not in text and "\n" not in text
        assert controller.retry_timer.isActive() and controller.retry_ms == 2000
    finally:
        path.rmdir()
        path.with_name(path.name + ".away").rename(path)
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000):
        pass  # the retry timer loads by itself
    assert controller.retry_ms == 1000


def _stored(value: object, version: int) -> Resolved:
    return Resolved("ml", "feature_mapping", value, Source.DATABASE, version, version, {Source.DATABASE: value})


def _waiting(controller: WindowController, base: dict[str, str], theirs: dict[str, str]) -> None:
    controller.state.take(_stored(base, 1), modified=False)
    controller.state.take(_stored(theirs, 2), modified=True)  # arrives under an edit: it waits


def test_merging_asks_only_about_entries_both_changed_and_a_cancel_changes_nothing(
        controller: WindowController) -> None:
    _waiting(controller, {"a": "x", "b": "y"}, {"a": "theirs", "b": "theirs too"})
    asked: list[list[ConflictItem]] = []
    assert controller.merge_incoming({MAPPING: {"a": "mine", "b": "y"}},
                                     lambda items: asked.append(items) or None) is None
    assert [(i.setting, i.conflict.path) for i in asked[0]] == [(MAPPING, "a")]
    assert set(controller.state.incoming) == {MAPPING}  # still waiting, the base unmoved
    assert controller.state.base(MAPPING).version == 1

    outcome = controller.merge_incoming({MAPPING: {"a": "mine", "b": "y"}},
                                        lambda items: {(MAPPING, "a"): "mine"})
    assert outcome is not None and outcome.asked
    assert outcome.values == {MAPPING: ({"a": "mine", "b": "theirs too"}, {"a": "theirs", "b": "theirs too"})}
    assert controller.state.incoming == {} and controller.state.base(MAPPING).version == 2


def test_merging_without_a_conflict_asks_nothing(controller: WindowController) -> None:
    _waiting(controller, {"a": "x", "b": "y"}, {"a": "x", "b": "theirs"})
    outcome = controller.merge_incoming({MAPPING: {"a": "mine", "b": "y"}}, lambda items: pytest.fail("asked"))
    assert outcome is not None and not outcome.asked
    assert outcome.values[MAPPING][0] == {"a": "mine", "b": "theirs"}


def test_switching_environment_leaves_the_edits_as_the_analyst_says(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    events: list[tuple[str, str, str]] = []
    controller.leavingEnvironment.connect(lambda env: events.append(("leaving", controller.environment, env)))
    controller.environmentSwitched.connect(lambda env: events.append(("switched", controller.environment, env)))
    done: list[str] = []
    assert controller.choose_environment("default", lambda: pytest.fail("asked"), discard=lambda: None,
                                         save=lambda: pytest.fail("saved")) == "stay"
    assert controller.choose_environment("staging", lambda: None, discard=lambda: done.append("discard"),
                                         save=lambda: pytest.fail("saved")) == "stay"
    assert controller.environment == "default" and events == [] and done == []

    _load(qtbot, controller)
    loaded: list[str] = []
    controller.snapshotLoaded.connect(lambda snap, drafts: loaded.append(snap.environment))
    assert controller.choose_environment("staging", lambda: "save", discard=lambda: done.append("discard"),
                                         save=_saving(controller, 21)) == "saving"
    assert controller.environment == "default"  # the switch waits for the save
    qtbot.waitUntil(lambda: loaded == ["staging"], timeout=10000)  # stored: the switch follows
    assert service.stored_resolution(SIZE_KEY, "default").value == 21
    assert events == [("leaving", "default", "staging"), ("switched", "staging", "staging")]

    assert controller.choose_environment("default", lambda: "discard", discard=lambda: done.append("discard"),
                                         save=lambda: pytest.fail("saved")) == "gone"
    assert done == ["discard"] and controller.environment == "default"
    assert controller.state.revision is None  # nothing known about it until it has loaded
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10000)


def test_a_save_first_that_does_not_store_stays_and_a_later_save_goes_nowhere(
        qtbot: QtBot, controller: WindowController, service: ConfigurationService) -> None:
    _load(qtbot, controller)
    stayed: list[str] = []
    assert controller.choose_environment("staging", lambda: "save", discard=lambda: None,
                                         save=lambda: None, stay=lambda: stayed.append("not started")) == "stay"
    assert stayed == ["not started"] and controller.environment == "default"

    save = _saving(controller, 21)
    service.set("ml", "model_input_size", 30, updated_by="bob")  # meanwhile: the save must merge
    with qtbot.waitSignal(controller.saveCancelled, timeout=10000):
        assert controller.choose_environment("staging", lambda: "save", discard=lambda: None, save=save,
                                             stay=lambda: stayed.append("cancelled")) == "saving"
    assert stayed == ["not started", "cancelled"] and controller.environment == "default"

    _load(qtbot, controller)
    with qtbot.waitSignal(controller.saveSucceeded, timeout=10000):
        _saving(controller, 22, merge=lambda items, by: {})()  # an ordinary save later
    qtbot.waitUntil(lambda: not controller.runner.busy, timeout=10000)
    assert controller.environment == "default" and stayed == ["not started", "cancelled"]
    assert service.get("ml", "model_input_size") == 22


def _load(qtbot: QtBot, controller: WindowController) -> None:
    """Loads, and takes what loaded as the base of the edits (what the view does)."""
    with qtbot.waitSignal(controller.snapshotLoaded, timeout=10000) as loaded:
        controller.reload()
    for r in loaded.args[0].resolved:
        controller.state.take(r, False)


def _saving(controller: WindowController, size: int,
            merge: Callable[..., object] = lambda items, by: None) -> Callable[[], None]:
    """The view's save as the controller calls it: the analyst confirmed, the save starts."""
    plan = controller.save_plan([PendingEdit(SIZE, size)])
    return lambda: controller.save(plan, "before switching", merge)  # type: ignore[arg-type]

"""The window's edit state without Qt or a database: what waits under an edit, what is news, what a
save, a discard, a merge, a reset and an environment switch leave behind."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from configadmin.domain.diff import ABSENT
from configadmin.domain.records import AuditEntry, Resolved, Source
from configadmin.domain.resolution import changes_anything
from configadmin.ui.window.edit_state import EditState

MAPPING = "ml.feature_mapping"


def stored(value: Any, version: int, key: str = "feature_mapping") -> Resolved:
    return Resolved("ml", key, value, Source.DATABASE, version, version, {Source.DATABASE: value})


def entry(audit_id: int, version: int, actor: str = "alice", key: str = "feature_mapping") -> AuditEntry:
    return AuditEntry(audit_id, datetime.now(UTC), "default", "ml", key, "set", None, None, version,
                      actor, None, None)


def test_a_fresh_value_replaces_an_unedited_setting() -> None:
    state = EditState()
    assert state.take(stored({"a": "x"}, 1), modified=False) is True
    assert state.take(stored({"a": "y"}, 2), modified=False) is True
    assert state.base(MAPPING) == stored({"a": "y"}, 2)
    assert state.incoming == {}


def test_the_same_version_again_does_not_reload_the_editor() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    assert state.take(stored({"a": "x"}, 1), modified=False) is False


def test_a_fresh_value_waits_in_incoming_while_the_editor_is_modified() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    assert state.take(stored({"a": "theirs"}, 2), modified=True) is False
    assert state.base(MAPPING).version == 1  # the edit still starts from version 1
    assert state.incoming[MAPPING].version == 2
    assert state.shown(MAPPING).version == 2  # the badge names the newest version


def test_a_waiting_change_is_taken_once_the_edit_is_undone() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    state.take(stored({"a": "theirs"}, 2), modified=True)
    assert state.settle(lambda name: True) == {}
    taken = state.settle(lambda name: False)
    assert taken[MAPPING].version == 2 and state.base(MAPPING).version == 2
    assert state.incoming == {}


def test_own_saves_are_not_news_and_older_revisions_are_not_either() -> None:
    state = EditState()
    state.loaded(10)
    stored_value = stored({"a": "x"}, 1)
    state.take(stored_value, modified=False)
    state.saved([(stored_value, {"a": "mine"}, entry(11, 2, actor="me"))])
    assert state.is_news(11) is False  # our own save
    assert state.is_news(9) is False  # older than what is shown
    assert state.is_news(12) is True
    assert state.is_news(None) is True  # "reload everything"
    assert [e.id for e in state.theirs([entry(11, 2, "me"), entry(12, 3)])] == [12]


def test_a_reset_of_our_own_is_not_reported_as_someone_elses() -> None:
    state = EditState()
    state.mine([entry(20, 4, actor="alice")])  # alice is the analyst at this window
    assert state.theirs([entry(20, 4, actor="alice")]) == []


def test_a_save_makes_the_saved_value_the_base_and_drops_what_waited() -> None:
    state = EditState()
    base = stored({"a": "x"}, 1)
    state.take(base, modified=False)
    state.take(stored({"a": "theirs"}, 2), modified=True)
    now = state.saved([(base, {"a": "mine"}, entry(7, 3))])
    assert now[MAPPING].value == {"a": "mine"} and now[MAPPING].version == 3
    assert state.base(MAPPING).stored_version == 3 and state.incoming == {}


def test_discard_shows_the_newest_value() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    state.take(stored({"a": "theirs"}, 2), modified=True)
    shown = state.discard([MAPPING])
    assert shown[MAPPING].value == {"a": "theirs"} and state.incoming == {}


def test_merge_puts_their_change_under_the_edit() -> None:
    state = EditState()
    state.take(stored({"a": "x", "b": "y"}, 1), modified=False)
    state.take(stored({"a": "x", "b": "theirs"}, 2), modified=True)
    results = state.merge({MAPPING: {"a": "mine", "b": "y"}})
    assert not results[MAPPING].conflicts
    assert results[MAPPING].resolve({}) == {"a": "mine", "b": "theirs"}
    assert state.merged(MAPPING).version == 2
    assert state.base(MAPPING).version == 2 and state.incoming == {}


def test_merge_reports_entries_both_changed() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    state.take(stored({"a": "theirs"}, 2), modified=True)
    conflict = state.merge({MAPPING: {"a": "mine"}})[MAPPING].conflicts[0]
    assert (conflict.path, conflict.mine, conflict.theirs) == ("a", "mine", "theirs")
    assert conflict.base is not ABSENT


def test_a_reset_drops_what_waited_for_the_settings_it_covers() -> None:
    state = EditState()
    state.take(stored({"a": "x"}, 1), modified=False)
    state.take(stored(10, 1, key="model_input_size"), modified=False)
    state.take(stored({"a": "theirs"}, 2), modified=True)
    assert set(state.reset("ml")) == {MAPPING, "ml.model_input_size"}
    assert state.incoming == {}
    assert set(state.reset("ml.model_input_size")) == {"ml.model_input_size"}


def test_switching_environment_forgets_values_and_revision_but_not_own_entries() -> None:
    state = EditState()
    state.loaded(5)
    state.take(stored({"a": "x"}, 1), modified=False)
    state.mine([entry(6, 2)])
    state.switch()
    assert (state.resolved, state.incoming, state.revision) == ({}, {}, None)
    assert state.is_news(6) is False


def test_a_value_equal_to_the_stored_one_changes_nothing_but_a_reorder_does() -> None:
    base = stored({"a": "x", "b": "y"}, 3)
    assert changes_anything(base, {"a": "x", "b": "y"}) is False
    assert changes_anything(base, {"b": "y", "a": "x"}) is True
    from_file = Resolved("ml", "feature_mapping", {"a": "x"}, Source.FILE, None, 0, {Source.FILE: {"a": "x"}})
    assert changes_anything(from_file, {"a": "x"}) is True  # storing it makes a database value

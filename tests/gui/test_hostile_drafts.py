"""Drafts another person could plant or shape: names from a hash only, private files, a hostile
or foreign draft set aside (renamed `.unusable`, the analyst told) while the window loads as usual."""
from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from window_support import close_window, column_of, show_window

from configadmin import ConfigurationService, ValidationError
from configadmin.ui.window.draft_file import DRAFT_FORMAT, UnusableDraft, drafts_folder
from configadmin.ui.window.drafts import DraftEntry, DraftStore, RestoreDraftDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def service(sqlite_url: str) -> Iterator[ConfigurationService]:
    with ConfigurationService.connect(sqlite_url, user="tester") as svc:
        yield svc


def _planted(service: ConfigurationService, body: str | bytes) -> Path:
    store = DraftStore(service.database_identity, "default")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_bytes(body.encode() if isinstance(body, str) else body)
    return store.path


def _draft(service: ConfigurationService, **overrides: object) -> str:
    data = {"format": DRAFT_FORMAT, "database": service.database_identity, "environment": "default",
            "saved_at": "2026-11-30T10:00:00+00:00",
            "settings": {"ml.model_input_size": {"base_version": 0, "value": 7}}}
    data.update(overrides)
    return json.dumps(data)


def _never_asked(*_: object) -> bool:
    raise AssertionError("an unusable draft was offered")


HOSTILE = {
    "settings is a list": lambda s: _draft(s, settings=[]),
    "100,000 levels deep": lambda s: '{"settings": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "version 1e400": lambda s: _draft(s, settings={"ml.model_input_size": {"base_version": 1e400,
                                                                           "value": 7}}),
    "corrupt": lambda s: "{\"format\": \"configadmin-dr",
    "not UTF-8": lambda s: b"\xff\xfe\x00garbage",
    "another database": lambda s: _draft(s, database="postgresql://db.example:5432/other"),
    "another environment": lambda s: _draft(s, environment="production"),
    "value too deep": lambda s: _draft(s, settings={"ml.feature_mapping": {
        "base_version": 0, "value": json.loads("[" * 40 + "]" * 40)}}),
    "wrong type for the setting": lambda s: _draft(s, settings={"ml.feature_mapping": {
        "base_version": 0, "value": "not a mapping"}}),
    "extra fields": lambda s: _draft(s, run="rm -rf /"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_draft_is_set_aside_told_and_the_window_loads(
        qtbot: QtBot, service: ConfigurationService, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    path = _planted(service, HOSTILE[kind](service))
    original = path.read_bytes()
    monkeypatch.setattr(RestoreDraftDialog, "ask", classmethod(_never_asked))
    win = show_window(qtbot, service)
    try:
        assert column_of(win, "tier") == "loyalty_tier", "the window shows the stored values"
        assert win.banner.has("draft") and "was not restored" in win.banner.text()
        assert win.banner.has("load") is False
        aside = path.with_name(path.name + ".unusable")
        assert not path.exists() and aside.read_bytes() == original, "set aside, not deleted"
        assert str(aside) in win.banner.text()
    finally:
        close_window(qtbot, win)


def test_a_draft_is_private_and_named_by_a_hash_only(qtbot: QtBot, service: ConfigurationService) -> None:
    store = DraftStore(service.database_identity, "default")
    store.save({"ml.model_input_size": DraftEntry(0, 9)})
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert store.path.parent == drafts_folder()
    assert len(store.path.stem) == 32 and all(c in "0123456789abcdef" for c in store.path.stem)
    loaded = store.load()
    assert not isinstance(loaded, UnusableDraft) and loaded is not None
    assert loaded.settings["ml.model_input_size"] == DraftEntry(0, 9)


def test_a_path_like_environment_never_reaches_the_draft_folder(sqlite_url: str, tmp_path: Path) -> None:
    evil = "../../../../" + str(tmp_path / "x" / "evil")
    with pytest.raises(ValidationError, match="environment name"):
        ConfigurationService.connect(sqlite_url, environment=evil)
    store = DraftStore("sqlite:/somewhere", evil)  # even if one got this far
    store.save({"ml.model_input_size": DraftEntry(0, 9)})
    assert store.path.parent == drafts_folder() and not (tmp_path / "x").exists()


def test_a_symlink_planted_at_the_draft_path_is_not_followed(service: ConfigurationService,
                                                             tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    store = DraftStore(service.database_identity, "default")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.symlink_to(victim)
    with pytest.raises(OSError, match="symbolic link"):
        store.save({"ml.model_input_size": DraftEntry(0, 9)})
    assert victim.read_text() == "keep me"
    found = store.load()
    assert isinstance(found, UnusableDraft) and found.moved_to is not None
    assert found.moved_to.is_symlink() and victim.read_text() == "keep me"


def test_the_same_relative_sqlite_url_in_two_folders_is_two_databases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    identities = []
    for project in ("one", "two"):
        folder = tmp_path / project
        folder.mkdir()
        monkeypatch.chdir(folder)
        from configadmin.cli.command_line import main
        assert main(["migrate", "--database-url", "sqlite:///config.db"]) == 0
        with ConfigurationService.connect("sqlite:///config.db") as svc:
            identities.append(svc.database_identity)
    assert identities[0] != identities[1]
    assert identities[0] == f"sqlite:{os.path.realpath(tmp_path / 'one' / 'config.db')}"
    assert DraftStore(identities[0], "default").path != DraftStore(identities[1], "default").path


def test_a_server_identity_has_no_user_or_password() -> None:
    from sqlalchemy.engine import make_url

    from configadmin.db.engine import database_identity
    identity = database_identity(make_url("postgresql+psycopg2://alice:s3cret@DB.example/config"))
    assert identity == "postgresql://db.example:5432/config"

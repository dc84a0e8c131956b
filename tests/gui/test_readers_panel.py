"""The readers panel lists every running reader; the ones that stopped reporting are greyed."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from configadmin import ConfigurationService
from configadmin.db.repository import UnitOfWork
from configadmin.domain.records import ReaderInfo
from configadmin.ui.panels.readers_panel import STALE, ReadersModel, ReadersPanel
from configadmin.ui.worker import Runner

pytestmark = pytest.mark.gui


def _heartbeat(service: ConfigurationService, reader_id: str, host: str, revision: int,
               seen_ago: timedelta) -> None:
    now = datetime.now(UTC)
    if service.is_postgres:  # the heartbeat function takes its times and the head from the
        with service.engine.begin() as conn:  # database: write the row as the owner would
            conn.execute(text(
                "INSERT INTO config_reader (db_user, reader_id, host, pid, environment, revision, "
                "loaded_at, last_seen) VALUES ('scoring', :r, :h, 4242, 'production', :v, :t, :t)"),
                {"r": reader_id, "h": host, "v": revision, "t": now - seen_ago})
        return
    with UnitOfWork(service.engine, write=True) as uow:
        uow.repo.heartbeat(ReaderInfo(reader_id, host, 4242, "production", revision,
                                      now - seen_ago, now - seen_ago))
        uow.commit()


def test_readers_are_listed_with_stale_ones_greyed(qtbot: QtBot,
                                                   service: ConfigurationService) -> None:
    _heartbeat(service, "scoring@infer-1:4242", "infer-1", 7, timedelta(seconds=2))
    _heartbeat(service, "scoring@infer-2:4242", "infer-2", 5, timedelta(minutes=30))
    runner = Runner()
    panel = ReadersPanel(runner, service)
    qtbot.addWidget(panel)
    panel.show()
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=20_000)
    rows = {model.reader_at(r).host: r for r in range(2)}
    fresh, stale = rows["infer-1"], rows["infer-2"]
    assert model.index(fresh, ReadersModel.COL_REVISION).data() == "7"
    assert model.index(stale, ReadersModel.COL_REVISION).data() == "5"  # nothing newer was saved
    assert model.index(stale, ReadersModel.COL_READER).data(Qt.ItemDataRole.ForegroundRole) == STALE
    assert model.index(fresh, ReadersModel.COL_READER).data(Qt.ItemDataRole.ForegroundRole) is None
    assert panel.summary.text() == "2 readers, 1 stale (greyed)"
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)


def test_a_reader_on_an_old_revision_is_marked_behind(qtbot: QtBot,
                                                      service: ConfigurationService) -> None:
    for size in (12, 13, 14):
        service.set("ml", "model_input_size", size, environment="production")
    _heartbeat(service, "scoring@infer-1:4242", "infer-1", 1, timedelta(seconds=1))
    runner = Runner()
    panel = ReadersPanel(runner, service)
    qtbot.addWidget(panel)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=20_000)
    assert panel.model.index(0, ReadersModel.COL_REVISION).data() == "1 (behind, latest 3)"
    assert panel.summary.text() == "1 reader, all alive, 1 not on the latest revision yet"
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)


def test_a_running_reader_shows_up_with_the_revision_it_loaded(
        qtbot: QtBot, service: ConfigurationService, db_url: str) -> None:
    service.set("ml", "model_input_size", 12)
    reader = ConfigurationService.connect(db_url, environment="default", reader_name="scoring")
    try:
        reader.get_ml_model_input_size()
        qtbot.waitUntil(lambda: len(service.readers()) == 1, timeout=20_000)  # its first heartbeat
        runner = Runner()
        panel = ReadersPanel(runner, service)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=20_000)
        info = panel.model.reader_at(0)
        assert info.reader_id.startswith("scoring@") and info.revision == 1 and not info.stale
        assert panel.model.index(0, ReadersModel.COL_REVISION).data() == "1"
        qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    finally:
        reader.close()


@pytest.mark.postgres
def test_the_summary_says_how_many_readers_each_login_claims(qtbot: QtBot, pg_url: str) -> None:
    """One login reporting a thousand readers cannot hide the two real ones of another."""
    from roles_support import logins, run_as
    with logins(pg_url) as login:
        flooder, real = login("configadmin_reader"), login("configadmin_reader")
        for n in (1, 2):
            run_as(real, f"SELECT configadmin_heartbeat('scoring-{n}', 'infer-{n}', {n}, 'production', 0)")
        run_as(flooder, """DO $$ DECLARE stop timestamptz := clock_timestamp() + interval '30 s';
                           BEGIN FOR i IN 1..1000 LOOP EXIT WHEN clock_timestamp() > stop;
                           PERFORM configadmin_heartbeat('fake-' || i, 'h', i, 'production', 0);
                           END LOOP; END $$""")
        name = {url: url.split("://", 1)[1].split("@", 1)[0] for url in (flooder, real)}
        with ConfigurationService.connect(pg_url, user="analyst") as service:
            runner = Runner()
            panel = ReadersPanel(runner, service)
            qtbot.addWidget(panel)
            panel.refresh()
            qtbot.waitUntil(lambda: "per login" in panel.summary.text(), timeout=20_000)
            assert panel.summary.text().endswith(f"per login: {name[flooder]} 1,000, {name[real]} 2")
            listed = {panel.model.reader_at(r).reader_id for r in range(panel.model.rowCount())}
            assert {"scoring-1", "scoring-2"} <= listed
            qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)

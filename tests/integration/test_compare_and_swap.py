"""Saves are compare-and-swap on `version`, and a change and its audit row commit together or not at all."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from configadmin import ConfigurationService, ConflictError, Source, ValidationError
from configadmin.db.engine import make_engine
from configadmin.db.repository import UnitOfWork
from configadmin.domain.records import Action, AuditEntry, Change, SettingKey


def run_in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Runs work(0) … work(count - 1) in threads released at the same moment; what they raised."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # noqa: BLE001  (returned to the test, which asserts on it)
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


def test_stale_save_raises_conflict_carrying_the_current_row(service: ConfigurationService) -> None:
    first = service.set("ml", "model_input_size", 20, updated_by="alice")
    service.set("ml", "model_input_size", 21, updated_by="bob", expected_version=first)
    with pytest.raises(ConflictError) as caught:
        service.set("ml", "model_input_size", 22, updated_by="carol", expected_version=first)
    current = caught.value.current
    assert current is not None
    assert (current.value, current.version, current.updated_by) == (21, first + 1, "bob")
    assert "changed by bob" in str(caught.value)
    assert service.get_ml_model_input_size() == 21
    assert [e.actor for e in service.history("ml", "model_input_size")] == ["bob", "alice"]


def test_first_save_expecting_no_row_conflicts_once_someone_else_saved(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 30, updated_by="alice", expected_version=0)
    with pytest.raises(ConflictError) as caught:
        service.set("ml", "model_input_size", 31, updated_by="bob", expected_version=0)
    assert caught.value.current is not None and caught.value.current.value == 30


def test_a_conflict_inside_a_batch_leaves_neither_the_first_change_nor_any_audit_row(
        service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 40)
    before = service.history()
    changes = [
        Change("default", "ml", "churn_threshold", Action.IMPORT, 0.7),
        Change("default", "ml", "model_input_size", Action.IMPORT, 41, expected_version=99),
    ]
    with pytest.raises(ConflictError):
        service.apply_changes(changes)
    assert service.resolve("ml", "churn_threshold").source is Source.FILE
    assert service.get_ml_model_input_size() == 40
    assert service.history() == before
    assert service.verify_audit().ok


def test_an_invalid_value_inside_a_batch_writes_nothing(service: ConfigurationService) -> None:
    changes = [
        Change("default", "ml", "churn_threshold", Action.IMPORT, 0.7),
        Change("default", "ml", "model_input_size", Action.IMPORT, "twelve"),
    ]
    with pytest.raises(ValidationError, match="ml.model_input_size"):
        service.apply_changes(changes)
    assert service.stored() == [] and service.history() == []


def test_a_failure_after_the_change_was_written_rolls_back_the_audit_row_too(db_url: str) -> None:
    engine = make_engine(make_url(db_url))
    try:
        with pytest.raises(RuntimeError), UnitOfWork(engine, write=True) as uow:
            uow.repo.apply(Change("default", "ml", "model_input_size", Action.SET, 50),
                           actor="alice", client="test")
            assert uow.repo.history() != []  # written inside the transaction...
            raise RuntimeError("crash before commit")
        with UnitOfWork(engine) as uow:  # ...and gone with it
            assert uow.repo.get("default", SettingKey("ml", "model_input_size")) is None
            assert uow.repo.history() == []
    finally:
        engine.dispose()


def test_threads_saving_at_once_leave_one_valid_chain(service: ConfigurationService) -> None:
    threads, saves = 8, 10

    def save(n: int) -> None:
        for i in range(saves):
            service.set("ml", "model_input_size", 100 * n + i + 1, updated_by=f"writer{n}")

    assert run_in_threads(threads, save) == []
    history = service.history(limit=1000)
    assert len(history) == threads * saves
    assert sorted(e.version for e in history) == list(range(1, threads * saves + 1))
    assert service.resolve("ml", "model_input_size").version == threads * saves
    report = service.verify_audit()
    assert report.ok and report.checked == threads * saves


def test_concurrent_updates_from_threads_of_one_process_lose_nothing(service: ConfigurationService) -> None:
    threads, updates = 8, 5

    def add(n: int) -> None:
        for i in range(updates):
            service.update("ml", "feature_mapping", lambda m: {**m, f"t{n}_{i}": f"col_{n}_{i}"})

    assert run_in_threads(threads, add) == []
    mapping = service.get_ml_feature_mapping()
    assert all(mapping[f"t{n}_{i}"] == f"col_{n}_{i}" for n in range(threads) for i in range(updates))
    assert service.resolve("ml", "feature_mapping").version == threads * updates


def test_resets_at_once_write_one_reset_and_keep_the_chain(service: ConfigurationService) -> None:
    service.set("ml", "model_input_size", 50, updated_by="alice")
    errors = run_in_threads(8, lambda n: service.reset("ml", "model_input_size", updated_by=f"resetter{n}"))
    assert errors == []
    history = service.history("ml", "model_input_size")
    assert [(e.action, e.old_value, e.version) for e in history] == [("reset", 50, 2), ("set", None, 1)]
    assert service.resolve("ml", "model_input_size").source is Source.FILE
    assert service.verify_audit().ok


def test_a_reset_racing_a_save_resets_what_is_stored_now(service: ConfigurationService,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The reset read version 1; a save made it version 2 before the reset wrote: the reset reads
    again and resets version 2, its audit row naming the value it removed."""
    from configadmin.service import handlers
    service.set("ml", "model_input_size", 60, updated_by="alice")
    real_commit = handlers.commit
    raced: list[bool] = []

    def commit_after_a_save(*args: Any, **kwargs: Any) -> list[AuditEntry]:
        if not raced:
            raced.append(True)
            service.set("ml", "model_input_size", 61, updated_by="bob")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(handlers, "commit", commit_after_a_save)
    service.reset("ml", "model_input_size", updated_by="carol")
    history = service.history("ml", "model_input_size")
    assert [(e.actor, e.action, e.old_value, e.version) for e in history] == [
        ("carol", "reset", 61, 3), ("bob", "set", 60, 2), ("alice", "set", None, 1)]

"""ConfigurationService: the one API the CLI, the window and the inference services call.

Reads are served from an in-memory cache of resolved values (a warm read is a dictionary lookup
returning a read-only mapping); the cache is dropped when the database says something changed.
Every write is one transaction with its audit rows.
"""
from __future__ import annotations

import getpass
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from configadmin.db.engine import (
    display_url, is_embedded_default, make_engine, parse_url, translated_errors,
)
from configadmin.db import schema
from configadmin.db.notify import OnChange, OnConnection, send
from configadmin.db.repository import UnitOfWork
from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.records import (
    Action, AuditEntry, Change, ChainReport, ReaderInfo, Resolved, SettingKey, StoredValue,
)
from configadmin.domain.registry import (
    FEATURE_MAPPING, MODEL_INPUT_SIZE, Registry, parse_key,
)
from configadmin.domain.resolution import resolve, resolve_every, thaw
from configadmin.domain.validation import input_size_warnings
from configadmin.domain.errors import ConflictError, NotFound
from configadmin.service import transfer
from configadmin.service.change_feed import ChangeFeed
from configadmin.service.heartbeat import ReaderHeartbeat
from configadmin.service.locate import (
    DEFAULT_ENVIRONMENT, database_url, environment_list, environment_name, read_layers,
)
from configadmin.sources.pyfile import FileLayer
from configadmin.service.transfer import ImportReport, PromotePreview

__all__ = ["ConfigurationService", "ImportReport", "PromotePreview"]

READER_STALE_AFTER = timedelta(seconds=60)
UPDATE_RETRIES = 20


def app_version() -> str:
    from configadmin import __version__
    return __version__


class ConfigurationService:
    """Resolution database → defaults file → settings.py, per (environment, category, key)."""

    def __init__(self, engine: Any, *, environment: str = DEFAULT_ENVIRONMENT,
                 defaults: FileLayer | None = None, settings: FileLayer | None = None,
                 user: str | None = None, reader_name: str | None = None, watch: bool = True) -> None:
        self.engine = engine
        self.url = engine.url
        self.environment = environment
        self.defaults = defaults or FileLayer.empty()
        self.legacy = settings or FileLayer.empty()
        self.registry = Registry(self.defaults.values, self.legacy.values)
        self.user = user or os.environ.get("CONFIGADMIN_USER") or _login_name()
        self.client = f"{socket.gethostname()} configadmin/{app_version()}"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self._cache: dict[tuple[str, str, str], Resolved] = {}
        self._revisions: dict[str, int] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._feed = ChangeFeed(engine, self._changed, self._connection, enabled=watch)
        self._reader = ReaderHeartbeat(self, reader_name) if reader_name else None

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def connect(cls, url: str | None = None, environment: str | None = None,
                defaults: str | os.PathLike[str] | None = None,
                settings: str | os.PathLike[str] | None = None, user: str | None = None,
                reader_name: str | None = None, *, watch: bool = True,
                migrate: bool | None = None) -> ConfigurationService:
        """Resolves URL, environment and files like the CLI (arguments, then CONFIGADMIN_* variables,
        then the embedded SQLite default and the bundled defaults file). The embedded default is
        created and migrated on first use; any other database must be migrated with
        `configadmin migrate` (else SchemaOutOfDate)."""
        db_url = parse_url(database_url(url))
        env = environment_name(environment)
        default_layer, legacy_layer = read_layers(defaults, settings)
        engine = make_engine(db_url)
        try:
            with translated_errors(db_url):
                if migrate if migrate is not None else is_embedded_default(db_url):
                    schema.upgrade(engine)
                else:
                    schema.ensure_current(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, environment=env, defaults=default_layer, settings=legacy_layer,
                   user=user, reader_name=reader_name, watch=watch)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stop()
        self._feed.close()
        self.engine.dispose()

    def __enter__(self) -> ConfigurationService:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def database(self) -> str:
        """The database URL for display: never with the password."""
        return display_url(self.url)

    # -- reads (cached) --------------------------------------------------------------------------
    def resolve(self, category: str, key: str) -> Resolved:
        check = self._feed.check
        if check is not None and time.monotonic() >= check.next_due and check.changed():
            self._invalidate(None)
        hit = self._cache.get((self.environment, category, key))
        if hit is not None:
            return hit
        return self._load(self.environment, SettingKey(category, key))

    def get(self, category: str, key: str) -> Any:
        return self.resolve(category, key).value

    def get_ml_feature_mapping(self) -> Mapping[str, str]:
        value: Mapping[str, str] = self.resolve("ml", "feature_mapping").value
        return value

    def get_ml_model_input_size(self) -> int:
        value: int = self.resolve("ml", "model_input_size").value
        return value

    def resolve_all(self, environment: str | None = None) -> list[Resolved]:
        """Every known setting of an environment, read fresh from the database."""
        env = environment or self.environment
        self._invalidate(env)
        return list(self._load_environment(env).values())

    def _load(self, environment: str, wanted: SettingKey) -> Resolved:
        resolved = self._load_environment(environment)
        try:
            return resolved[(environment, wanted.category, wanted.key)]
        except KeyError:
            self.registry.spec(wanted)  # raises NotFound for an unknown setting
            raise NotFound(f"{wanted.name} has no value in any layer") from None

    def _load_environment(self, environment: str) -> dict[tuple[str, str, str], Resolved]:
        """Every setting of one environment, from one query; cached unless a change notification
        arrived meanwhile (then what was read may already be stale, and the next read loads again)."""
        self._feed.start(background=self._reader is not None)
        generation = self._generation
        with UnitOfWork(self.engine) as uow:
            rows = {SettingKey(r.category, r.key): r for r in uow.repo.all(environment)}
            revision = uow.repo.revision()
        resolved = {(environment, r.category, r.key): r for r in
                    resolve_every(self.registry.keys, rows, self.defaults.values, self.legacy.values)}
        with self._lock:
            if generation == self._generation:  # nothing was invalidated while we read
                self._cache.update(resolved)
                self._revisions[environment] = revision
        if self._reader is not None and environment == self.environment:
            self._reader.loaded(revision)
        return resolved

    def reload_if_dropped(self) -> None:
        """Loads this environment again if a change notification dropped it from the cache (the
        reader heartbeat calls this, so it reports the revision really loaded)."""
        check = self._feed.check
        if check is not None and check.changed():
            self._invalidate(None)
        if not any(k[0] == self.environment for k in list(self._cache)):
            self._load_environment(self.environment)

    def _invalidate(self, environment: str | None) -> None:
        with self._lock:
            self._generation += 1
            if environment is None:
                self._cache.clear()
            else:
                for k in [k for k in self._cache if k[0] == environment]:
                    del self._cache[k]

    # -- change notification (configadmin/change_feed.py) ----------------------------------------
    def subscribe(self, on_change: OnChange, on_connection: OnConnection | None = None) -> None:
        """Calls `on_change(environment, revision)` from a background thread whenever another
        process commits (environment None: reload everything), and `on_connection(bool)` when the
        notification connection drops or comes back."""
        self._feed.subscribe(on_change, on_connection)

    def unsubscribe(self, on_change: OnChange) -> None:
        """Stops calling `on_change` (and its `on_connection`), e.g. when a window closes."""
        self._feed.unsubscribe(on_change)

    def _changed(self, environment: str | None, revision: int | None) -> None:
        if environment is None or revision is None or revision > self._revisions.get(environment, 0):
            self._invalidate(environment)
            if self._reader is not None and self._reader_env_changed(environment):
                self._reader.reload_soon()
        self._feed.publish_change(environment, revision)

    def _reader_env_changed(self, environment: str | None) -> bool:
        return environment is None or environment == self.environment

    def _connection(self, connected: bool) -> None:
        if not connected:
            self._invalidate(None)
        self._feed.publish_connection(connected)

    # -- writes --------------------------------------------------------------------------------
    def validate(self, category: str, key: str, value: Any) -> list[str]:
        """The value as it would be stored is valid (else ValidationError naming every problem);
        returns warnings to show (the cross-field check)."""
        setting = SettingKey(category, key)
        checked = self.registry.spec(setting).validate(value)
        if setting == MODEL_INPUT_SIZE:
            return input_size_warnings(checked, self._peek(FEATURE_MAPPING))
        if setting == FEATURE_MAPPING:
            return input_size_warnings(self._peek(MODEL_INPUT_SIZE), checked)
        return []

    def _peek(self, setting: SettingKey) -> Any:
        try:
            return self.get(setting.category, setting.key)
        except NotFound:
            return None

    def set(self, category: str, key: str, value: Any, *, updated_by: str | None = None,
            reason: str | None = None, expected_version: int | None = None,
            action: Action = Action.SET, environment: str | None = None) -> int:
        """Validates and saves; returns the new version. `expected_version` (0: no row yet) makes
        it a compare-and-swap: a newer row raises ConflictError carrying it."""
        setting = SettingKey(category, key)
        checked = self.registry.spec(setting).validate(value)
        entries = self._commit([Change(environment or self.environment, category, key, action,
                                       checked, True, expected_version, reason)], updated_by)
        return entries[0].version

    def set_ml_feature_mapping(self, mapping: Mapping[str, str], updated_by: str | None = None,
                               reason: str | None = None) -> int:
        return self.set("ml", "feature_mapping", thaw(mapping), updated_by=updated_by, reason=reason)

    def set_ml_model_input_size(self, size: int, updated_by: str | None = None,
                                reason: str | None = None) -> int:
        return self.set("ml", "model_input_size", size, updated_by=updated_by, reason=reason)

    def update(self, category: str, key: str, fn: Callable[[Any], Any], *,
               updated_by: str | None = None, reason: str | None = None) -> int:
        """Read-modify-write under compare-and-swap: `fn` gets a fresh plain copy of the current
        value and is called again after a conflict."""
        setting = SettingKey(category, key)
        for attempt in range(UPDATE_RETRIES):
            current = self.stored_resolution(setting)
            try:
                return self.set(category, key, fn(thaw(current.value)), updated_by=updated_by,
                                reason=reason, expected_version=current.stored_version)
            except ConflictError as exc:
                if attempt == UPDATE_RETRIES - 1:
                    raise exc  # carries the row that kept winning
                # random jitter: threads of one process must not retry in lockstep
                time.sleep(min(0.005 * 2 ** attempt, 0.2) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    def stored_resolution(self, setting: SettingKey, environment: str | None = None) -> Resolved:
        """Uncached resolution straight from the database (for read-modify-write)."""
        env = environment or self.environment
        with UnitOfWork(self.engine) as uow:
            row = uow.repo.get(env, setting)
        value = resolve(setting, row, self.defaults.values, self.legacy.values)
        if value is None:
            self.registry.spec(setting)
            raise NotFound(f"{setting.name} has no value in any layer")
        return value

    def reset(self, category: str, key: str | None = None, *, updated_by: str | None = None,
              reason: str | None = None, environment: str | None = None) -> list[AuditEntry]:
        """Removes the database values (of one setting or a whole category) so the file defaults
        apply. The row stays, inactive, so its version keeps counting up (compare-and-swap stays
        safe across a reset); the audit row keeps the old value. Each row is reset under
        compare-and-swap on the version just read: when another writer gets there first, the rows
        are read again, so two resets at once write one reset, and a value set meanwhile is reset
        as what it now is (its audit row shows that value)."""
        env = environment or self.environment
        keys = [SettingKey(category, key)] if key else self._category_keys(category, env)
        for attempt in range(UPDATE_RETRIES):
            with UnitOfWork(self.engine) as uow:
                active = [row for k in keys if (row := uow.repo.get(env, k)) is not None and row.is_active]
            changes = [Change(env, r.category, r.key, Action.RESET, None, False, r.version, reason)
                       for r in active]
            if not changes:
                return []
            try:
                return self._commit(changes, updated_by)
            except ConflictError:
                if attempt == UPDATE_RETRIES - 1:
                    raise
                time.sleep(min(0.005 * 2 ** attempt, 0.2) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    def _category_keys(self, category: str, environment: str) -> list[SettingKey]:
        with UnitOfWork(self.engine) as uow:
            stored = [SettingKey(r.category, r.key) for r in uow.repo.all(environment)
                      if r.category == category]
        known = [k for k in self.registry.keys if k.category == category]
        if not known and not stored:
            self.registry.in_category(category)  # raises NotFound
        return list(dict.fromkeys([*known, *stored]))

    def revert(self, audit_id: int, *, updated_by: str | None = None,
               reason: str | None = None) -> int:
        """Restores the value the audit entry recorded (its new value; a reset entry resets)."""
        with UnitOfWork(self.engine) as uow:
            entry = uow.repo.audit_entry(audit_id)
        setting = SettingKey(entry.category, entry.key)
        why = reason or f"revert to entry {audit_id}"
        if entry.new_value is None:
            done = self.reset(entry.category, entry.key, updated_by=updated_by, reason=why,
                              environment=entry.environment)
            return done[0].version if done else self.stored_resolution(setting, entry.environment).stored_version
        return self.set(entry.category, entry.key, entry.new_value, updated_by=updated_by, reason=why,
                        action=Action.REVERT, environment=entry.environment)

    def apply_changes(self, changes: Iterable[Change], updated_by: str | None = None) -> list[AuditEntry]:
        """Several validated changes in one transaction (import, promote, merged saves)."""
        checked = [c if c.new_value is None else
                   Change(c.environment, c.category, c.key, c.action,
                          self.registry.spec(SettingKey(c.category, c.key)).validate(c.new_value),
                          c.is_active, c.expected_version, c.reason) for c in changes]
        return self._commit(checked, updated_by)

    def _commit(self, changes: list[Change], updated_by: str | None) -> list[AuditEntry]:
        actor = (updated_by or self.user)[:150]
        with UnitOfWork(self.engine, write=True) as uow:
            entries = [uow.repo.apply(c, actor=actor, client=self.client) for c in changes]
            for env in {e.environment for e in entries}:
                send(uow.session, env, max(e.id for e in entries if e.environment == env))
            uow.commit()
        for env in {c.environment for c in changes}:
            self._invalidate(env)
        return entries

    # -- moving values between files and environments (configadmin/transfer.py) ----------------
    def export_values(self, environment: str | None = None) -> dict[str, Any]:
        """The active database values of one environment as the `configadmin export` document."""
        return transfer.export_values(self, environment or self.environment)

    def import_values(self, data: Any, reason: str | None = None, *,
                      updated_by: str | None = None) -> ImportReport:
        """All or nothing into this service's environment, every problem listed before writing."""
        return transfer.import_values(self, data, reason, updated_by=updated_by)

    def import_settings(self, path: str | os.PathLike[str], reason: str | None = None, *,
                        overwrite: bool = False, updated_by: str | None = None) -> ImportReport:
        """Copies the legacy settings.py values into the database (the seed guide's Step 3)."""
        return transfer.import_settings(self, Path(path), reason, overwrite=overwrite,
                                        updated_by=updated_by)

    def promote_preview(self, category: str, key: str, from_env: str, to_env: str) -> PromotePreview:
        """The value `from_env` resolves to against what `to_env` has now, entry by entry."""
        return transfer.promote_preview(self, SettingKey(category, key), from_env, to_env)

    def promote(self, category: str, key: str, from_env: str, to_env: str,
                reason: str | None = None, *, updated_by: str | None = None,
                preview: PromotePreview | None = None) -> AuditEntry | None:
        """Writes the previewed value into `to_env` (None: nothing differs); compare-and-swap on
        the target's version as the preview saw it."""
        plan = preview or self.promote_preview(category, key, from_env, to_env)
        return transfer.promote(self, plan, reason, updated_by=updated_by)

    # -- everything else the CLI and the window show -----------------------------------------------
    def diff(self, category: str, key: str, environment: str | None = None) -> Diff:
        """The stored (database) value against the file default, entry by entry."""
        setting = SettingKey(category, key)
        with UnitOfWork(self.engine) as uow:
            row = uow.repo.get(environment or self.environment, setting)
        if row is None or not row.is_active:
            return Diff()
        return diff_values(self.file_default(setting), row.value)

    def file_default(self, setting: SettingKey) -> Any:
        """What applies without a database value: the defaults file, else settings.py, else None."""
        if setting in self.defaults.values:
            return self.defaults.values[setting]
        return self.legacy.values.get(setting)

    def stored(self, environment: str | None = None) -> list[StoredValue]:
        with UnitOfWork(self.engine) as uow:
            return uow.repo.all(environment or self.environment)

    def history(self, category: str | None = None, key: str | None = None, *,
                actor: str | None = None, action: str | None = None, since: datetime | None = None,
                until: datetime | None = None, text: str | None = None, limit: int = 100,
                before_id: int | None = None, environment: str | None = None,
                actors: Sequence[str] | None = None) -> list[AuditEntry]:
        """Newest first; every filter is applied in SQL; page on with `before_id` (keyset);
        `actors`: any of these names (the window's partial actor filter)."""
        with UnitOfWork(self.engine) as uow:
            return uow.repo.history(environment=environment, category=category, key=key,
                                    actor=actor, action=action, since=since, until=until,
                                    text=text, before_id=before_id, limit=limit, actors=actors)

    def actors(self, environment: str | None = None) -> list[str]:
        """The names in the audit trail (of one environment), sorted: the actor filter's choices."""
        with UnitOfWork(self.engine) as uow:
            return uow.repo.actors(environment)

    def history_per_day(self, category: str | None = None, key: str | None = None,
                        environment: str | None = None, days: int = 90, *, actor: str | None = None,
                        action: str | None = None, text: str | None = None,
                        actors: Sequence[str] | None = None) -> list[tuple[date, int]]:
        """Changes per UTC day over the last `days` days (today included), oldest first; days
        without changes are left out. Counted in SQL, so it stays cheap on a long history; the
        filters are those of `history`."""
        today = datetime.now(UTC).date()
        first = today - timedelta(days=max(days, 1) - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=UTC)
        with UnitOfWork(self.engine) as uow:
            return uow.repo.history_per_day(since=since, environment=environment, category=category,
                                            key=key, actor=actor, action=action, text=text,
                                            actors=actors)

    def audit_entry(self, audit_id: int) -> AuditEntry:
        with UnitOfWork(self.engine) as uow:
            return uow.repo.audit_entry(audit_id)

    def verify_audit(self) -> ChainReport:
        with UnitOfWork(self.engine) as uow:
            return uow.repo.verify_audit()

    def revision(self, environment: str | None = None) -> int:
        with UnitOfWork(self.engine) as uow:
            return uow.repo.revision(environment)

    def environments(self) -> list[str]:
        with UnitOfWork(self.engine) as uow:
            stored = uow.repo.environments()
        return environment_list(self.environment, stored)

    def readers(self) -> list[ReaderInfo]:
        with UnitOfWork(self.engine) as uow:
            readers = uow.repo.readers()
        cutoff = datetime.now(UTC) - READER_STALE_AFTER
        return [ReaderInfo(r.reader_id, r.host, r.pid, r.environment, r.revision, r.loaded_at,
                           r.last_seen, stale=r.last_seen is None or r.last_seen < cutoff)
                for r in readers]

    def can_write(self) -> bool:
        """False for a database user that may read but not write (the window goes read-only)."""
        with UnitOfWork(self.engine) as uow:
            return uow.repo.may_write()

    def parse_key(self, name: str) -> SettingKey:
        """`category.key` of a known setting, else ValidationError/NotFound."""
        setting = parse_key(name)
        self.registry.spec(setting)
        return setting


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"

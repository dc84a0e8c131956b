"""ConfigurationService: the one API the CLI, the window and the inference services call.

Reads are served from an in-memory cache of resolved values (a warm read is a dictionary lookup
returning a read-only mapping). A reader (the default, `strict=False`) never fails because the
database is away: it keeps serving the last values it loaded (or its snapshot on disk, or the file
layers), says so in `status()`, and refreshes in the background (configadmin/service/refresher.py).
Every write is one transaction with its audit rows. Importing this module loads no database
driver: a reader that reads through the relay never needs one.
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
from typing import TYPE_CHECKING, Any, cast

from configadmin.domain.diff import Diff, diff_values
from configadmin.domain.errors import ConflictError, DatabaseUnavailable, NotFound, ValidationError
from configadmin.domain.previews import ResetStep, RevertPreview
from configadmin.domain.records import (
    Action, AuditEntry, Change, ChainReport, ReaderInfo, Resolved, SettingKey,
    StoredValue,
)
from configadmin.domain.registry import (
    FEATURE_MAPPING, MODEL_INPUT_SIZE, Registry, parse_key,
)
from configadmin.domain.resolution import resolve, same_value, thaw
from configadmin.domain.revisions import HeadEntry, Revision
from configadmin.domain.names import check_environment, hidden_characters
from configadmin.domain.validation import input_size_warnings
from configadmin.service import previews
from configadmin.service.cached_reads import CacheKey, CachedReads
from configadmin.service.class_calls import bind_instance_calls, shared_or_bound
from configadmin.service.locate import (
    DEFAULT_ENVIRONMENT, STANDARD_ENVIRONMENTS, database_url, environment_list, environment_name,
    is_relay_url, read_layers,
)
from configadmin.service.reader_state import ReaderState
from configadmin.service.refresher import Refresher
from configadmin.service.snapshot import SnapshotStore
from configadmin.sources.pyfile import FileLayer

if TYPE_CHECKING:
    from configadmin.service.transfer import ImportReport, PromotePreview

__all__ = ["ConfigurationService", "ImportReport", "PromotePreview"]

READER_STALE_AFTER = timedelta(seconds=60)
UPDATE_RETRIES = 20


def _check_new_environments(names: set[str], stored: Callable[[], Iterable[str]]) -> None:
    """A write that starts an environment may not start a look-alike of one that exists."""
    for name in names:
        check_environment(name)
    known = list(stored())
    for name in names - set(known):
        check_environment(name, [*STANDARD_ENVIRONMENTS, *known])


def app_version() -> str:
    from configadmin import __version__
    return __version__


def __getattr__(name: str) -> Any:
    if name in ("ImportReport", "PromotePreview"):
        from configadmin.service import transfer
        return getattr(transfer, name)
    raise AttributeError(name)


class ConfigurationService(CachedReads):
    """Resolution database → defaults file → settings.py, per (environment, category, key)."""

    def __init__(self, engine: Any, *, environment: str = DEFAULT_ENVIRONMENT,
                 defaults: FileLayer | None = None, settings: FileLayer | None = None,
                 user: str | None = None, reader_name: str | None = None, watch: bool = True,
                 strict: bool = True, read_engine: Any = None,
                 snapshots: SnapshotStore | None = None) -> None:
        from configadmin.db.engine import where
        from configadmin.service.change_feed import ChangeFeed
        from configadmin.service.heartbeat import ReaderHeartbeat

        self.engine = engine
        self.read_engine = read_engine if read_engine is not None else engine
        self.url = engine.url
        self.environment = environment
        self.defaults = defaults or FileLayer.empty()
        self.legacy = settings or FileLayer.empty()
        self.registry = Registry(self.defaults.values, self.legacy.values)
        self.user = user or os.environ.get("CONFIGADMIN_USER") or _login_name()
        self.client = f"{socket.gethostname()} configadmin/{app_version()}"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self.strict = strict
        self._cache: dict[CacheKey, Resolved] = {}
        self._last_good: dict[CacheKey, Resolved] = {}
        self._revisions: dict[str, int] = {}
        self._heads: dict[str, HeadEntry] = {}
        self._generation = 0
        self._env_generations: dict[str, int] = {}
        self._lock = threading.Lock()
        self._state = ReaderState("database", f"the configuration database at {where(self.url)}")
        self._snapshots = snapshots
        self._schema_checked = True
        self._refresher: Refresher | None = None
        self._feed = ChangeFeed(engine, self._changed, self._connection, enabled=watch,
                                confirmed=self._confirmed_environments)
        self._reader = ReaderHeartbeat(self, reader_name) if reader_name else None
        bind_instance_calls(self)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def connect(cls, url: str | None = None, environment: str | None = None,
                defaults: str | os.PathLike[str] | None = None,
                settings: str | os.PathLike[str] | None = None, user: str | None = None,
                reader_name: str | None = None, *, watch: bool = True,
                migrate: bool | None = None, strict: bool = False,
                snapshot_dir: str | os.PathLike[str] | None = None) -> ConfigurationService:
        """Resolves URL, environment and files like the CLI (arguments, then CONFIGADMIN_* variables,
        then the embedded SQLite default and the bundled defaults file). The embedded default is
        created and migrated on first use; any other database must be migrated with
        `configadmin migrate` (else SchemaOutOfDate).

        A reader (`strict=False`, the default) loads at once and, when the database is unreachable,
        starts from its snapshot (in `snapshot_dir`, else CONFIGADMIN_SNAPSHOT_DIR, else the user's
        cache folder) or the file layers; only with neither does it raise DatabaseUnavailable. The
        CLI and the window connect with `strict=True`: unreachable raises, reads are never stale.
        An `http(s)://` URL reads through the relay instead (no database driver is loaded)."""
        target = database_url(url)
        if target is not None and is_relay_url(target):
            from configadmin.service.relay_reader import RelayReader
            relay = RelayReader.open(target, environment_name(environment), defaults, settings,
                                     snapshot_dir=snapshot_dir, strict=strict, watch=watch)
            return cast(ConfigurationService, relay)
        from configadmin.db import schema
        from configadmin.db.engine import (
            display_url, is_embedded_default, make_engine, make_reader_engine, parse_url,
            translated_errors,
        )
        db_url = parse_url(target)
        env = environment_name(environment)
        default_layer, legacy_layer = read_layers(defaults, settings)
        migrating = migrate if migrate is not None else is_embedded_default(db_url)
        engine = make_engine(db_url, create=migrating)
        read_engine = make_reader_engine(db_url)
        unavailable: DatabaseUnavailable | None = None
        try:
            with translated_errors(db_url):
                if migrating:
                    schema.upgrade(engine)
                else:
                    schema.ensure_current(read_engine)
        except DatabaseUnavailable as exc:
            if strict:
                engine.dispose()
                read_engine.dispose()
                raise
            unavailable = exc
        except BaseException:
            engine.dispose()
            read_engine.dispose()
            raise
        snapshots = None if strict else SnapshotStore(display_url(db_url), env, snapshot_dir)
        service = cls(engine, environment=env, defaults=default_layer, settings=legacy_layer,
                      user=user, reader_name=reader_name, watch=watch, strict=strict,
                      read_engine=read_engine, snapshots=snapshots)
        if unavailable is not None:
            service._schema_checked = False
            try:
                service._start_offline(unavailable)
            except BaseException:
                service.close()
                raise
        return service

    def close(self) -> None:
        if self._refresher is not None:
            self._refresher.stop()
        if self._reader is not None:
            self._reader.stop()
        self._feed.close()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    def __enter__(self) -> ConfigurationService:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def database(self) -> str:
        """The database URL for display: never with the password."""
        from configadmin.db.engine import display_url
        return display_url(self.url)

    @property
    def database_identity(self) -> str:
        """The database whatever URL named it (an SQLite file's real path; host:port/name): what
        the window's drafts are keyed on. No user, no password."""
        from configadmin.db.engine import database_identity
        return database_identity(self.url)

    @property
    def database_user(self) -> str:
        """The login the database authenticates (what it records as `db_user`): the URL's user,
        else libpq's default (PGUSER, else the OS login); the OS login for SQLite."""
        if self.is_postgres:
            return self.url.username or os.environ.get("PGUSER") or _login_name()
        return _login_name()

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
        it a compare-and-swap: a newer row raises ConflictError carrying it. A value equal to the
        stored one (as stored: entry order counts) writes nothing and returns the current version."""
        setting = SettingKey(category, key)
        checked = self.registry.spec(setting).validate(value)
        env = environment or self.environment
        if action is Action.SET:
            with self._uow() as uow:
                row = uow.repo.get(env, setting)
            if (row is not None and row.is_active and same_value(row.value, checked)
                    and expected_version in (None, row.version)):
                return row.version
        entries = self._commit([Change(env, category, key, action,
                                       checked, True, expected_version, reason)], updated_by)
        return entries[0].version

    @shared_or_bound
    def set_ml_feature_mapping(self, mapping: Mapping[str, str], updated_by: str | None = None,
                               reason: str | None = None) -> int:
        return self.set("ml", "feature_mapping", thaw(mapping), updated_by=updated_by, reason=reason)

    @shared_or_bound
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

    def stored_version(self, setting: SettingKey, environment: str | None = None) -> int:
        """The database row's version, active or not (0: no row), read now."""
        with self._uow() as uow:
            row = uow.repo.get(environment or self.environment, setting)
        return row.version if row is not None else 0

    def stored_resolution(self, setting: SettingKey, environment: str | None = None) -> Resolved:
        """Uncached resolution straight from the database (for read-modify-write)."""
        env = environment or self.environment
        with self._uow() as uow:
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
            with self._uow() as uow:
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
        with self._uow() as uow:
            stored = [SettingKey(r.category, r.key) for r in uow.repo.all(environment)
                      if r.category == category]
        known = [k for k in self.registry.keys if k.category == category]
        if not known and not stored:
            self.registry.in_category(category)  # raises NotFound
        return list(dict.fromkeys([*known, *stored]))

    def reset_preview(self, category: str, key: str | None = None,
                      environment: str | None = None) -> list[ResetStep]:
        """What `reset` would remove now, value by value (NotFound for an unknown category)."""
        return previews.reset_preview(self, category, key, environment or self.environment)

    def revert_preview(self, audit_id: int, shown: int = 20) -> RevertPreview:
        """What reverting to the entry would change now, and the later changes it would undo."""
        return previews.revert_preview(self, audit_id, shown)

    def revert(self, audit_id: int, *, updated_by: str | None = None,
               reason: str | None = None) -> int:
        """Restores the value the audit entry recorded (its new value; a reset entry resets)."""
        with self._uow() as uow:
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

    def apply_checked(self, changes: list[Change], updated_by: str | None = None) -> list[AuditEntry]:
        """Writes changes the caller has validated itself (transfer checks an import against the
        file it reads, which may name settings this service's registry does not know), each with
        its audit row, in one transaction; readers are notified."""
        return self._commit(changes, updated_by)

    def _commit(self, changes: list[Change], updated_by: str | None) -> list[AuditEntry]:
        from configadmin.db import notify
        actor = (updated_by or self.user)[:150]
        if hidden_characters(actor):  # the database refuses it too (PostgreSQL CHECK): say it first, everywhere
            raise ValidationError("the user name contains control or hidden characters")
        with self._uow(write=True) as uow:
            _check_new_environments({c.environment for c in changes}, uow.repo.environments)
            entries = [uow.repo.apply(c, actor=actor, client=self.client) for c in changes]
            for env in {e.environment for e in entries}:
                notify.send(uow.session, env, max(e.id for e in entries if e.environment == env))
            uow.commit()
        for env in {c.environment for c in changes}:
            self._invalidate(env)
        return entries

    # -- moving values between files and environments (configadmin/transfer.py) ----------------
    def export_values(self, environment: str | None = None) -> dict[str, Any]:
        """The active database values of one environment as the `configadmin export` document."""
        from configadmin.service import transfer
        return transfer.export_values(self, environment or self.environment)

    def import_values(self, data: Any, reason: str | None = None, *,
                      updated_by: str | None = None) -> ImportReport:
        """All or nothing into this service's environment, every problem listed before writing."""
        from configadmin.service import transfer
        return transfer.import_values(self, data, reason, updated_by=updated_by)

    def import_settings(self, path: str | os.PathLike[str], reason: str | None = None, *,
                        overwrite: bool = False, updated_by: str | None = None) -> ImportReport:
        """Copies the legacy settings.py values into the database (the seed guide's Step 3)."""
        from configadmin.service import transfer
        return transfer.import_settings(self, Path(path), reason, overwrite=overwrite,
                                        updated_by=updated_by)

    def promote_preview(self, category: str, key: str, from_env: str, to_env: str) -> PromotePreview:
        """The value `from_env` resolves to against what `to_env` has now, entry by entry."""
        from configadmin.service import transfer
        return transfer.promote_preview(self, SettingKey(category, key), from_env, to_env)

    def promote(self, category: str, key: str, from_env: str, to_env: str,
                reason: str | None = None, *, updated_by: str | None = None,
                preview: PromotePreview | None = None) -> AuditEntry | None:
        """Writes the previewed value into `to_env` (None: nothing differs); compare-and-swap on
        the target's version as the preview saw it."""
        plan = preview or self.promote_preview(category, key, from_env, to_env)
        from configadmin.service import transfer
        return transfer.promote(self, plan, reason, updated_by=updated_by)

    # -- everything else the CLI and the window show -----------------------------------------------
    def diff(self, category: str, key: str, environment: str | None = None) -> Diff:
        """The stored (database) value against the file default, entry by entry."""
        setting = SettingKey(category, key)
        with self._uow() as uow:
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
        with self._uow() as uow:
            return uow.repo.all(environment or self.environment)

    def history(self, category: str | None = None, key: str | None = None, *,
                actor: str | None = None, action: str | None = None, since: datetime | None = None,
                until: datetime | None = None, text: str | None = None, limit: int = 100,
                before_id: int | None = None, environment: str | None = None,
                actors: Sequence[str] | None = None) -> list[AuditEntry]:
        """Newest first; every filter is applied in SQL; page on with `before_id` (keyset);
        `actors`: any of these names (the window's partial actor filter)."""
        with self._uow() as uow:
            return uow.repo.history(environment=environment, category=category, key=key,
                                    actor=actor, action=action, since=since, until=until,
                                    text=text, before_id=before_id, limit=limit, actors=actors)

    def actors(self, environment: str | None = None) -> list[str]:
        """The names in the audit trail (of one environment), sorted: the actor filter's choices."""
        with self._uow() as uow:
            return list(uow.repo.actors(environment))

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
        with self._uow() as uow:
            return uow.repo.history_per_day(since=since, environment=environment, category=category,
                                            key=key, actor=actor, action=action, text=text,
                                            actors=actors)

    def audit_entry(self, audit_id: int) -> AuditEntry:
        with self._uow() as uow:
            return uow.repo.audit_entry(audit_id)

    def verify_audit(self, expect_head: tuple[int, str] | None = None) -> ChainReport:
        """The chain, the live values against it, and (given) a head recorded earlier."""
        with self._uow() as uow:
            return uow.repo.verify_audit(expect_head)

    def revision(self, environment: str | None = None) -> int:
        with self._uow() as uow:
            return uow.repo.revision(environment)

    def head(self, environment: str | None = None, held: Revision | None = None) -> tuple[HeadEntry, bool]:
        """The environment's head (id + hash), and whether `held` is still in the audit chain
        (False: the database lost that change in a failover)."""
        env = environment or self.environment
        with self._uow() as uow:
            head = uow.repo.head(env)
            return head, held is None or held == head.revision or uow.repo.holds(held)

    def on_standby(self) -> bool:
        """Connected to a hot standby: reads work, writes are refused until it is promoted."""
        with self._uow() as uow:
            return uow.repo.in_recovery()

    def environments(self) -> list[str]:
        with self._uow() as uow:
            stored = uow.repo.environments()
        return environment_list(self.environment, stored)

    def readers(self) -> list[ReaderInfo]:
        with self._uow() as uow:
            readers = uow.repo.readers()
        cutoff = datetime.now(UTC) - READER_STALE_AFTER
        return [ReaderInfo(r.reader_id, r.host, r.pid, r.environment, r.revision, r.loaded_at,
                           r.last_seen, stale=r.last_seen is None or r.last_seen < cutoff)
                for r in readers]

    def can_write(self) -> bool:
        """False for a database user that may read but not write (the window goes read-only)."""
        with self._uow() as uow:
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

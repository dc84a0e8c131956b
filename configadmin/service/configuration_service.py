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
import socket
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from configadmin.domain.column_check import ColumnReport
from configadmin.domain.errors import NotFound
from configadmin.domain.previews import ResetStep, RevertPreview
from configadmin.domain.records import Action, AuditEntry, Change, Resolved, SettingKey
from configadmin.domain.registry import FEATURE_MAPPING, MODEL_INPUT_SIZE, Registry, parse_key
from configadmin.domain.resolution import thaw
from configadmin.domain.revisions import HeadEntry
from configadmin.domain.validation import cross_field_warnings, input_size_warnings
from configadmin.service import database_setup, handlers, previews
from configadmin.service.cached_reads import CacheKey, CachedReads
from configadmin.service.class_calls import bind_instance_calls, shared_or_bound
from configadmin.service.database_setup import Migration
from configadmin.service.commands import (
    ApplyChanges, ResetValues, RevertTo, Scope, SetValue, UpdateValue,
)
from configadmin.service.feature_columns import ColumnsRead, FeatureColumnCache
from configadmin.service.locate import (
    DEFAULT_ENVIRONMENT, database_url, environment_name, is_relay_url, read_layers,
)
from configadmin.service.query_methods import QueryMethods
from configadmin.service.reader_state import ReaderState
from configadmin.service.refresher import Refresher
from configadmin.service.request_methods import RequestMethods
from configadmin.service.snapshot import SnapshotStore
from configadmin.service.value_screen import ValueScreen
from configadmin.sources.pyfile import FileLayer

if TYPE_CHECKING:
    from configadmin.service.transfer import ImportReport, PromotePreview

__all__ = ["ConfigurationService", "ImportReport", "PromotePreview"]


def app_version() -> str:
    from configadmin import __version__
    return __version__


def __getattr__(name: str) -> Any:
    if name in ("ImportReport", "PromotePreview"):
        from configadmin.service import transfer
        return getattr(transfer, name)
    raise AttributeError(name)


class ConfigurationService(CachedReads, RequestMethods, QueryMethods):
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
        self._screen = ValueScreen()
        self._lock = threading.Lock()
        self._state = ReaderState("database", f"the configuration database at {where(self.url)}")
        self._snapshots = snapshots
        self._schema_checked = True
        self._refresher: Refresher | None = None
        self._feed = ChangeFeed(engine, self._changed, self._connection, enabled=watch,
                                confirmed=self._confirmed_environments)
        self._reader = (ReaderHeartbeat(self.read_engine, reader_name, environment, self.reload_if_dropped)
                        if reader_name else None)
        self.columns_cache = FeatureColumnCache(self.read_engine)
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
        env = environment_name(environment)
        default_layer, legacy_layer = read_layers(defaults, settings)
        opened = database_setup.open_engines(target, migrate=migrate, strict=strict)
        snapshots = None if strict else SnapshotStore(opened.display_url, env, snapshot_dir)
        service = cls(opened.engine, environment=env, defaults=default_layer, settings=legacy_layer,
                      user=user, reader_name=reader_name, watch=watch, strict=strict,
                      read_engine=opened.read_engine, snapshots=snapshots)
        unavailable = opened.unavailable
        if unavailable is not None:
            service._schema_checked = False
            try:
                service._start_offline(unavailable)
            except BaseException:
                service.close()
                raise
        return service

    @staticmethod
    def migrate(url: str | None = None) -> Migration:
        """Creates or upgrades the schema of the database at `url` (None: the embedded default):
        what `configadmin migrate` runs. Twice is a no-op."""
        return database_setup.migrate(url)

    def close(self) -> None:
        if self._refresher is not None:
            self._refresher.stop()
        if self._reader is not None:
            self._reader.stop()
        self._feed.close()
        self.columns_cache.close()
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

    # -- writes: each a command run by its handler (configadmin/service/handlers.py) --------------
    def validate(self, category: str, key: str, value: Any) -> list[str]:
        """The value as it would be stored is valid (else ValidationError naming every problem);
        returns warnings to show (the cross-field check)."""
        setting = SettingKey(category, key)
        checked = self.registry.spec(setting).validate(value)
        if setting == MODEL_INPUT_SIZE:
            return input_size_warnings(checked, self._peek(FEATURE_MAPPING))
        if setting == FEATURE_MAPPING:
            return cross_field_warnings(self._peek(MODEL_INPUT_SIZE), checked)
        return []

    def _peek(self, setting: SettingKey) -> Any:
        try:
            return self.get(setting.category, setting.key)
        except NotFound:
            return None

    @property
    def scope(self) -> Scope:
        """What the handlers and queries share: the registry, the file layers, the client name."""
        return Scope(self.registry, self.defaults, self.legacy, self.client)

    def _actor(self, updated_by: str | None) -> str:
        """Who a write or a change request is recorded under, checked once for every command."""
        return handlers.checked_actor(updated_by or self.user)

    def _written(self, entries: Sequence[AuditEntry], *environments: str) -> None:
        """Drops the cached values of the environments a command wrote."""
        for env in {*environments, *(e.environment for e in entries)}:
            self._invalidate(env)

    def set(self, category: str, key: str, value: Any, *, updated_by: str | None = None,
            reason: str | None = None, expected_version: int | None = None,
            action: Action = Action.SET, environment: str | None = None) -> int:
        """Validates and saves; returns the new version. `expected_version` (0: no row yet) makes
        it a compare-and-swap: a newer row raises ConflictError carrying it. A value equal to the
        stored one (as stored: entry order counts) writes nothing and returns the current version."""
        env = environment or self.environment
        try:
            return handlers.set_value(SetValue(env, SettingKey(category, key), value,
                                               self._actor(updated_by), reason, expected_version, action),
                                      self._uow(write=True), self.scope)
        finally:
            self._written((), env)

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
        try:
            return handlers.update_value(UpdateValue(self.environment, SettingKey(category, key), fn,
                                                     self._actor(updated_by), reason),
                                         self._uow(write=True), self.scope)
        finally:
            self._written((), self.environment)

    def reset(self, category: str, key: str | None = None, *, updated_by: str | None = None,
              reason: str | None = None, environment: str | None = None,
              expected_versions: Mapping[str, int] | None = None) -> list[AuditEntry]:
        """Removes the database values (of one setting or a whole category) so the file defaults
        apply; the rows stay, inactive, and the audit rows keep the old values.
        `expected_versions` (setting name → version, e.g. `{s.setting: s.version for s in
        reset_preview(...)}`): ConflictError, and nothing reset, if a value moved since."""
        env = environment or self.environment
        entries = handlers.reset_values(ResetValues(env, category, key, self._actor(updated_by), reason,
                                                    expected_versions), self._uow(write=True), self.scope)
        self._written(entries, env)
        return entries

    def reset_preview(self, category: str, key: str | None = None,
                      environment: str | None = None) -> list[ResetStep]:
        """What `reset` would remove now, value by value (NotFound for an unknown category)."""
        return previews.reset_preview(self._uow(), self.scope, category, key,
                                      environment or self.environment)

    def revert_preview(self, audit_id: int, shown: int = 20) -> RevertPreview:
        """What reverting to the entry would change now, and the later changes it would undo."""
        return previews.revert_preview(self._uow(), self.scope, audit_id, shown)

    def revert(self, audit_id: int, *, updated_by: str | None = None, reason: str | None = None,
               expected_version: int | None = None) -> int:
        """Restores the value the audit entry recorded (its new value; a reset entry resets).
        `expected_version` (the preview's `now_version`): ConflictError if the value moved since."""
        try:
            return handlers.revert_to(RevertTo(audit_id, self._actor(updated_by), reason, expected_version),
                                      self._uow(write=True), self.scope)
        finally:
            self._invalidate(None)

    def apply_changes(self, changes: Iterable[Change], updated_by: str | None = None) -> list[AuditEntry]:
        """Several validated changes in one transaction (import, promote, merged saves)."""
        command = ApplyChanges(tuple(changes), self._actor(updated_by))
        entries = handlers.apply_changes(command, self._uow(write=True), self.scope)
        self._written(entries, *(c.environment for c in command.changes))
        return entries

    def apply_checked(self, changes: list[Change], updated_by: str | None = None) -> list[AuditEntry]:
        """Writes changes the caller has validated itself (an import checks against the file it
        reads, which may name settings this service's registry does not know), each with its
        audit row, in one transaction; readers are notified."""
        command = ApplyChanges(tuple(changes), self._actor(updated_by), validated=True)
        entries = handlers.apply_changes(command, self._uow(write=True), self.scope)
        self._written(entries, *(c.environment for c in command.changes))
        return entries

    # -- moving values between files and environments (configadmin/service/transfer.py) ---------
    def export_values(self, environment: str | None = None) -> dict[str, Any]:
        """The active database values of one environment as the `configadmin export` document."""
        from configadmin.service import transfer
        return transfer.export_values(self._uow(), environment or self.environment)

    def import_values(self, data: Any, reason: str | None = None, *,
                      updated_by: str | None = None) -> ImportReport:
        """All or nothing into this service's environment, every problem listed before writing."""
        from configadmin.service import transfer
        env = self.environment
        report = transfer.import_values(self._uow(write=True), self.scope, env, data, reason,
                                        actor=self._actor(updated_by))
        self._written(report.entries, env)
        return report

    def import_settings(self, path: str | os.PathLike[str], reason: str | None = None, *,
                        overwrite: bool = False, updated_by: str | None = None) -> ImportReport:
        """Copies the legacy settings.py values into the database (the seed guide's Step 3)."""
        from configadmin.service import transfer
        env = self.environment
        report = transfer.import_settings(self._uow(write=True), self.scope, env, Path(path), reason,
                                          overwrite=overwrite, actor=self._actor(updated_by))
        self._written(report.entries, env)
        return report

    def promote_preview(self, category: str, key: str, from_env: str, to_env: str) -> PromotePreview:
        """The value `from_env` resolves to against what `to_env` has now, entry by entry."""
        from configadmin.service import transfer
        return transfer.promote_preview(self._uow(), self.scope, SettingKey(category, key), from_env, to_env)

    def promote(self, category: str, key: str, from_env: str, to_env: str,
                reason: str | None = None, *, updated_by: str | None = None,
                preview: PromotePreview | None = None) -> AuditEntry | None:
        """Writes the previewed value into `to_env` (None: it stores this value already);
        compare-and-swap on the target's version as the preview saw it."""
        plan = preview or self.promote_preview(category, key, from_env, to_env)
        from configadmin.service import transfer
        try:
            return transfer.promote(self._uow(write=True), self.scope, plan, reason,
                                    actor=self._actor(updated_by))
        finally:
            self._written((), plan.to_env)

    # -- the feature table (configadmin/service/feature_columns.py) ---------------------------------
    def check_columns(self, mapping: Mapping[str, str] | None = None, *, environment: str | None = None,
                      feature_source: str | None = None, refresh: bool = False) -> ColumnReport:
        """The mapping (default: the stored one) against the columns of `ml.feature_table`:
        unknown and non-numeric columns, or the notice why they could not be read (never raises
        for a missing table or an unreachable source)."""
        from configadmin.service import feature_columns
        return feature_columns.check_columns(self.stored_resolution, self.columns_cache, mapping,
                                             environment or self.environment,
                                             source=feature_source, refresh=refresh)

    def table_columns(self, environment: str | None = None, *, feature_source: str | None = None,
                      refresh: bool = False) -> ColumnsRead:
        """The columns of the environment's feature table (cached; read at most once a minute)."""
        from configadmin.service import feature_columns
        return feature_columns.table_columns(self.stored_resolution, self.columns_cache,
                                             environment or self.environment,
                                             source=feature_source, refresh=refresh)

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

"""The window's controller: it owns the service, the worker, the edit state, the timers that talk
to the database (a debounced reload on a change notice, a retry with backoff after a failed load)
and the use cases — load, leave the edits, switch environment, save, discard, merge, drafts, and the
one ending of every write (`wrote`: our audit entries are not news, `valuesChanged`, a reload). It
touches no widget and asks nothing: the view (window_view.py and its parts) asks through the
callables it passes, and renders what the controller returns and emits."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QObject, QTimer, Signal

from configadmin.ui.edits import pending
from configadmin.ui.edits.conflicts import ConflictItem, MergeOutcome
from configadmin.ui.error_text import error_text
from configadmin.ui.window.edit_state import EditState
from configadmin.ui.worker import Runner

if TYPE_CHECKING:
    from configadmin.domain.records import AuditEntry, Resolved
    from configadmin.domain.revisions import HeadEntry
    from configadmin.service.configuration_service import ConfigurationService
    from configadmin.ui.edits.pending import PendingEdit, Plan
    from configadmin.ui.operations.save_flow import AskMerge, SaveFlow
    from configadmin.ui.window.draft_file import DraftEntry
    from configadmin.ui.window.drafts import Draft, UnusableDraft
    from configadmin.ui.window.live_refresh import LiveRefresh
    from configadmin.ui.window.requests_watch import RequestsWatch
    from configadmin.ui.window.snapshot import Snapshot

RETRY_FIRST_MS, RETRY_MAX_MS = 1000, 30_000
CHANGE_DEBOUNCE_MS = 100  # a burst of notices (one save of many settings) reloads once
CHANGE_MAX_WAIT_MS = 500  # ...but a flood (any login may NOTIFY) never postpones a reload longer

log = logging.getLogger(__name__)

Leaving = Literal["stay", "saving", "gone"]
"""How leaving the edits ended: the analyst stays, a save runs first, or they were left behind."""
AskLeaving = Callable[[], "str | None"]  # the view's question: "save", "draft", "discard" or None (cancel)
SaveFirst = Callable[[], None]  # the view's save: the dialog, then `save` (or not: cancelled, blocked)
AskConflicts = Callable[[list[ConflictItem]], "dict[tuple[str, str], Any] | None"]  # None: cancelled


class WindowController(QObject):
    snapshotLoaded = Signal(object, object)  # (Snapshot, the drafts left by other windows to offer)
    connected = Signal(object)  # the service, once the database answered (see open_service)
    connectFailed = Signal(str, int)  # (the error in words, seconds until the next try; 0: no retry)
    loadFailed = Signal(str, int)  # (the error in words, seconds until the next try)
    connectionChanged = Signal(bool)  # the change feed's connection went down / came back
    failure = Signal(str)  # a background failure no job handled, in words
    saveSucceeded = Signal(object, object, object)  # (audit entries, the plan written, values not written)
    saveFailed = Signal(object)  # the error; the edits are still in the window
    saveCancelled = Signal()  # the merge question was cancelled; the edits are kept
    valuesChanged = Signal(object)  # a write from this window is stored (its audit entries, maybe none)
    requestsChanged = Signal(object, object)  # (the look before or None, RequestsSeen): policy, requests
    proposeSucceeded = Signal(object, object)  # (the ChangeRequest, the plan it holds)
    proposeFailed = Signal(object)  # the error; the edits are still in the window
    leavingEnvironment = Signal(str)  # the next environment; this one's values and edits are still known
    environmentSwitched = Signal(str)  # the new environment, before its first load starts

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service: ConfigurationService | None = None
        self.first_environment = ""  # the first look's, until the service is attached
        self.runner = Runner()  # no Qt parent: jobs still running when the window goes finish quietly
        self.state = EditState()
        self.head: HeadEntry | None = None  # the head loaded last: the next load checks it is still there
        self.live: LiveRefresh | None = None
        self.requests: RequestsWatch | None = None
        self.wants_draft: Callable[[], bool] = lambda: False  # the view's draft keeper says
        self._loading = self._reload_again = False
        self.retry_ms = RETRY_FIRST_MS
        self.retry_timer = QTimer(self, singleShot=True)
        self.retry_timer.timeout.connect(self.reload)
        self.change_timer = QTimer(self, singleShot=True, interval=CHANGE_DEBOUNCE_MS)
        self.change_timer.timeout.connect(self._change_due)
        self._waiting_since: float | None = None
        self._open: Callable[[], ConfigurationService] | None = None
        self._give_up: Callable[[BaseException], None] | None = None
        self.connect_ms = RETRY_FIRST_MS
        self.connect_tries = 0
        self.connect_timer = QTimer(self, singleShot=True)
        self.connect_timer.timeout.connect(self.retry_connect)
        self.save_flow: SaveFlow | None = None
        self._saving = False  # a save runs: between `save` and its saveSucceeded / saveFailed / saveCancelled
        self._after_save: tuple[Callable[[], None], Callable[[], None]] | None = None
        self.runner.unhandledFailure.connect(self._unhandled)

    def _unhandled(self, error: BaseException) -> None:
        text = self.say(error)
        log.error("background job failed: %s", text)
        self.failure.emit(text)

    @property
    def environment(self) -> str:
        return self.service.environment if self.service is not None else self.first_environment

    def say(self, error: BaseException) -> str:
        """The error as the window shows it (one line, the password masked)."""
        return error_text(error, self.service)

    def attach(self, service: ConfigurationService) -> None:
        from configadmin.ui.window.live_refresh import LiveRefresh
        self.service = service
        self.live = LiveRefresh(self)
        self.live.changed.connect(self._external_change)
        self.live.connectionChanged.connect(self.connectionChanged)
        self.live.attach(service)
        self._watch_requests(service)

    def _watch_requests(self, service: ConfigurationService) -> None:
        """Change requests (DESIGN §10): looked at after every load and on every change notice."""
        from configadmin.ui.window.requests_watch import RequestsWatch
        assert self.live is not None
        self.requests = RequestsWatch(self.runner, service, self)
        self.requests.changed.connect(self.requestsChanged)
        self.live.changed.connect(self.requests.notice)
        self.snapshotLoaded.connect(lambda *_: self.requests.check() if self.requests else None)

    # -- opening the service --------------------------------------------------------------------------
    def open_service(self, open_service: Callable[[], ConfigurationService],
                     give_up: Callable[[BaseException], None] | None = None) -> None:
        """Connects off the GUI thread. While the database does not answer it tries again by
        itself, 1 s after the first failure, doubling to 30 s (Retry and F5 try at once), and
        `connected` brings the service when it answers; any other error, or any error at all when
        `give_up` is given (a script's --exit-when-ready), ends the trying."""
        self._open, self._give_up = open_service, give_up
        self.retry_connect()

    def retry_connect(self) -> None:
        if self._open is None or self.service is not None or self.runner.running("connect", self):
            return
        self.connect_timer.stop()
        self.connect_tries += 1
        self.runner.run(self._open, self._opened, self._open_failed, owner=self, key="connect")

    def _opened(self, service: ConfigurationService) -> None:
        self.connect_ms = RETRY_FIRST_MS
        self.connected.emit(service)

    def _open_failed(self, error: BaseException) -> None:
        from configadmin.domain.errors import DatabaseUnavailable
        if self._give_up is not None:
            self._give_up(error)
            return
        if not isinstance(error, DatabaseUnavailable):
            self.connectFailed.emit(self.say(error), 0)
            return
        self.connectFailed.emit(self.say(error), max(self.connect_ms // 1000, 1))
        self.connect_timer.start(self.connect_ms)
        self.connect_ms = min(self.connect_ms * 2, RETRY_MAX_MS)

    def first_look(self, snap: Snapshot) -> None:
        """The values read before the service exists (`configadmin gui`), shown like a load."""
        self.state.loaded(snap.revision)
        self.snapshotLoaded.emit(snap, [])

    # -- loading ------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Reads the snapshot off the GUI thread; a reload asked for mid-load runs right after."""
        if self.service is None:
            self.retry_connect()  # F5 before the database ever answered: try to open it now
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        from configadmin.ui.window.snapshot import load_snapshot
        service, env, since, offer = self.service, self.environment, self.state.revision, self.wants_draft()
        held = self.head

        def load() -> tuple[Snapshot, list[Draft | UnusableDraft]]:
            from configadmin.ui.window.drafts import DraftStore  # the drafts are read here, off the GUI thread
            drafts = DraftStore(service.database_identity, env).left() if offer else []
            return load_snapshot(service, env, since, held), drafts

        self.runner.run(load, self._loaded, self._load_failed, owner=self)

    def _loaded(self, result: tuple[Snapshot, list[Draft | UnusableDraft]]) -> None:
        snap, drafts = result
        self._loading = False
        self.retry_ms = RETRY_FIRST_MS
        if snap.environment != self.environment:  # switched while it loaded
            self.reload()
            return
        self.state.loaded(snap.revision)
        self.head = snap.head
        self.snapshotLoaded.emit(snap, drafts)
        if self._reload_again:
            self._reload_again = False
            self.reload()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.loadFailed.emit(self.say(error), self.retry_ms // 1000)
        self.retry_timer.start(self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MAX_MS)

    def _external_change(self, environment: str | None, revision: int | None) -> None:
        """A change notice is a hint: reload (debounced) only for news about this environment."""
        if environment is not None and environment != self.environment:
            return
        if self.state.is_news(revision):
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            left_ms = CHANGE_MAX_WAIT_MS - int((now - self._waiting_since) * 1000)
            self.change_timer.start(max(0, min(CHANGE_DEBOUNCE_MS, left_ms)))

    def _change_due(self) -> None:
        self._waiting_since = None
        self.reload()

    # -- saving and discarding ----------------------------------------------------------------------
    def save_plan(self, edits: Iterable[PendingEdit]) -> Plan:
        return pending.save_plan(self.state.resolved, edits)

    def save_warnings(self, plan: Plan) -> list[str]:
        """The cross-field check on the values as they will be after the save (the edited ones
        over the stored ones), shown in the save dialog at the moment of saving."""
        from configadmin.domain.validation import cross_field_warnings
        if not {base.name for base, _ in plan} & {pending.MAPPING, pending.INPUT_SIZE}:
            return []
        after = pending.values_after(self.state.resolved, plan, (pending.MAPPING, pending.INPUT_SIZE))
        return cross_field_warnings(after.get(pending.INPUT_SIZE), after.get(pending.MAPPING))

    def save(self, plan: Plan, reason: str, ask_merge: AskMerge) -> None:
        """The save operation: compare-and-swap off the GUI thread, a merge when someone saved in
        between (`ask_merge` is the view's question); ends in saveSucceeded/saveFailed/saveCancelled."""
        assert self.service is not None
        if self.save_flow is None:
            from configadmin.ui.operations.save_flow import SaveFlow
            self.save_flow = SaveFlow(self, self.runner)
            self.save_flow.succeeded.connect(self._save_succeeded)
            self.save_flow.failed.connect(self._save_failed)
            self.save_flow.cancelled.connect(self._save_cancelled)
        self._saving = True
        self.save_flow.start(self.service, self.environment, plan, reason, ask_merge)

    def save_then(self, save: SaveFirst, then: Callable[[], None], otherwise: Callable[[], None]) -> bool:
        """Save first, then go on (switch the environment, close the window): `then` runs once the
        save is stored and shown, `otherwise` when no save started (the dialog was cancelled, an edit
        is invalid, a protected environment proposes instead), or it failed or was cancelled at the
        merge. Returns whether a save runs."""
        self._after_save = (then, otherwise)
        save()
        if not self._saving:
            self._after_save = None
            otherwise()
        return self._saving

    def _save_succeeded(self, entries: Sequence[AuditEntry], plan: Plan, unchanged: Sequence[Resolved]) -> None:
        self._saving = False
        self.saveSucceeded.emit(entries, plan, unchanged)
        self._go_on(stored=True)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.saveFailed.emit(error)
        self._go_on(stored=False)

    def _save_cancelled(self) -> None:
        self._saving = False
        self.saveCancelled.emit()
        self._go_on(stored=False)

    def _go_on(self, *, stored: bool) -> None:
        """After the view has shown how the save ended: the continuation of `save_then`, once."""
        after, self._after_save = self._after_save, None
        if after is not None:
            (after[0] if stored else after[1])()

    def saved(self, entries: Sequence[AuditEntry], plan: Plan, unchanged: Sequence[Resolved]) -> dict[str, Resolved]:
        """`plan` was written as `entries`; `unchanged` needed no write. Returns the values each
        edit now starts from (the view shows them)."""
        now = self.state.saved([(base, value, entry) for (base, value), entry in zip(plan, entries)])
        now.update(self.state.unchanged(unchanged))
        return now

    def discard(self, names: Iterable[str]) -> dict[str, Resolved]:
        return self.state.discard(list(names))

    def draft_entries(self, edits: Iterable[PendingEdit]) -> dict[str, DraftEntry]:
        return pending.draft_entries(self.state.resolved, edits)

    def reset_done(self, prefix: str, entries: Sequence[AuditEntry]) -> dict[str, Resolved]:
        """A reset replaces the stored values, so edits on them go with it; returns what to show."""
        self.state.mine(entries)
        return self.state.reset(prefix)

    # -- change requests (DESIGN §10) ------------------------------------------------------------
    @property
    def protected(self) -> int | None:
        """The approvals the environment's policy asks for (Save becomes Propose…), else None."""
        seen = self.requests.seen if self.requests is not None else None
        if seen is None or seen.environment != self.environment or seen.policy is None:
            return None
        return seen.policy.approvals

    def propose(self, plan: Plan, reason: str) -> None:
        """The propose operation: a change request holding the plan, each edit based on the version
        it started from; ends in proposeSucceeded / proposeFailed."""
        from configadmin.ui.operations import request_flow
        assert self.service is not None
        request_flow.propose(self.runner, self.service, plan, reason, owner=self,
                             on_done=lambda request: self.proposeSucceeded.emit(request, plan),
                             on_failure=self.proposeFailed.emit)

    def proposed(self, plan: Plan) -> dict[str, Resolved]:
        """The proposed edits live in the request now, not in the window: returns what to show."""
        if self.requests is not None:
            self.requests.check_now()
        return self.state.discard([base.name for base, _ in plan])

    def wrote(self, entries: Sequence[AuditEntry] = ()) -> None:
        """Every write from this window ends here (save, reset, revert, promote): its audit entries
        are ours (the reload does not report them as someone else's), then what shows is refreshed."""
        self.state.mine(entries)
        self.valuesChanged.emit(list(entries))
        self.reload()

    def merge_incoming(self, mine: Mapping[str, Any], ask: AskConflicts) -> MergeOutcome | None:
        """The merge use case: each waiting change goes under the analyst's edit (`mine`, by
        setting), entry by entry; `ask` (the view's merge dialog) is called only when both sides
        changed an entry. None: the analyst cancelled, nothing changed. Otherwise the edits now
        start from the waiting changes; the view shows each merged value over its new base."""
        results = self.state.merge(mine)
        items = [ConflictItem(name, c) for name, result in results.items() for c in result.conflicts]
        choices: dict[tuple[str, str], Any] = {}
        if items:
            picked = ask(items)
            if picked is None:
                return None
            choices = picked
        merged = {}
        for name, result in results.items():
            theirs = self.state.merged(name)
            merged[name] = (result.resolve({p: v for (n, p), v in choices.items() if n == name}), theirs.value)
        return MergeOutcome(merged, asked=bool(items))

    # -- environment and shutdown ----------------------------------------------------------------
    def leave(self, ask: AskLeaving, *, discard: Callable[[], None], save: SaveFirst,
              then: Callable[[], None], otherwise: Callable[[], None] = lambda: None) -> Leaving:
        """Leaving the edits (another environment, closing the window): they are never carried off
        or dropped silently. The view asks (save, keep as a draft, discard; "draft" when there is
        nothing to ask); "saving": the view's save runs, and `then` once it is stored (see
        `save_then`); "stay" when it could not start."""
        choice = ask()
        if choice is None:
            return "stay"
        if choice == "save":
            return "saving" if self.save_then(save, then, otherwise) else "stay"
        if choice == "discard":
            discard()
        return "gone"

    def choose_environment(self, environment: str, ask: AskLeaving, *, discard: Callable[[], None],
                           save: SaveFirst, stay: Callable[[], None] = lambda: None) -> Leaving:
        """The environment-switch use case: the analyst picked `environment`; the edits of this one
        are left as `leave` says, and the switch follows (after the save, if they chose to save;
        `stay` when that save did not start, failed or was cancelled)."""
        if self.service is None or environment == self.environment:
            return "stay"

        def go() -> None:
            self.switch(environment)

        leaving = self.leave(ask, discard=discard, save=save, then=go, otherwise=stay)
        if leaving == "gone":
            go()
        return leaving

    def switch(self, environment: str) -> None:
        """Another environment: nothing is known about it until it has loaded. The view keeps the
        draft of this one on `leavingEnvironment` and shows the new one on `environmentSwitched`."""
        assert self.service is not None
        if environment == self.environment:
            return
        self.leavingEnvironment.emit(environment)
        self.service.environment = environment
        self.head = None
        self.state.switch()
        self.environmentSwitched.emit(environment)
        self.reload()

    def close(self) -> None:
        if self.live is not None:
            self.live.detach()
        if self.requests is not None:
            self.requests.stop()
        self.retry_timer.stop()
        self.change_timer.stop()
        self.connect_timer.stop()
        self._open = None


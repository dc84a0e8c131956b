"""Saving edits: compare-and-swap against the version the analyst started from; when someone saved
in between, a 3-way merge per entry (disjoint changes merged and saved, shared ones asked about).
An operation: the writes run off the GUI thread, the results arrive on it as signals, and it touches
no widget (the question about shared entries is the view's `ask_merge`)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from configadmin.domain.diff import MergeResult, merge3
from configadmin.domain.records import Action, Change, Resolved, SettingKey
from configadmin.domain.resolution import changes_anything, thaw
from configadmin.domain.errors import ConflictError
from configadmin.ui.edits.conflicts import ConflictItem
from configadmin.ui.edits.pending import Plan
from configadmin.ui.operations.write import write
from configadmin.ui.worker import Runner

if TYPE_CHECKING:
    from configadmin.service.configuration_service import ConfigurationService

MAX_ROUNDS = 5
# The entries both changed and who "they" are -> the value chosen per (setting, entry), or None: cancel.
AskMerge = Callable[[Sequence[ConflictItem], str], "dict[tuple[str, str], Any] | None"]


class SaveFlow(QObject):
    succeeded = Signal(object, object, object)  # (audit entries, the plan written, fresh values not written)
    failed = Signal(object)  # the error; the edits are still in the window
    cancelled = Signal()

    def __init__(self, parent: QObject | None, runner: Runner) -> None:
        super().__init__(parent)
        self._runner = runner

    def start(self, service: ConfigurationService, environment: str, plan: Plan, reason: str,
              ask_merge: AskMerge) -> None:
        self._service, self._environment, self._rounds = service, environment, 0
        self._ask_merge = ask_merge
        self._write(plan, reason)

    def _write(self, plan: Plan, reason: str, unchanged: Sequence[Resolved] = ()) -> None:
        if not plan:  # the merge left nothing to change: no version, no audit row
            self.succeeded.emit([], [], list(unchanged))
            return
        changes = [Change(self._environment, base.category, base.key, Action.SET, value, True,
                          base.stored_version, reason or None) for base, value in plan]
        service = self._service
        write(self._runner, lambda: service.apply_changes(changes), owner=self,
              done=lambda entries: self.succeeded.emit(entries, plan, list(unchanged)),
              failed=lambda exc: self._write_failed(exc, plan, reason))

    def _write_failed(self, exc: BaseException, plan: Plan, reason: str) -> None:
        self._rounds += 1
        if not isinstance(exc, ConflictError) or self._rounds > MAX_ROUNDS:
            self.failed.emit(exc)
            return
        service, env = self._service, self._environment

        def fresh() -> tuple[list[Resolved], dict[str, str]]:
            who = {r.name: r.updated_by or "someone" for r in service.stored(env)}
            return [service.stored_resolution(SettingKey(b.category, b.key), env) for b, _ in plan], who

        self._runner.run(fresh, lambda result: self._merge(plan, result[0], result[1], reason),
                         self.failed.emit, owner=self)

    def _merge(self, plan: Plan, theirs: Sequence[Resolved], who: dict[str, str], reason: str) -> None:
        merged: list[tuple[Resolved, Any]] = []
        items: list[ConflictItem] = []
        actors: list[str] = []
        for (base, mine), now in zip(plan, theirs):
            if now.stored_version == base.stored_version:
                merged.append((now, mine))
                continue
            actors.append(who.get(base.name, "someone"))
            result = merge3(thaw(base.value), thaw(mine), thaw(now.value))
            items.extend(ConflictItem(base.name, c) for c in result.conflicts)
            merged.append((now, result))
        by = ", ".join(dict.fromkeys(actors)) or "someone"
        choices: dict[tuple[str, str], Any] = {}
        if items:
            picked = self._ask_merge(items, by)
            if picked is None:
                self.cancelled.emit()
                return
            choices = picked
        final = [(now, value.resolve({p: v for (name, p), v in choices.items() if name == now.name})
                  if isinstance(value, MergeResult) else value) for now, value in merged]
        note = f"merged with changes by {by}"
        self._write([(now, v) for now, v in final if changes_anything(now, v)],
                    f"{reason} ({note})" if reason else note,
                    [now for now, v in final if not changes_anything(now, v)])

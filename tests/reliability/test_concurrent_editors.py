"""Several editor processes saving the same mapping at once on PostgreSQL: nothing is lost.

Each process adds its own entries with read-modify-write saves. Half go through `service.update`
(compare-and-swap with retries inside the service); the other half are explicit compare-and-swap
saves that count every ConflictError they meet and retry. The first explicit round starts behind a
barrier, after every process has read the same version, so conflicts are certain, not lucky.
"""
from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from configadmin import ConfigurationService, ConflictError
from configadmin.domain.records import SettingKey
from configadmin.domain.resolution import thaw

pytestmark = pytest.mark.postgres

EDITORS = 4
EDITS_EACH = 10
MAPPING = SettingKey("ml", "feature_mapping")


def _entry(editor: int, edit: int) -> tuple[str, str]:
    return f"editor{editor}_feature{edit}", f"editor{editor}_column{edit}"


def _editor(url: str, editor: int, barrier: Any, results: Any) -> None:
    """One analyst's process: saves EDITS_EACH entries, alternating update() and explicit CAS."""
    conflicts = 0
    with ConfigurationService.connect(url, user=f"editor{editor}") as service:
        for edit in range(EDITS_EACH):
            feature, column = _entry(editor, edit)
            if edit % 2 == 0:
                service.update("ml", "feature_mapping", lambda m: {**m, feature: column},
                               reason=f"editor {editor} edit {edit}")
                continue
            first_try = True
            while True:
                current = service.stored_resolution(MAPPING)
                if edit == 1 and first_try:
                    barrier.wait(timeout=120)
                first_try = False
                try:
                    service.set("ml", "feature_mapping", {**thaw(current.value), feature: column},
                                expected_version=current.stored_version,
                                reason=f"editor {editor} edit {edit}")
                    break
                except ConflictError:
                    conflicts += 1
    results.put((editor, conflicts))


def test_concurrent_editors_lose_no_edit_and_audit_every_commit(pg_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(EDITORS)
    results = ctx.Queue()
    editors = [ctx.Process(target=_editor, args=(pg_url, i, barrier, results)) for i in range(EDITORS)]
    for process in editors:
        process.start()
    outcomes = dict(results.get(timeout=240) for _ in editors)
    for process in editors:
        process.join(timeout=60)
        assert process.exitcode == 0

    with ConfigurationService.connect(pg_url, user="checker") as service:
        mapping = service.stored_resolution(MAPPING)
        expected = {f: c for i in range(EDITORS) for f, c in map(lambda e: _entry(i, e), range(EDITS_EACH))}
        assert expected.items() <= dict(mapping.value).items(), "an edit was lost"
        commits = EDITORS * EDITS_EACH
        assert mapping.stored_version == commits
        history = service.history("ml", "feature_mapping", limit=1000)
        assert len(history) == commits
        for entry in history:  # every audit row records exactly the one entry its editor added
            added = set(entry.new_value) - set(entry.old_value or service.file_default(MAPPING))
            assert len(added) == 1 and added.pop().startswith(entry.actor)
        assert service.verify_audit().ok
    # The barrier round: all editors read the same version, only one could win it.
    assert sum(outcomes.values()) >= EDITORS - 1

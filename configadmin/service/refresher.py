"""The reader's background refresh: checks the source's real head on a hint (a notification is
only a hint: any login may send one) and, while the live channel (LISTEN or the relay's event
stream) is down or the source unreachable, every ~0.5 s; reloads only when the head moved.

A flood of hints costs at most one head check per HINT_SPACING and never touches a warm read."""
from __future__ import annotations

import random
import threading
from collections.abc import Callable

POLL_EVERY = 0.5        # while the live channel is down: a change still shows within 1 s
RETRY_MAX = 1.0         # backoff cap while the source is unreachable (recovery within ~1 s)
HINT_SPACING = 0.02     # at most 50 head checks a second, however many notifications arrive
SAFETY_EVERY = 30.0     # with the live channel up: a lost notification is noticed anyway


class Refresher:
    """`head()` returns the source's revision (raising when unreachable; any value that differs
    when the head does, e.g. a Revision of id + hash); `current()` the revision loaded; `reload()` loads and swaps in new values; `failed(exc)` / `reached()` report."""

    def __init__(self, head: Callable[[], object], current: Callable[[], object],
                 reload: Callable[[], None], failed: Callable[[Exception], None],
                 reached: Callable[[], None], *, name: str = "configadmin-refresher") -> None:
        self._head, self._current, self._reload = head, current, reload
        self._failed, self._reached = failed, reached
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._live = False
        self._failing = False
        self._reload_wanted = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self, *, failing: bool = False) -> Refresher:
        self._failing = failing
        self._thread.start()
        return self

    def hint(self) -> None:
        """Something may have changed (a notification, a reconnect): check the head soon."""
        self._wake.set()

    def reload_soon(self) -> None:
        """The real head is known to have moved (the listener read it): reload, no check first."""
        self._reload_wanted = True
        self._wake.set()

    def live(self, up: bool) -> None:
        """The live channel came up (notifications will arrive) or went down (poll instead)."""
        self._live = up
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _timeout(self, backoff: float) -> float:
        if self._failing:
            return backoff * random.uniform(0.8, 1.0)
        return SAFETY_EVERY if self._live else POLL_EVERY

    def _run(self) -> None:
        backoff = POLL_EVERY / 2
        while not self._stop.is_set():
            self._wake.wait(self._timeout(backoff))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                wanted, self._reload_wanted = self._reload_wanted, False
                if wanted or self._head() != self._current():
                    self._reload()
                self._failing, backoff = False, POLL_EVERY / 2
                self._reached()
            except Exception as exc:  # unreachable: serve what we have, retry with backoff
                self._failing, backoff = True, min(backoff * 2, RETRY_MAX)
                self._failed(exc)
            self._stop.wait(HINT_SPACING)

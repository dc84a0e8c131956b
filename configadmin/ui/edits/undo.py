"""A plain undo/redo stack of commands (QUndoStack's behaviour without Qt), so the edit history is
the edit session's and is unit-tested without a widget (tests/unit/test_undo_stack.py)."""
from __future__ import annotations

from collections.abc import Callable


class Command:
    """One undoable step; `push` runs `redo` first. `merge_with` may absorb the next step of the
    same kind (typed digits of one number) and return True."""

    def __init__(self, text: str = "") -> None:
        self.text = text

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge_with(self, other: Command) -> bool:
        return False


class Macro(Command):
    """Several commands as one step (a paste, a reset of entries to their defaults)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.children: list[Command] = []

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


class UndoStack:
    """Commands below `index` are done. Listeners of `index_changed` hear of every push, undo,
    redo and clear (the Undo/Redo actions and the editor's notice follow them)."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0
        self._clean: int | None = 0
        self._macros: list[Macro] = []
        self._listeners: list[Callable[[int], None]] = []

    def on_index_changed(self, listener: Callable[[int], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener(self._index)

    @property
    def index(self) -> int:
        return self._index

    def __len__(self) -> int:
        return len(self._commands)

    def push(self, command: Command) -> None:
        """Does the command and records it; inside a macro it becomes part of the macro."""
        command.redo()
        self._record(command)

    def begin_macro(self, text: str) -> None:
        self._macros.append(Macro(text))

    def end_macro(self) -> None:
        self._record(self._macros.pop())

    def _record(self, command: Command) -> None:
        """A done step joins the open macro, else tops the history (the steps undone before it
        are dropped), merged into the step below when that one absorbs it."""
        if self._macros:
            self._macros[-1].children.append(command)
            return
        del self._commands[self._index:]
        if self._clean is not None and self._clean > self._index:
            self._clean = None  # the clean state was undone and is now out of reach
        top = self._commands[-1] if self._commands else None
        if top is not None and self._index != self._clean and top.merge_with(command):
            self._changed()
            return
        self._commands.append(command)
        self._index += 1
        self._changed()

    def undo(self) -> None:
        if not self.can_undo():
            return
        self._index -= 1
        self._commands[self._index].undo()
        self._changed()

    def redo(self) -> None:
        if not self.can_redo():
            return
        self._commands[self._index].redo()
        self._index += 1
        self._changed()

    def can_undo(self) -> bool:
        return self._index > 0 and not self._macros

    def can_redo(self) -> bool:
        return self._index < len(self._commands) and not self._macros

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    def clear(self) -> None:
        """Forgets every step (a load: the history ends at a save, a discard or a reload)."""
        self._commands, self._index, self._clean, self._macros = [], 0, 0, []
        self._changed()

    def set_clean(self) -> None:
        self._clean = self._index

    def is_clean(self) -> bool:
        return self._clean == self._index

"""The plain undo/redo stack (QUndoStack's behaviour without Qt): steps, macros, merging, the clean
state and what its listener hears."""
from __future__ import annotations

from configadmin.ui.edits.undo import Command, UndoStack


class Append(Command):
    """Appends to a list; consecutive appends of digits merge, as typed digits of one number do."""

    def __init__(self, into: list[str], item: str) -> None:
        super().__init__(f"Add {item}")
        self.into, self.items = into, [item]

    def redo(self) -> None:
        self.into.extend(self.items)

    def undo(self) -> None:
        del self.into[len(self.into) - len(self.items):]

    def merge_with(self, other: Command) -> bool:
        if not (isinstance(other, Append) and other.items[0].isdigit() and self.items[-1].isdigit()):
            return False
        self.items += other.items  # `other` was done already: this step now covers both
        self.text = f"Add {''.join(self.items)}"
        return True


def test_undo_and_redo_walk_the_steps_and_name_them() -> None:
    done: list[str] = []
    stack = UndoStack()
    assert not stack.can_undo() and stack.undo_text() == ""
    stack.push(Append(done, "a"))
    stack.push(Append(done, "b"))
    assert done == ["a", "b"] and stack.undo_text() == "Add b"
    stack.undo()
    assert done == ["a"] and stack.redo_text() == "Add b" and stack.can_redo()
    stack.redo()
    assert done == ["a", "b"] and not stack.can_redo()


def test_a_new_step_after_an_undo_drops_the_steps_undone() -> None:
    done: list[str] = []
    stack = UndoStack()
    stack.push(Append(done, "a"))
    stack.push(Append(done, "b"))
    stack.undo()
    stack.push(Append(done, "c"))
    assert done == ["a", "c"] and not stack.can_redo() and len(stack) == 2


def test_a_macro_is_one_step_undone_in_reverse() -> None:
    done: list[str] = []
    stack = UndoStack()
    stack.begin_macro("Paste 2 entries")
    stack.push(Append(done, "x"))
    stack.push(Append(done, "y"))
    assert not stack.can_undo()  # not while the macro is open
    stack.end_macro()
    assert stack.index == 1 and stack.undo_text() == "Paste 2 entries"
    stack.undo()
    assert done == []
    stack.redo()
    assert done == ["x", "y"]


def test_steps_in_a_row_merge_but_never_into_the_clean_state() -> None:
    done: list[str] = []
    stack = UndoStack()
    stack.push(Append(done, "1"))
    stack.set_clean()
    stack.push(Append(done, "2"))  # the step saved stays as it was
    stack.push(Append(done, "5"))
    assert len(stack) == 2 and stack.undo_text() == "Add 25"
    stack.undo()
    assert done == ["1"] and stack.is_clean()


def test_the_listener_hears_every_move_and_clear_ends_the_history() -> None:
    heard: list[int] = []
    done: list[str] = []
    stack = UndoStack()
    stack.on_index_changed(heard.append)
    stack.push(Append(done, "a"))
    stack.begin_macro("two")
    stack.push(Append(done, "b"))
    stack.end_macro()
    stack.undo()
    stack.redo()
    stack.clear()
    assert heard == [1, 2, 1, 2, 0]
    assert not stack.can_undo() and not stack.can_redo() and stack.is_clean() and done == ["a", "b"]

"""The one wording of errors in the window: one line, no password in either spelling."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.engine import make_url

from configadmin.ui.error_text import error_text


def test_the_password_is_masked_as_typed_and_as_decoded_and_the_text_is_one_line() -> None:
    service = SimpleNamespace(url=make_url("postgresql://ann:s%40cret@db/config"))
    error = RuntimeError("connection to db failed\n  password s@cret / s%40cret rejected")
    assert error_text(error, service, "Reset failed") == (
        "Reset failed: connection to db failed password *** / *** rejected")


def test_a_url_given_by_the_command_line_is_masked_too() -> None:
    assert error_text(OSError("bad pw hunter2"), url="postgresql://u:hunter2@h/db") == "bad pw ***"

"""The tokens file of `configadmin serve --tokens`: one `TOKEN USER` pair a line, `#` comments.

It holds write credentials, so a file other users could read is refused rather than served (the same
rule ssh applies to its keys). Pure Python: the CLI checks it before Starlette is imported.
"""
from __future__ import annotations

import hmac
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from configadmin.domain.errors import ValidationError

MIN_TOKEN_LENGTH = 16


class Tokens:
    """Bearer token → the user a write is audited as. Empty: every write is refused."""

    def __init__(self, users: Mapping[str, str] | None = None) -> None:
        self._users = dict(users or {})

    def __len__(self) -> int:
        return len(self._users)

    def user_for(self, authorization: str | None) -> str | None:
        """The user of an `Authorization: Bearer TOKEN` header, else None. Every known token is
        compared in constant time, so the answer's timing does not tell how much of a guess matched."""
        if not authorization or not self._users:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        found = None
        for known, user in self._users.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = user
        return found


def load_tokens(path: str | os.PathLike[str] | None) -> Tokens:
    """Reads and checks the file; every problem is a one-line ValidationError (exit 2) naming the
    file and line, never a token."""
    if path is None:
        return Tokens()
    where = Path(path)
    try:
        info = where.stat()
        text = where.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ValidationError(f"cannot read the tokens file {where}: {reason}") from None
    if info.st_uid != os.getuid():
        raise ValidationError(f"the tokens file {where} belongs to another user (uid {info.st_uid}); "
                              "it must be the relay's own")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValidationError(f"the tokens file {where} is readable by other users "
                              f"(mode {stat.S_IMODE(info.st_mode):04o}); chmod 600 it")
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2:
            raise ValidationError(f"{where} line {number}: expected `TOKEN USER`, found "
                                  f"{len(words)} word(s)")
        token, user = words
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValidationError(f"{where} line {number}: the token is shorter than "
                                  f"{MIN_TOKEN_LENGTH} characters")
        if len(set(token)) == 1:
            raise ValidationError(f"{where} line {number}: the token is one character repeated; "
                                  "use a random one (e.g. `openssl rand -hex 24`)")
        if len(user) > 150:
            raise ValidationError(f"{where} line {number}: the user name is longer than 150 characters")
        if token in users:
            raise ValidationError(f"{where} line {number}: the same token is given twice")
        users[token] = user
    if not users:
        raise ValidationError(f"the tokens file {where} holds no `TOKEN USER` line")
    return Tokens(users)

"""SQL that the repository (through SQLAlchemy) and the window's first look (`plain_read`, through
the bare DB-API driver) both send, kept here so the two cannot drift apart and neither imports the
other. Plain strings only: the first look must not load SQLAlchemy."""
from __future__ import annotations

# May this login save, i.e. write both tables? (PostgreSQL; on SQLite the file's mode answers.)
# Not on a hot standby: it is read-only until promoted.
PG_MAY_WRITE = ("SELECT coalesce(has_function_privilege(to_regprocedure("
                "'configadmin_save(text,text,text,text,boolean,integer,text,text,text,text)'), 'EXECUTE'), false) "
                "AND NOT pg_is_in_recovery()")

"""The names behind the window's actor filter, on SQLite and PostgreSQL: the list of actors, and
history/timeline filtered by any of several names (what "bo" resolves to)."""
from __future__ import annotations

from configadmin import ConfigurationService


def test_actors_are_listed_and_history_filters_by_any_of_them(service: ConfigurationService) -> None:
    for who, size in (("Bob", 16), ("alice", 17), ("bob.smith", 18)):
        service.set("ml", "model_input_size", size, updated_by=who)
    service.set("ml", "model_input_size", 19, updated_by="carol")
    assert sorted(service.actors()) == ["Bob", "alice", "bob.smith", "carol"]  # the order is the collation's
    assert service.actors("staging") == []
    found = service.history(actors=["Bob", "bob.smith"])
    assert [(e.actor, e.new_value) for e in found] == [("bob.smith", 18), ("Bob", 16)]
    assert service.history(actors=[]) == []
    assert sum(n for _, n in service.history_per_day(actors=["Bob", "bob.smith"])) == 2

"""The seed's class-level calls (`ConfigurationService.get_ml_feature_mapping()`,
`ConfigurationService.set_ml_feature_mapping(settings.ML_FEATURE_MAPPING, updated_by='migration')`):
on the class they go to one process-wide service built from the CONFIGADMIN_* variables on first
use (thread-safe, closed at exit); on an instance they are ordinary methods."""
from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")

_lock = threading.Lock()
_shared: dict[type, Any] = {}


def shared_service(cls: Any) -> Any:
    """The one service of this process for `cls` (built by `cls.connect()` on first use)."""
    service = _shared.get(cls)
    if service is None:
        with _lock:
            service = _shared.get(cls)
            if service is None:
                service = cls.connect()
                _shared[cls] = service
    return service


def close_shared() -> None:
    """Closes the process-wide services (at exit; tests call it to start over)."""
    with _lock:
        services = list(_shared.values())
        _shared.clear()
    for service in services:
        try:
            service.close()
        except Exception:
            pass


atexit.register(close_shared)


def bind_instance_calls(obj: object) -> None:
    """Stores the bound methods on the instance, so `svc.get_ml_feature_mapping()` finds them in its
    own `__dict__` (before this non-data descriptor): a hot-path read pays no Python-level `__get__`."""
    for klass in reversed(type(obj).__mro__):
        for name, attribute in vars(klass).items():
            if isinstance(attribute, shared_or_bound):
                obj.__dict__[name] = attribute._fn.__get__(obj, type(obj))


class shared_or_bound(Generic[S, P, R]):
    """A method that, looked up on the class, calls the process-wide service's method of the same
    name (the service may be a relay reader); looked up on an instance, is that instance's method."""

    def __init__(self, fn: Callable[Concatenate[S, P], R]) -> None:
        self._fn = fn
        self._name = fn.__name__
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Callable[P, R]: ...
    @overload
    def __get__(self, obj: S, owner: type | None = None) -> Callable[P, R]: ...

    def __get__(self, obj: S | None, owner: type | None = None) -> Callable[P, R]:
        if obj is not None:
            bound: Callable[P, R] = self._fn.__get__(obj, owner)
            return bound
        name, cls = self._name, owner

        @functools.wraps(self._fn)
        def on_shared(*args: P.args, **kwargs: P.kwargs) -> R:
            result: R = getattr(shared_service(cls), name)(*args, **kwargs)
            return result
        return on_shared

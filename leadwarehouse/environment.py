"""Change this process's environment variables for a block, and change them back."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping


def _apply(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextlib.contextmanager
def environment_with(changes: Mapping[str, str | None]) -> Iterator[None]:
    """os.environ with `changes` (a value sets the variable, None removes it) inside the block,
    then each changed variable as it was (also when the block fails)."""
    saved = {name: os.environ.get(name) for name in changes}
    try:
        _apply(changes)
        yield
    finally:
        _apply(saved)

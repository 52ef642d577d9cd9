"""Stored files that go with deleted rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import Storage
from django.db import transaction


def delete_files_on_commit(storage: Storage, names: Iterable[str]) -> None:
    """Delete the files once the transaction commits: a rolled-back delete keeps its files,
    and a file is never gone while its row is still visible to others."""
    doomed = [name for name in names if name]

    def delete_files() -> None:
        for name in doomed:
            storage.delete(name)

    if doomed:
        transaction.on_commit(delete_files)

"""Read .eml files, directories and .mbox archives one message at a time.

The mbox reader streams: it holds one message in memory, never the archive or a table of
its offsets (as `mailbox.mbox` does), so memory does not grow with the archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_ESCAPED_FROM = re.compile(rb"^>(>*From )")


@dataclass
class RawMessage:
    origin: str  # "archive.mbox #12" or the file name, for reports
    data: bytes | None  # None when the message is larger than the limit
    size: int


def is_mbox(path: Path) -> bool:
    if path.suffix.lower() in {".mbox", ".mbx"}:
        return True
    if path.suffix.lower() == ".eml":
        return False
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def iter_mbox(handle: BinaryIO, *, name: str, max_bytes: int) -> Iterator[RawMessage]:
    """Split an mbox on "From " lines that follow a blank line (or start the file); undo >From quoting."""
    chunks: list[bytes] = []
    size = 0
    count = 0
    previous_blank = True
    started = False
    for line in handle:
        if line.startswith(b"From ") and previous_blank:
            if started:
                count += 1
                yield _finish(chunks, size, f"{name} #{count}", max_bytes)
            chunks, size, started = [], 0, True
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if not started:
            continue
        line = _ESCAPED_FROM.sub(rb"\1", line)
        size += len(line)
        if size <= max_bytes:
            chunks.append(line)
        elif chunks:
            chunks = []  # too large: keep counting, stop keeping
    if started:
        count += 1
        yield _finish(chunks, size, f"{name} #{count}", max_bytes)


def _finish(chunks: list[bytes], size: int, origin: str, max_bytes: int) -> RawMessage:
    if size > max_bytes:
        return RawMessage(origin, None, size)
    data = b"".join(chunks)
    # The separator's blank line belongs to the mbox, not to the message.
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    return RawMessage(origin, data, len(data))


def iter_path(path: Path, *, max_bytes: int) -> Iterator[RawMessage]:
    """Every message under a path: an .eml file, an mbox file, or a directory of them (sorted)."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            yield from iter_path(child, max_bytes=max_bytes)
        return
    if is_mbox(path):
        with path.open("rb") as handle:
            yield from iter_mbox(handle, name=str(path), max_bytes=max_bytes)
        return
    size = path.stat().st_size
    yield RawMessage(str(path), path.read_bytes() if size <= max_bytes else None, size)

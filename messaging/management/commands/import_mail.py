"""Import mail: `manage.py import_mail PATH [--channel ADDRESS] [--now [--jobs N]]`.

PATH is an .eml file, an .mbox archive, or a directory of them. Each message is stored
first and then processed by the inbound worker, or here with --now (in N processes with
--jobs; each sender's messages stay in order in one process, so a customer's reply is never
processed before the message it answers). One bad message never stops the rest: it is
kept and listed under Failed inbound.
"""

from __future__ import annotations

import multiprocessing
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, reset_queries

from messaging import conf, services
from messaging.mbox import iter_path
from messaging.models import EmailChannel, InboundEmail

_DONE = -1


class _Processors:
    """N worker processes (forked: the GIL would hold threads to one CPU), each fed by a short
    queue, so memory stays flat however long the archive is. A sender's messages always go
    to the same process, in order."""

    def __init__(self, jobs: int) -> None:
        context = multiprocessing.get_context("fork")
        connections.close_all()  # each process opens its own connection
        self.queues: list[Any] = [context.Queue(maxsize=16) for _ in range(jobs)]
        self.results: Any = context.Queue()
        self.processes = [
            context.Process(target=_work, args=(q, self.results), daemon=True) for q in self.queues
        ]
        for process in self.processes:
            process.start()

    def submit(self, inbound: InboundEmail) -> None:
        sender = inbound.from_address.lower().encode()
        self.queues[zlib.crc32(sender) % len(self.queues)].put(inbound.pk)

    def close(self) -> Counter[str]:
        for q in self.queues:
            q.put(_DONE)
        counts: Counter[str] = Counter()
        for _ in self.processes:
            counts.update(self.results.get())
        for process in self.processes:
            process.join()
        return counts


def _work(jobs: Any, results: Any) -> None:
    counts: Counter[str] = Counter()
    try:
        while (pk := jobs.get()) != _DONE:
            try:
                counts[services.inbound_process(inbound_email_id=pk).status] += 1
            except Exception as error:  # stored already: it can be retried from Settings
                counts["errors"] += 1
                sys.stderr.write(f"inbound email {pk}: {type(error).__name__}: {error}\n")
    finally:
        results.put(dict(counts))
        connections.close_all()


class Command(BaseCommand):
    help = "Import .eml files and .mbox archives into the inbound email pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--channel", default="", help="The inbound address to file the mail under.")
        parser.add_argument(
            "--now", action="store_true", help="Process each message in this process instead of the worker."
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="With --now: processing processes (default 1)."
        )

    def _channel(self, address: str) -> EmailChannel:
        if address:
            channel = services.email_channel_for_address(address)
            if channel is None:
                raise CommandError(
                    f"No active inbound address “{address}” (see Settings > Channels > Email)."
                )
            return channel
        channels = list(EmailChannel.objects.filter(is_active=True)[:2])
        if len(channels) != 1:
            raise CommandError("Say which inbound address to use: --channel support@example.com")
        return channels[0]

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        channel = self._channel(options["channel"])
        now = options["now"]
        jobs = max(1, options["jobs"])
        processors = _Processors(jobs) if now and jobs > 1 else None
        counts: Counter[str] = Counter()
        try:
            for raw in iter_path(path, max_bytes=conf.store_max_bytes()):
                reset_queries()  # with DEBUG on, the query log would grow with the archive
                if raw.data is None:
                    counts["refused"] += 1
                    self.stderr.write(f"{raw.origin}: {raw.size} bytes, more than can be stored; skipped.")
                    continue
                try:
                    inbound = services.inbound_store(
                        channel=channel, raw=raw.data, source=InboundEmail.Source.IMPORT, enqueue=not now
                    )
                    if processors is not None:
                        processors.submit(inbound)
                        continue
                    if now:
                        inbound = services.inbound_process(inbound_email_id=inbound.pk)
                except Exception as error:  # one bad message must not stop the archive
                    counts["errors"] += 1
                    self.stderr.write(f"{raw.origin}: {type(error).__name__}: {error}")
                    continue
                counts[inbound.status] += 1
        finally:
            if processors is not None:
                counts.update(processors.close())
        summary = ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) or "no messages"
        self.stdout.write(f"Imported from {path} into {channel.address}: {summary}.")

"""Inbound mail ingest: a generated .mbox through the whole pipeline, messages per second and memory.

    python bench/mail_ingest.py                     # 10,000 messages (starts the embedded PostgreSQL)
    python bench/mail_ingest.py --messages 1000     # fewer
    DATABASE_URL=postgres://... python bench/mail_ingest.py

It writes an mbox of N messages to a temporary directory (varied sizes: short notes, HTML
mails with a remote image and a quote, 10 % with a 20-400 KB attachment, about a third of
them replies that thread by In-Reply-To), then runs `manage.py import_mail ARCHIVE --now
--jobs 2` in this process: the mbox is streamed, each message is stored (raw file + row,
committed) by this process and then processed by one of 2 forked worker processes (parse,
customer, threading, message, attachments: exactly what the inbound worker's task does;
each sender's messages go to the same process, in order). Raw messages and attachments go
to a temporary MEDIA_ROOT. A sampler thread records, every 0.2 s, the resident set size of
this process and its children, and the CPU time of the PostgreSQL backends serving the
bench database. Printed: messages per second, the CPU per message (Python, PostgreSQL),
the RSS at each quarter of the run (flat quarters mean memory does not grow with the
archive) and its peak. The database is `kustomer_bench_mail` on the embedded server unless
DATABASE_URL is set; each run first deletes the previous run's rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
CHANNEL = "support@ingest.bench.example"
SENDER_DOMAIN = "customers.ingest.bench.example"


def _rss_kb() -> int:
    """Resident memory of this process and its children (import_mail --jobs forks workers)."""
    me = os.getpid()
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(entry) != me:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) != me:  # the parent's pid
                        continue
            with open(f"/proc/{entry}/statm") as statm:
                total += int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:  # the process ended meanwhile
            continue
    return total


def _cpu_seconds(stat_path: str) -> float:
    with open(stat_path) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _database_backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `database` (from /proc)."""
    found: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if f" {database} ".encode() not in cmdline.read():
                    continue
            found[int(entry)] = _cpu_seconds(f"/proc/{entry}/stat")
        except OSError:  # the process ended meanwhile
            continue
    return found


def generate(path: Path, count: int, *, seed: int = 7) -> int:
    """Write `count` messages to an mbox at `path`; returns its size in bytes."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    senders = [f"customer{i}@{SENDER_DOMAIN}" for i in range(max(count // 5, 1))]
    last_id: dict[str, str] = {}
    start = 1_700_000_000
    with path.open("wb") as out:
        for i in range(count):
            sender = rng.choice(senders)
            message = EmailMessage()
            message["From"] = f"Customer {sender.split('@')[0][8:]} <{sender}>"
            message["To"] = CHANNEL
            message["Subject"] = f"Order question {i}"
            message["Date"] = format_datetime(
                datetime.datetime.fromtimestamp(start + i * 60, tz=datetime.UTC)
            )
            message["Message-ID"] = f"<bench-{i}-{rng.getrandbits(48):x}@{SENDER_DOMAIN}>"
            if sender in last_id and rng.random() < 0.5:
                message["In-Reply-To"] = last_id[sender]
                message["References"] = last_id[sender]
            last_id[sender] = message["Message-ID"]
            paragraphs = rng.randint(1, 12)
            text = "\n\n".join(
                f"Paragraph {p}: my order {i} has not arrived; tracking says in transit. " * rng.randint(1, 6)
                for p in range(paragraphs)
            )
            message.set_content(text + "\n\nOn Monday, Support wrote:\n> Thanks for writing in.\n")
            if rng.random() < 0.4:
                html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
                html += '<img src="https://images.example/logo.png" alt="logo">'
                html += "<div>On Monday, Support wrote:</div><blockquote>Thanks for writing in.</blockquote>"
                message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
            if rng.random() < 0.1:
                size = rng.randint(20_000, 400_000)
                message.add_attachment(
                    rng.randbytes(size), maintype="application", subtype="pdf", filename=f"invoice-{i}.pdf"
                )
            raw = message.as_bytes().replace(b"\nFrom ", b"\n>From ")
            out.write(
                b"From " + sender.encode() + b" Mon Nov 16 09:00:00 2026\n" + raw.rstrip(b"\n") + b"\n\n"
            )
    return path.stat().st_size


def _setup(media_root: str) -> None:
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kustomer_clone.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(BASE_DIR))
    if not os.environ.get("DATABASE_URL"):
        from kustomer_clone import embedded

        os.environ["DATABASE_URL"] = embedded.start("kustomer_bench_mail")
    import django

    django.setup()


def _reset() -> Any:
    from django.core.management import call_command

    from customers.models import Customer
    from messaging import services
    from messaging.models import EmailChannel, InboundEmail

    call_command("migrate", verbosity=0)
    channel = EmailChannel.objects.filter(address__iexact=CHANNEL).first()
    if channel is None:
        channel = services.email_channel_create(actor=None, address=CHANNEL)[0]
    InboundEmail.objects.filter(channel=channel).delete()
    Customer.objects.filter(emails__email__endswith=f"@{SENDER_DOMAIN}").delete()
    return channel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2, help="import_mail --jobs (worker processes)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mail-ingest-") as tmp:
        archive = Path(tmp) / "bench.mbox"
        began = time.perf_counter()
        size = generate(archive, args.messages)
        took = time.perf_counter() - began
        print(f"Generated {args.messages:,} messages, {size / 1e6:.1f} MB, in {took:.1f} s", flush=True)
        _setup(str(Path(tmp) / "media"))
        _reset()
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count

        from messaging.models import InboundEmail

        samples: list[tuple[float, int]] = []
        done = threading.Event()

        backend_cpu: dict[int, float] = {}
        database = connection.settings_dict["NAME"]

        def sample() -> None:
            while not done.is_set():
                samples.append((time.perf_counter(), _rss_kb()))
                backend_cpu.update(_database_backends(database))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        rss_before = _rss_kb()
        backend_cpu_before = _database_backends(database)
        usage_before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        began = time.perf_counter()
        sampler.start()
        call_command("import_mail", str(archive), "--now", "--jobs", str(args.jobs), "--channel", CHANNEL)
        elapsed = time.perf_counter() - began
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        done.set()
        sampler.join()
        python_cpu = sum(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            for before, after in zip(usage_before, usage, strict=True)
        )
        database_cpu = sum(cpu - backend_cpu_before.get(pid, 0.0) for pid, cpu in backend_cpu.items())
        counts = dict(
            InboundEmail.objects.filter(channel__address=CHANNEL)
            .values_list("status")
            .annotate(n=Count("id"))
        )
    peak_kb = max((rss for _, rss in samples), default=rss_before)
    quarters = []
    for q in (0.25, 0.5, 0.75, 1.0):
        cutoff = began + elapsed * q
        quarters.append(max((rss for t, rss in samples if t <= cutoff), default=rss_before))
    print(f"Ingested {args.messages:,} messages in {elapsed:.1f} s: {args.messages / elapsed:.1f} messages/s")
    print(f"Statuses: {counts}")
    per = 1000 / args.messages
    ceiling = 2 * args.messages / (python_cpu + database_cpu)
    print(
        f"CPU per message: {python_cpu * per:.1f} ms in Python (import_mail and its workers), "
        f"{database_cpu * per:.1f} ms in PostgreSQL (2 idle CPUs: about {ceiling:.0f} messages/s)"
    )
    print(
        f"RSS before import {rss_before / 1024:.0f} MB; at each quarter of the run "
        + " / ".join(f"{kb / 1024:.0f}" for kb in quarters)
        + f" MB; peak {peak_kb / 1024:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where one page's server time goes: queries, CPU and a cProfile, in process.

    DATABASE_URL=postgres://... python bench/profile_page.py /conversations/123/ [--requests 60]

Runs against a database that `bench/run.py` has seeded, with DEBUG off, signed in as the
bench user through Django's test client (no network, no gunicorn). It prints the queries of
one request (count and time in PostgreSQL), the median wall and CPU time over the requests,
and the top of a cProfile sorted by own time. Paths may use {conversation_id} and
{customer_id} from bench/results/sample_ids.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/profile_page.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--top", type=int, default=40, help="profile rows to print (40)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime)")
    parser.add_argument("--queries", action="store_true", help="print every query of one request")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        parser.error("DATABASE_URL must point at the bench database")

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kustomer_clone.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "profile-" + "x" * 56)
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from bench.run import BENCH_EMAIL, RESULTS_DIR

    ids_file = RESULTS_DIR / "sample_ids.json"
    ids = json.loads(ids_file.read_text()) if ids_file.exists() else {}
    path = args.path.format(**ids)
    client = Client()
    client.force_login(User.objects.get(email=BENCH_EMAIL))

    def get() -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    for _ in range(args.warmup):
        get()

    queries: list[tuple[str, float]] = []

    def log_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((sql, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(log_query):
        size = len(get().content)
    in_queries = sum(took for _, took in queries)
    print(f"{path}: {size / 1024:.1f} KiB, {len(queries)} queries, {in_queries:.1f} ms in them")
    if args.queries:
        for sql, took in queries:
            print(f"  {took:6.2f} ms  {sql[:300]}")

    walls, cpus = [], []
    for _ in range(args.requests):
        wall, cpu = time.perf_counter(), time.thread_time()
        get()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
    print(f"median wall {statistics.median(walls):.1f} ms, median CPU {statistics.median(cpus):.1f} ms")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        get()
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

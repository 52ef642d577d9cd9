"""core.cache: Django's Redis backend with one shared client per pool, against real Redis."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from core.cache import SharedClientRedisCache

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI has Redis)")


@pytest.fixture
def cache() -> SharedClientRedisCache:
    return SharedClientRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_it_keeps_one_client_per_pool(cache: SharedClientRedisCache) -> None:
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(False)


def test_it_stores_reads_and_forgets_like_django_s(cache: SharedClientRedisCache) -> None:
    cache.set("choices", {"teams": [1, 2]}, 30)
    assert cache.get("choices") == {"teams": [1, 2]}
    assert cache.get_many(["choices", "missing"]) == {"choices": {"teams": [1, 2]}}
    assert cache.add("n", 1)
    assert cache.incr("n") == 2
    cache.delete("choices")
    assert cache.get("choices") is None


def test_threads_share_the_client_safely(cache: SharedClientRedisCache) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
        except BaseException as error:  # noqa: BLE001 (reported by the test thread)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

"""A malformed environment value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kustomer_clone.settings", "SECRET_KEY": "k" * 50}
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("LOGIN_FAILURE_LIMIT", "five", "LOGIN_FAILURE_LIMIT must be a whole number"),
        ("LOGIN_FAILURE_LIMIT", "0", "LOGIN_FAILURE_LIMIT must be at least 1"),
        ("DATABASE_URL", "mysql://root@localhost/db", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with one of redis, rediss://"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    result = _start(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_missing_secret_key_stops_a_production_start() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kustomer_clone.settings", "DEBUG": "false"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_good_values_start() -> None:
    result = _start(DEBUG="false", LOGIN_FAILURE_LIMIT="7")
    assert result.returncode == 0, result.stderr

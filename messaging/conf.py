from django.conf import settings

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_STORE_MAX_BYTES = 50 * 1024 * 1024
# More automatic messages than this from one sender to one address within an hour is a loop.
AUTO_LOOP_LIMIT = 20


def max_bytes() -> int:
    return int(getattr(settings, "INBOUND_EMAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def store_max_bytes() -> int:
    return int(getattr(settings, "INBOUND_EMAIL_STORE_MAX_BYTES", DEFAULT_STORE_MAX_BYTES))

"""Files a reply can carry that were not uploaded with it, such as a shortcut's attachments.

The reply editor posts them as references (``attachment_refs``, e.g. ``shortcut:12``). Higher
apps register a resolver for their prefix in their AppConfig.ready(); a resolver checks that the
user may use the file and opens it. This keeps conversations free of imports from above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User

MAX_REFS = 20


@dataclass(frozen=True)
class AttachmentRef:
    ref: str  # "shortcut:12", what the form posts
    filename: str
    size: int
    content_type: str
    open: Callable[[], UploadedFile]  # a fresh file object each call


# prefix -> resolver(user, key) -> AttachmentRef | None (None: missing or not the user's to use)
Resolver = Callable[[User, str], "AttachmentRef | None"]
_resolvers: dict[str, Resolver] = {}


def register_attachment_source(prefix: str, resolver: Resolver) -> None:
    _resolvers[prefix] = resolver


def resolve_attachment_refs(user: User, refs: Iterable[str], *, strict: bool = True) -> list[AttachmentRef]:
    """Each reference once, in order; one the user may not use is refused like a missing one
    (or, with ``strict=False``, left out: for showing a draft again)."""
    resolved: list[AttachmentRef] = []
    seen: set[str] = set()
    for ref in refs:
        ref = ref.strip()
        if not ref or ref in seen:
            continue
        seen.add(ref)
        if len(seen) > MAX_REFS:
            raise ValidationError({"attachments": f"A reply can carry at most {MAX_REFS} attached files."})
        prefix, _, key = ref.partition(":")
        resolver = _resolvers.get(prefix)
        found = resolver(user, key) if resolver is not None else None
        if found is None:
            if not strict:
                continue
            raise ValidationError(
                {"attachments": "One of the attached files is no longer available: remove it and try again."}
            )
        resolved.append(found)
    return resolved

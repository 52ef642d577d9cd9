"""Form helpers every app's views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each field's messages on that field (or
    on the form when the form has no such field), a plain error on the form itself."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)

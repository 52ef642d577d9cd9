"""How fast the shortcut template language compiles and renders a typical shortcut.

Pure Python (no server, no database): `make bench` prints it first. Times are the median
and 95th percentile of many runs, in microseconds.
"""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Any

TYPICAL_SHORTCUT = """Hi {{customer.firstName}},

Thanks for reaching out about order {{conversation.custom.orderNumber}}.
{{#ifCond customer.custom.tier "==" "Diamond"}}As a Diamond member, your return window is 60 days, \
so you have until {{dateFormat ../conversation.custom.returnBy format="LL" locale="en-us"}}.\
{{else}}Your return window is 30 days.{{/ifCond}}
[[sn.signoff]]
{{user.displayName}}"""

CONTEXT: dict[str, Any] = {
    "customer": {"firstName": "Jane", "custom": {"tier": "Diamond"}},
    "conversation": {
        "custom": {"orderNumber": "10480", "returnBy": datetime.datetime(2019, 1, 18, tzinfo=datetime.UTC)}
    },
    "user": {"displayName": "Alex"},
}


def _snippets(name: str, language: str) -> str | None:
    return {"signoff": "Best regards,"}.get(name)


def _time(fn: Any, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1_000_000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(runs: int = 2000) -> dict[str, float]:
    from shortcuts.template_language import compile_template

    compiled = compile_template(TYPICAL_SHORTCUT)
    compile_p50, compile_p95 = _time(lambda: compile_template(TYPICAL_SHORTCUT), runs)
    render_p50, render_p95 = _time(
        lambda: compiled.render(CONTEXT, escape="html", snippets=_snippets, language="en"), runs
    )
    return {
        "compile_p50_us": round(compile_p50, 1),
        "compile_p95_us": round(compile_p95, 1),
        "render_p50_us": round(render_p50, 1),
        "render_p95_us": round(render_p95, 1),
    }

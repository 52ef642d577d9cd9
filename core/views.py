from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import check_broker, check_database


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public on purpose (load balancers call it); it says nothing beyond up or down."""
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )

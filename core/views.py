"""HTML and probe views for core: the landing page, /healthz and /favicon.ico."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.selectors import system_health

logger = logging.getLogger(__name__)


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask /favicon.ico on every site; the icon itself is a static file."""
    return HttpResponsePermanentRedirect(static("core/favicon.ico"))


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency is usable, 503 otherwise; never needs a session.

    Why a check failed (host names, ports, file paths, exception text) is for operators: staff
    (or everyone with HEALTHZ_SHOW_DETAILS) see it, others get a generic line; it is logged.
    """
    report = system_health()
    for name, check in report.checks.items():
        if check.status != "ok":
            logger.warning("healthz: %s is %s: %s", name, check.status, check.detail)
    show = settings.HEALTHZ_SHOW_DETAILS or getattr(request.user, "is_staff", False)
    return JsonResponse(
        report.as_dict(redact_problems=not show), status=200 if report.healthy else 503
    )

"""HTML and probe views for core: the landing page, placeholders and /healthz."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.selectors import system_health


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


@login_required
@require_GET
def coming_soon(request: HttpRequest, *, title: str) -> HttpResponse:
    """A designed placeholder for a page whose feature has not landed yet."""
    return render(request, "core/coming_soon.html", {"title": title})


@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency is usable, 503 otherwise; never needs a session."""
    report = system_health()
    return JsonResponse(report.as_dict(), status=200 if report.healthy else 503)

"""Root URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from social_django import views as social_views

from emotions import dashboard_views

urlpatterns = [
    path("", include("core.urls")),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    # The OAuth callback exchanges the code with Spotify's token endpoint over HTTP: no database
    # transaction may stay open across that call (it would hold locks for the call's duration,
    # and on SQLite block the demo stand-in, which answers from the same database). social-auth's
    # pipeline saves step by step; matched before social_django's own pattern for the same URL.
    path(
        "complete/<str:backend>/",
        transaction.non_atomic_requests(social_views.complete),
        name="social-complete-non-atomic",
    ),
    path("", include("social_django.urls", namespace="social")),
    path("mood/", include("emotions.urls")),
    path("", include("recommendations.urls")),
    path("", include("feedback.urls")),
    path("api/v1/", include("emotions.api_urls")),
    path("api/v1/", include("recommendations.api_urls")),
    path("api/v1/", include("feedback.api_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file: no inline script, so the CSP holds.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

if settings.SPOTIFY_SANDBOX_ENABLED:
    urlpatterns.append(path("spotify-sandbox/", include("spotify_sandbox.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

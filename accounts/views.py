"""Local sign-in pages: Django's login/logout plus the one-click demo sign-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.services import user_ensure_demo


@require_POST
def demo_login(request: HttpRequest) -> HttpResponse:
    """Sign in as the shared demo user; exists only in demo mode (no Spotify app configured)."""
    if not settings.DEMO_MODE:
        raise Http404("Demo mode is off.")
    user, _ = user_ensure_demo()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "You are signed in as the demo listener.")
    return redirect(settings.LOGIN_REDIRECT_URL)

"""Local sign-out that says so ("Try the demo" lives in demo/views.py: it creates a listener)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse


class SignOutView(auth_views.LogoutView):
    """Django's POST-only sign-out, confirmed on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, "You are signed out.")
        return response

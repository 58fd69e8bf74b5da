"""Request types for the type checker: what sign-in and django-htmx's middleware guarantee.

Views behind `login_required` (or DRF's `IsAuthenticated`) always see a signed-in `User`, and
`django_htmx.middleware.HtmxMiddleware` sets `request.htmx` on every request; django-stubs cannot
know either. Annotate such a view's `request` with one of these (import them under
`TYPE_CHECKING`): they exist for mypy only and are never instantiated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from django_htmx.middleware import HtmxDetails
    from rest_framework.request import Request

    from accounts.models import User

    class HtmxHttpRequest(HttpRequest):
        htmx: HtmxDetails

    class AuthenticatedHttpRequest(HtmxHttpRequest):
        user: User

    class AuthenticatedRequest(Request):
        @property
        def user(self) -> User: ...
        @user.setter
        def user(self, value: User | AnonymousUser) -> None: ...

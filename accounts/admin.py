"""Admin for users (preferences, last library sync, curators) and a token-free social-auth view."""

from __future__ import annotations

from typing import Any, cast

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.curators import curators_group_ensure
from accounts.models import ApiToken, User


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """Seen by superusers only, and changed by nobody here (secrets live behind these models)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display: tuple[str, ...] = (
        "username",
        "email",
        "is_staff",
        "is_demo",
        "default_strategy",
        "date_joined",
    )
    list_filter = (
        *DjangoUserAdmin.list_filter,
        "is_demo",
        "default_strategy",
        "image_retention",
    )
    fieldsets = (
        # Always set on Django's UserAdmin; the stub types ModelAdmin's default (None).
        *cast("tuple[Any, ...]", DjangoUserAdmin.fieldsets),
        ("Moodtrack", {"fields": ("default_strategy", "image_retention", "is_demo")}),
    )
    actions = ["make_curators"]

    @admin.action(description="Make the selected users curators (staff in the curators group)")
    def make_curators(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if not request.user.is_superuser:
            self.message_user(request, "Only a superuser can appoint curators.", messages.ERROR)
            return
        group = curators_group_ensure()
        users = list(queryset)
        for user in users:
            user.groups.add(group)
        queryset.update(is_staff=True)
        self.message_user(request, f"{len(users)} curator(s) appointed.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserReadOnlyAdmin):
    """Superusers see who holds which token and may revoke it; nobody sees or makes a key here
    (a listener makes their own on the profile page, where the key is shown once)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "name", "prefix")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)


# social_django's own admin shows `extra_data` (access and refresh tokens) and OpenID secrets.
# Replace it: superusers alone see who is connected to Spotify, never a token.
if apps.is_installed("social_django"):
    import social_django.admin  # noqa: F401 - make sure its registrations exist before replacing
    from social_django.models import Association, Nonce, UserSocialAuth

    for _model in (UserSocialAuth, Nonce, Association):
        if admin.site.is_registered(_model):
            admin.site.unregister(_model)

    @admin.register(UserSocialAuth)
    class UserSocialAuthAdmin(SuperuserReadOnlyAdmin):
        list_display = ("user", "provider", "uid", "created", "modified")
        list_filter = ("provider",)
        search_fields = ("user__username", "uid")
        list_select_related = ("user",)
        fields = ("user", "provider", "uid", "created", "modified")
        readonly_fields = fields

        def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            # Disconnecting is the user's (profile page); a superuser may remove a stale link.
            return request.user.is_active and request.user.is_superuser

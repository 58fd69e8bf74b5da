"""Admin for users, with Moodtrack's preference fields."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_staff", "is_demo", "default_strategy", "date_joined")
    list_filter = (*DjangoUserAdmin.list_filter, "is_demo", "default_strategy", "image_retention")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Moodtrack", {"fields": ("default_strategy", "image_retention", "is_demo")}),
    )

"""The curators group: staff who edit mood playlists and rules and can view the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from django.contrib.auth.models import Group

CURATORS_GROUP = "curators"

# (app label, model, actions). Exactly what the curators' admin needs: playlists and rules are
# theirs to edit; readings, ratings, tracks, evidence, users and sync status are read-only. Nothing
# of social_django (tokens), API tokens, auth groups, Celery or the recommendations themselves.
CURATOR_PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("library", "moodplaylist", ("add", "change", "delete", "view")),
    ("library", "moodplaylisttrack", ("add", "change", "delete", "view")),
    ("recommendations", "emotionmoodrule", ("add", "change", "delete", "view")),
    ("library", "track", ("view",)),
    ("library", "artist", ("view",)),
    ("library", "trackmood", ("view",)),
    ("library", "librarysync", ("view",)),
    ("emotions", "moodreading", ("view",)),
    ("feedback", "rating", ("view",)),
    ("accounts", "user", ("view",)),
)


def curator_permission_codenames() -> set[tuple[str, str]]:
    """{(app_label, codename)} of every permission the group holds."""
    return {
        (app_label, f"{action}_{model}")
        for app_label, model, actions in CURATOR_PERMISSIONS
        for action in actions
    }


def curators_group_ensure() -> Group:
    """The curators group with exactly CURATOR_PERMISSIONS (the data migration does this on deploy;
    call it after changing the list, or where a flushed test database lost the migration's rows)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for app_label in {app_label for app_label, _, _ in CURATOR_PERMISSIONS}:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    wanted = Q(pk__in=[])
    for app_label, codename in curator_permission_codenames():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    group.permissions.set(Permission.objects.filter(wanted))
    return group

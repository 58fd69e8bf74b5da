"""The curators group: staff who edit mood playlists and rules and can view the rest."""

from __future__ import annotations

CURATORS_GROUP = "curators"

# (app label, model, actions). Exactly what the curators' admin needs: playlists and rules are
# theirs to edit; readings, ratings, tracks, evidence, users and sync status are read-only. Nothing
# of social_django (tokens), authtoken, auth groups, Celery or the recommendations themselves.
CURATOR_PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("recommendations", "moodplaylist", ("add", "change", "delete", "view")),
    ("recommendations", "moodplaylisttrack", ("add", "change", "delete", "view")),
    ("recommendations", "emotionmoodrule", ("add", "change", "delete", "view")),
    ("recommendations", "track", ("view",)),
    ("recommendations", "artist", ("view",)),
    ("recommendations", "trackmood", ("view",)),
    ("recommendations", "librarysync", ("view",)),
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

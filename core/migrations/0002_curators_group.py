"""Create the `curators` group with exactly the permissions of the curators' admin."""

from django.db import migrations

# A frozen copy of accounts.curators.CURATOR_PERMISSIONS; accounts/tests/test_curators.py keeps
# the group in the database equal to the constant (change both with a new migration).
CURATOR_PERMISSIONS = (
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


def create_curators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    # Permissions are normally created after all migrations (post_migrate): create the ones we
    # need now, under the names Django would give them.
    for app_label, model_name, actions in CURATOR_PERMISSIONS:
        model = apps.get_model(app_label, model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name}"},
            )
            permissions.append(permission)
    group, _ = Group.objects.get_or_create(name="curators")
    group.permissions.set(permissions)


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("emotions", "0001_initial"),
        ("feedback", "0001_initial"),
        ("recommendations", "0002_moodplaylist_import_status"),
    ]

    operations = [migrations.RunPython(create_curators, remove_curators)]

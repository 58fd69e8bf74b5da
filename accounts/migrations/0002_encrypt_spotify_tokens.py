"""Encrypt the Spotify tokens already stored in social-auth's extra_data (spotify.crypto)."""

from django.db import migrations


def _rewrite(apps, transform) -> None:
    UserSocialAuth = apps.get_model("social_django", "UserSocialAuth")
    for social in UserSocialAuth.objects.all().only("pk", "extra_data").iterator():
        new = transform(social.extra_data)
        if new != social.extra_data:
            UserSocialAuth.objects.filter(pk=social.pk).update(extra_data=new)


def encrypt(apps, schema_editor):
    from spotify.crypto import encrypt_extra_data

    _rewrite(apps, encrypt_extra_data)


def decrypt(apps, schema_editor):
    from spotify.crypto import decrypt_extra_data

    _rewrite(apps, decrypt_extra_data)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("social_django", "0022_nonce_timestamp_index"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]

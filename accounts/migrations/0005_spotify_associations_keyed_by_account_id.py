"""Spotify associations are keyed by `account_id` from now on (issue 18); `id` can change.

Offline, a migration cannot learn an old row's account_id: only Spotify knows it, for a token that
may have expired. So this migration only makes every old row *recognisable*:

- a row that already records its `account_id` (a library sync stored it) is re-keyed by it now,
  unless another row holds that account_id (then it is left for sign-in to sort out, never merged);
- every other row is labelled as keyed by Spotify's `id` (id_key "id", the id copied into
  extra_data as evidence), and the listener's next "Sign in with Spotify" re-keys it by the
  account_id Spotify returns (`spotify.backend.SpotifyOAuth2`: social-core's legacy-identifier
  migration, allowed for `id` → `account_id` only). Same Django user, same library.

Spotify ends every refresh token six months after consent, so every listener who still uses
Moodtrack signs in again, and is re-keyed, within six months. Tokens are not touched (they stay
encrypted as they are). Reversible: rows go back to their `id`.
"""

from django.db import migrations

PROVIDER = "spotify"
ACCOUNT_ID = "account_id"
LEGACY_ID = "id"


def forwards(apps, schema_editor):
    UserSocialAuth = apps.get_model("social_django", "UserSocialAuth")
    rows = UserSocialAuth.objects.filter(provider=PROVIDER).exclude(id_key=ACCOUNT_ID)
    for social in rows.only("pk", "uid", "id_key", "extra_data").iterator():
        extra = dict(social.extra_data or {}) if isinstance(social.extra_data, dict) else {}
        extra.setdefault(LEGACY_ID, social.uid)
        account_id = extra.get(ACCOUNT_ID)
        taken = (
            isinstance(account_id, str)
            and UserSocialAuth.objects.filter(provider=PROVIDER, uid=account_id)
            .exclude(pk=social.pk)
            .exists()
        )
        if isinstance(account_id, str) and account_id and not taken:
            UserSocialAuth.objects.filter(pk=social.pk).update(
                uid=account_id, id_key=ACCOUNT_ID, extra_data=extra
            )
        else:
            UserSocialAuth.objects.filter(pk=social.pk).update(id_key=LEGACY_ID, extra_data=extra)


def backwards(apps, schema_editor):
    UserSocialAuth = apps.get_model("social_django", "UserSocialAuth")
    rows = UserSocialAuth.objects.filter(provider=PROVIDER, id_key=ACCOUNT_ID)
    for social in rows.only("pk", "uid", "extra_data").iterator():
        extra = social.extra_data if isinstance(social.extra_data, dict) else {}
        old_id = extra.get(LEGACY_ID)
        if isinstance(old_id, str) and old_id:
            UserSocialAuth.objects.filter(pk=social.pk).update(uid=old_id, id_key=LEGACY_ID)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_hash_authtoken_keys"),
        ("social_django", "0022_nonce_timestamp_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

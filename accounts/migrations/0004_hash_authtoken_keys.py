"""Hash the keys of DRF's `rest_framework.authtoken` into ApiToken rows, and delete the plaintext.

The authtoken app is no longer installed, so its table is read with plain SQL, and only if it is
there (a new database never had it). Each old key keeps working (accounts.api_tokens accepts the
40-hex format) and shows on its owner's profile as "Made in the admin". The old table is left,
empty: `DROP TABLE authtoken_token` is safe once no rollback to the old code is wanted.
Not reversible: the plaintext keys are gone (reversing leaves the hashed rows in place).
"""

import hashlib

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def hash_legacy_keys(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    table = connection.ops.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {table}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="Made in the admin",
            prefix=key[:10],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
        )
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_token")]

    operations = [migrations.RunPython(hash_legacy_keys, migrations.RunPython.noop)]

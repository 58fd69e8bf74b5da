"""Fault rules match by glob, never by a stored regular expression (a `(a+)+$` ReDoS)."""

from django.db import migrations, models


def forget_regex_rules(apps, schema_editor):
    # A regular expression does not mean the same as a glob: the old rules (test state, made by
    # tests or by hand) are dropped rather than reinterpreted.
    apps.get_model("spotify_sandbox", "FaultRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("spotify_sandbox", "0001_initial")]

    operations = [
        migrations.RunPython(forget_regex_rules, migrations.RunPython.noop),
        migrations.RemoveField(model_name="faultrule", name="path_regex"),
        migrations.AddField(
            model_name="faultrule",
            name="path_glob",
            field=models.CharField(
                default="",
                help_text="A glob (fnmatch: * ? [...]; never a regular expression) matched against "
                "the whole path below /spotify-sandbox/ (no trailing slash), then ? and the query "
                "string, e.g. api/token, v1/me/tracks* or v1/me/tracks?*offset=100*",
                max_length=200,
            ),
            preserve_default=False,
        ),
    ]

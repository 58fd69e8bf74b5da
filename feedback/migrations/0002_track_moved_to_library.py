"""Ratings point at `library.Track` (same table) and use the one Strategy list (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0001_initial'),
        ('library', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='rating',
                    name='strategy',
                    field=models.CharField(choices=[('match', 'Match my mood'), ('lift', 'Lift my mood')], max_length=5),
                ),
                migrations.AlterField(
                    model_name='rating',
                    name='track',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ratings', to='library.track'),
                ),
            ],
            database_operations=[],
        ),
    ]

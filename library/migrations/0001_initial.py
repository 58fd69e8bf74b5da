"""The library models move here from `recommendations`, tables and data unchanged (state only)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = (
    "artist",
    "track",
    "libraryentry",
    "librarysync",
    "moodplaylist",
    "moodplaylisttrack",
    "trackmood",
)


def _relabel(apps, old, new):
    """Content types follow the models, so permissions, groups and admin history stay attached."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=new, model__in=MOVED).delete()
    ContentType.objects.filter(app_label=old, model__in=MOVED).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "recommendations", "library")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "library", "recommendations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0002_curators_group'),
        ('recommendations', '0003_default_emotion_mood_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Artist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('spotify_id', models.CharField(max_length=64, unique=True)),
                        ('name', models.CharField(max_length=300)),
                    ],
                    options={
                        'db_table': 'recommendations_artist',
                    },
                ),
                migrations.CreateModel(
                    name='MoodPlaylist',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('mood', models.CharField(choices=[('happy', 'Happy'), ('energetic', 'Energetic'), ('sad', 'Sad'), ('calm', 'Calm')], max_length=10)),
                        ('description', models.TextField(blank=True)),
                        ('spotify_playlist_id', models.CharField(blank=True, max_length=64)),
                        ('import_status', models.CharField(blank=True, choices=[('', 'Not imported'), ('queued', 'Queued'), ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='', max_length=10)),
                        ('import_message', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'recommendations_moodplaylist',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='LibrarySync',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('never', 'Not synced yet'), ('queued', 'Queued'), ('running', 'Syncing'), ('paused', 'Paused (Spotify rate limit)'), ('done', 'Synced'), ('failed', 'Failed'), ('reauth', 'Spotify sign-in needed')], default='never', max_length=10)),
                        ('processed', models.PositiveIntegerField(default=0)),
                        ('total', models.PositiveIntegerField(default=0)),
                        ('track_count', models.PositiveIntegerField(default=0)),
                        ('requests_made', models.PositiveIntegerField(default=0)),
                        ('message', models.CharField(blank=True, max_length=300)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('last_success_at', models.DateTimeField(blank=True, null=True)),
                        ('resume_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='library_sync', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'recommendations_librarysync',
                    },
                ),
                migrations.CreateModel(
                    name='Track',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('spotify_id', models.CharField(max_length=64, unique=True)),
                        ('name', models.CharField(max_length=300)),
                        ('artist_names', models.CharField(blank=True, help_text='For display.', max_length=500)),
                        ('album_name', models.CharField(blank=True, max_length=300)),
                        ('image_url', models.URLField(blank=True, max_length=500)),
                        ('duration_ms', models.PositiveIntegerField(default=0)),
                        ('uri', models.CharField(blank=True, max_length=100)),
                        ('isrc', models.CharField(blank=True, max_length=20)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('artists', models.ManyToManyField(blank=True, related_name='tracks', to='library.artist')),
                    ],
                    options={
                        'db_table': 'recommendations_track',
                    },
                ),
                migrations.CreateModel(
                    name='MoodPlaylistTrack',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveIntegerField(default=0)),
                        ('playlist', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='library.moodplaylist')),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='library.track')),
                    ],
                    options={
                        'db_table': 'recommendations_moodplaylisttrack',
                        'ordering': ['position'],
                    },
                ),
                migrations.AddField(
                    model_name='moodplaylist',
                    name='tracks',
                    field=models.ManyToManyField(related_name='mood_playlists', through='library.MoodPlaylistTrack', to='library.track'),
                ),
                migrations.CreateModel(
                    name='LibraryEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('liked', models.BooleanField(default=False)),
                        ('top_short', models.BooleanField(default=False)),
                        ('top_medium', models.BooleanField(default=False)),
                        ('top_long', models.BooleanField(default=False)),
                        ('recent', models.BooleanField(default=False)),
                        ('playlist', models.BooleanField(default=False)),
                        ('liked_at', models.DateTimeField(blank=True, null=True)),
                        ('last_played_at', models.DateTimeField(blank=True, null=True)),
                        ('first_seen_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='library', to=settings.AUTH_USER_MODEL)),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='library_entries', to='library.track')),
                    ],
                    options={
                        'verbose_name_plural': 'library entries',
                        'db_table': 'recommendations_libraryentry',
                    },
                ),
                migrations.CreateModel(
                    name='TrackMood',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mood', models.CharField(choices=[('happy', 'Happy'), ('energetic', 'Energetic'), ('sad', 'Sad'), ('calm', 'Calm')], max_length=10)),
                        ('source', models.CharField(choices=[('curated', 'Curated playlist'), ('ratings', 'Listener ratings'), ('audio', 'Audio features')], max_length=10)),
                        ('score', models.FloatField(validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)])),
                        ('weight', models.FloatField(default=1.0, validators=[django.core.validators.MinValueValidator(0.0)])),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('track', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moods', to='library.track')),
                    ],
                    options={
                        'db_table': 'recommendations_trackmood',
                    },
                ),
                migrations.AddConstraint(
                    model_name='moodplaylisttrack',
                    constraint=models.UniqueConstraint(fields=('playlist', 'track'), name='mood_playlist_track_unique'),
                ),
                migrations.AddConstraint(
                    model_name='libraryentry',
                    constraint=models.UniqueConstraint(fields=('user', 'track'), name='library_entry_unique'),
                ),
                migrations.AddConstraint(
                    model_name='trackmood',
                    constraint=models.UniqueConstraint(fields=('track', 'mood', 'source'), name='track_mood_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

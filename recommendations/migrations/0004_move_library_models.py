"""The library models now live in `library` (same tables): dropped from this state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_curators_group'),
        ('feedback', '0002_track_moved_to_library'),
        ('library', '0001_initial'),
        ('recommendations', '0003_default_emotion_mood_rules'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='track',
                    name='artists',
                ),
                migrations.RemoveField(
                    model_name='libraryentry',
                    name='track',
                ),
                migrations.RemoveField(
                    model_name='libraryentry',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='librarysync',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='moodplaylist',
                    name='tracks',
                ),
                migrations.RemoveField(
                    model_name='moodplaylisttrack',
                    name='playlist',
                ),
                migrations.RemoveField(
                    model_name='moodplaylisttrack',
                    name='track',
                ),
                migrations.RemoveField(
                    model_name='trackmood',
                    name='track',
                ),
                migrations.AlterField(
                    model_name='recommendationitem',
                    name='track',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommended', to='library.track'),
                ),
                migrations.DeleteModel(
                    name='Artist',
                ),
                migrations.DeleteModel(
                    name='LibraryEntry',
                ),
                migrations.DeleteModel(
                    name='LibrarySync',
                ),
                migrations.DeleteModel(
                    name='MoodPlaylist',
                ),
                migrations.DeleteModel(
                    name='MoodPlaylistTrack',
                ),
                migrations.DeleteModel(
                    name='TrackMood',
                ),
                migrations.DeleteModel(
                    name='Track',
                ),
            ],
            database_operations=[],
        ),
    ]

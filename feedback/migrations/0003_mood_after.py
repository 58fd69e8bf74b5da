"""How the listener felt after a list of songs ("How do you feel now?")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('emotions', '0001_initial'),
        ('feedback', '0002_track_moved_to_library'),
        ('recommendations', '0004_move_library_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MoodAfter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('emotion', models.CharField(choices=[('angry', 'Angry'), ('disgust', 'Disgust'), ('fear', 'Fear'), ('happy', 'Happy'), ('sad', 'Sad'), ('surprise', 'Surprise'), ('neutral', 'Neutral')], max_length=10)),
                ('emotion_before', models.CharField(choices=[('angry', 'Angry'), ('disgust', 'Disgust'), ('fear', 'Fear'), ('happy', 'Happy'), ('sad', 'Sad'), ('surprise', 'Surprise'), ('neutral', 'Neutral')], max_length=10)),
                ('strategy', models.CharField(choices=[('match', 'Match my mood'), ('lift', 'Lift my mood')], max_length=5)),
                ('source', models.CharField(choices=[('tap', 'One tap'), ('snapshot', 'A new snapshot')], default='tap', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('reading', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mood_after_answers', to='emotions.moodreading')),
                ('recommendation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='mood_after', to='recommendations.recommendation')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moods_after', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['user', 'created_at'], name='mood_after_user_created')],
            },
        ),
    ]

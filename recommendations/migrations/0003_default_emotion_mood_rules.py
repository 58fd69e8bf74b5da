"""Seed the default emotion → music-mood rules for the strategies match and lift."""

from django.db import migrations

# A frozen copy of recommendations.rules.DEFAULT_RULES (ARCHITECTURE.md); a test keeps them equal.
DEFAULT_RULES = {
    "match": {
        "happy": (("happy", 1.0),),
        "sad": (("sad", 1.0),),
        "angry": (("energetic", 1.0),),
        "fear": (("calm", 1.0),),
        "surprise": (("happy", 1.0),),
        "disgust": (("energetic", 1.0),),
        "neutral": (("calm", 1.0),),
    },
    "lift": {
        "sad": (("calm", 1.0), ("happy", 0.6)),
        "angry": (("calm", 1.0),),
        "fear": (("calm", 1.0),),
        "disgust": (("calm", 1.0),),
        "neutral": (("happy", 1.0),),
        "happy": (("happy", 1.0),),
        "surprise": (("happy", 1.0),),
    },
}


def seed_rules(apps, schema_editor):
    EmotionMoodRule = apps.get_model("recommendations", "EmotionMoodRule")
    for strategy, emotions in DEFAULT_RULES.items():
        for emotion, targets in emotions.items():
            for mood, weight in targets:
                EmotionMoodRule.objects.get_or_create(
                    emotion=emotion, strategy=strategy, mood=mood, defaults={"weight": weight}
                )


def unseed_rules(apps, schema_editor):
    EmotionMoodRule = apps.get_model("recommendations", "EmotionMoodRule")
    for strategy, emotions in DEFAULT_RULES.items():
        for emotion, targets in emotions.items():
            for mood, weight in targets:
                EmotionMoodRule.objects.filter(
                    emotion=emotion, strategy=strategy, mood=mood, weight=weight
                ).delete()


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0002_moodplaylist_import_status")]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]

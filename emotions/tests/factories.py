"""factory_boy factories for mood readings."""

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from emotions.models import MoodReading

HAPPY_PROBABILITIES = {
    "angry": 0.02,
    "disgust": 0.01,
    "fear": 0.03,
    "happy": 0.82,
    "sad": 0.04,
    "surprise": 0.05,
    "neutral": 0.03,
}


class MoodReadingFactory(factory.django.DjangoModelFactory):
    """A pending photo reading; `done=True` gives a finished one with one happy face."""

    class Meta:
        model = MoodReading

    user = factory.SubFactory(UserFactory)
    source = MoodReading.Source.UPLOAD
    status = MoodReading.Status.PENDING

    class Params:
        done = factory.Trait(
            status=MoodReading.Status.DONE,
            emotion="happy",
            confidence=0.82,
            probabilities=HAPPY_PROBABILITIES,
            faces=[
                {
                    "box": [250, 120, 140, 140],
                    "emotion": "happy",
                    "confidence": 0.82,
                    "uncertain": False,
                    "probabilities": HAPPY_PROBABILITIES,
                    "crop": [216, 86, 208, 208],
                }
            ],
            face_count=1,
            model_version="cnn-test",
            image_width=640,
            image_height=480,
            finished_at=factory.LazyFunction(timezone.now),
            attempts=1,
        )

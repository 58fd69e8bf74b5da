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

SAD_PROBABILITIES = {
    "angry": 0.05,
    "disgust": 0.02,
    "fear": 0.08,
    "happy": 0.05,
    "sad": 0.7,
    "surprise": 0.02,
    "neutral": 0.08,
}
# Two smaller happy faces outweigh the sad largest one: the room feels happy.
ROOM_PROBABILITIES = {
    "angry": 0.03,
    "disgust": 0.01,
    "fear": 0.05,
    "happy": 0.58,
    "sad": 0.25,
    "surprise": 0.04,
    "neutral": 0.04,
}


def _face(box: list[int], emotion: str, probabilities: dict[str, float]) -> dict:
    return {
        "box": box,
        "emotion": emotion,
        "confidence": probabilities[emotion],
        "uncertain": False,
        "probabilities": probabilities,
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
        # A finished group photo: a sad largest face, two happy ones, a happy room.
        group_photo = factory.Trait(
            done=True,
            emotion="sad",
            confidence=0.7,
            probabilities=SAD_PROBABILITIES,
            faces=[
                {**_face([40, 120, 200, 200], "sad", SAD_PROBABILITIES), "crop": [0, 70, 290, 290]},
                _face([300, 150, 150, 150], "happy", HAPPY_PROBABILITIES),
                _face([480, 170, 130, 130], "happy", HAPPY_PROBABILITIES),
            ],
            face_count=3,
            group={
                "emotion": "happy",
                "confidence": 0.58,
                "probabilities": ROOM_PROBABILITIES,
                "face_count": 3,
            },
        )

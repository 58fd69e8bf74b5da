"""factory_boy factories for finished readings and recommendations (library ones: library.tests)."""

import factory

from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from library.tests.factories import LibraryEntryFactory, TrackFactory
from recommendations.models import Recommendation, RecommendationItem, Strategy

__all__ = [
    "DoneReadingFactory",
    "LibraryEntryFactory",
    "RecommendationFactory",
    "RecommendationItemFactory",
    "TrackFactory",
]


class DoneReadingFactory(factory.django.DjangoModelFactory):
    """A finished mood reading, as the ML worker would leave it."""

    class Meta:
        model = MoodReading

    user = factory.SubFactory(UserFactory)
    source = MoodReading.Source.UPLOAD
    status = MoodReading.Status.DONE
    emotion = "sad"
    confidence = 0.87
    face_count = 1
    model_version = "test"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    user = factory.SubFactory(UserFactory)
    emotion = "sad"
    strategy = Strategy.MATCH


class RecommendationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationItem

    recommendation = factory.SubFactory(RecommendationFactory)
    track = factory.SubFactory(TrackFactory)
    position = factory.Sequence(lambda n: n + 1)
    score = 1.0
    reason = "in your Liked Songs"

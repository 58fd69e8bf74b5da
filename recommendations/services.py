"""Writes for recommendations: rank the user's own library for an emotion and store the result."""

from __future__ import annotations

import secrets

import numpy as np
from django.db import transaction

from accounts.models import User
from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.presentation import ADJECTIVES
from feedback.selectors import UserRatingRows, crowd_evidence, user_track_affinity
from library.tagclusters import cluster_name
from ml.labels import EMOTIONS
from recommendations.models import Recommendation, RecommendationItem, Strategy
from recommendations.ranking import (
    DEFAULT_WEIGHTS,
    KNOWN_GOOD_STARS,
    PICK_SOURCE_PRECEDENCE,
    SOURCES,
    RankingInput,
    RankingWeights,
    UserRatings,
    mood_distributions,
    rank,
    recent_exposure,
)
from recommendations.rules import MOODS, rule_target_table, rule_targets, target_vector
from recommendations.selectors import (
    Candidates,
    MoodEvidence,
    candidate_mood_evidence,
    evidence_details,
    library_candidates,
    library_sources,
    library_track_ids,
    recent_shown_track_ids,
)

# How many of the user's latest recommendations count as "shown recently".
RECENT_RECOMMENDATIONS = 5
MAX_ITEMS = 50
# Other listeners are mentioned in a reason only once this many different ones rated the track.
CROWD_MENTION_MIN = 3

# Where the song comes from: its first flag in ranking.PICK_SOURCE_PRECEDENCE.
LIBRARY_PHRASES = {
    "top_short": "one of your top tracks lately",
    "top_medium": "one of your top tracks",
    "top_long": "one of your all-time top tracks",
    "recent": "played recently",
    "liked": "in your Liked Songs",
    "playlist": "in your playlists",
}
SOURCE_PHRASES = {
    "sorted": "you sorted it as {mood}",
    "playlists": "{mood}: in your playlist “{detail}”",
    "curated": "curated {mood}",
    "tags": "{mood}: tagged “{detail}” on Last.fm",
    "ratings": "ratings say {mood}",
    "artist_tags": "{mood}: its artist is tagged “{detail}” on Last.fm",
    "audio": "sounds {mood}",
}
# Phrases for a source whose evidence carries no detail.
PLAIN_PHRASES = {
    "playlists": "{mood}: in one of your playlists",
    "tags": "tagged {mood} on Last.fm",
    "artist_tags": "its artist is tagged {mood} on Last.fm",
}


def _validate(*, user: User, emotion: str, strategy: str, reading: MoodReading | None, n: int):
    if emotion not in EMOTIONS:
        raise ApplicationError(
            "Pick one of the emotions we know.", extra={"emotion": emotion, "choices": EMOTIONS}
        )
    if strategy not in Strategy.values:
        raise ApplicationError(
            "Choose a strategy: match or lift.",
            extra={"strategy": strategy, "choices": Strategy.values},
        )
    if not 1 <= n <= MAX_ITEMS:
        raise ApplicationError(f"Ask for between 1 and {MAX_ITEMS} songs.", extra={"n": n})
    if reading is not None and reading.user_id != user.pk:
        raise ApplicationError("Reading not found.", status_code=404)


def _user_ratings(rows: UserRatingRows, candidates: Candidates, *, strategy: str) -> UserRatings:
    """The listener's ratings for the ranker, each with its emotion and the rule targets it was
    given under (its emotion, the strategy chosen now: the prior mean of that mood taste)."""
    table = rule_target_table() if len(rows.stars) else {}
    return UserRatings(
        position=candidates.positions(rows.track_ids),
        stars=rows.stars,
        same_emotion=rows.same_emotion,
        emotion=np.array([EMOTIONS.index(name) for name in rows.emotions], dtype=np.int64),
        target=np.array([table[(name, strategy)] for name in rows.emotions], dtype=float).reshape(
            -1, len(MOODS)
        ),
    )


def _crowd_arrays(*, user: User, emotion: str, candidates: Candidates) -> tuple[np.ndarray, ...]:
    crowd = crowd_evidence(user=user, emotion=emotion, track_ids=library_track_ids(user=user))
    count = np.zeros(len(candidates.track_ids))
    stars = np.zeros(len(candidates.track_ids))
    positions = candidates.positions(crowd.track_ids)
    known = positions >= 0
    count[positions[known]] = crowd.listeners[known]
    stars[positions[known]] = crowd.stars[known]
    return count, stars


def _evidence_phrase(
    rows: np.ndarray,
    *,
    evidence: MoodEvidence,
    details: dict[tuple[int, str, str], str],
    track_id: int,
    track_rows: np.ndarray,
) -> str:
    """What the strongest source among `rows` says and rests on; "partly" when that mood is not
    the one this source gives the track most (tags split between calm and sad)."""
    strongest = rows[evidence.source_index[rows] == evidence.source_index[rows].min()]
    row = int(strongest[np.argmax(evidence.score[strongest])])
    source, mood = SOURCES[evidence.source_index[row]], MOODS[evidence.mood_index[row]]
    same_source = track_rows[evidence.source_index[track_rows] == evidence.source_index[row]]
    label = mood if evidence.score[row] >= evidence.score[same_source].max() else f"partly {mood}"
    detail = details.get((track_id, source, mood), "")
    phrase = SOURCE_PHRASES[source] if detail else PLAIN_PHRASES.get(source)
    return (phrase or SOURCE_PHRASES[source]).format(mood=label, detail=detail)


def _mood_phrase(
    index: int,
    *,
    data: RankingInput,
    evidence: MoodEvidence,
    rows: np.ndarray,
    details: dict[tuple[int, str, str], str],
    track_id: int,
) -> str:
    """The evidence behind the track's best-fitting mood, always naming its source: the strongest
    source sure of that mood; else the strongest that gives it some weight ("partly sad"); else
    the strongest evidence there is, with its own mood."""
    if data.mood_confidence[index] == 0 or len(rows) == 0:
        return "exploring: we don't know its mood yet"
    fit = data.target * data.mood_dist[index]
    best = int(np.argmax(fit)) if fit.max() > 0 else int(np.argmax(data.mood_dist[index]))
    moods = evidence.mood_index[rows]
    for supports in ((moods == best) & (evidence.score[rows] > 0.5), moods == best):
        if supports.any():
            return _evidence_phrase(
                rows[supports],
                evidence=evidence,
                details=details,
                track_id=track_id,
                track_rows=rows,
            )
    return _evidence_phrase(
        rows, evidence=evidence, details=details, track_id=track_id, track_rows=rows
    )


def _rating_phrase(track_id: int, ratings: UserRatingRows) -> str | None:
    """The user's own latest rating of the track, preferring one given in this emotion."""
    mine = np.flatnonzero(ratings.track_ids == track_id)
    if len(mine) == 0:
        return None
    same = mine[ratings.same_emotion[mine]]
    chosen = int(same[0] if len(same) else mine[0])
    when = ADJECTIVES.get(ratings.emotions[chosen], ratings.emotions[chosen])
    return f"you rated it ★{int(ratings.stars[chosen])} when {when}"


def _artist_phrase(
    index: int, *, data: RankingInput, codes: np.ndarray, rows: UserRatingRows
) -> str | None:
    """The user's latest rating of another song by this artist, when it moved the score."""
    if len(codes) == 0 or codes[index] < 0:
        return None
    position = data.user.position
    same_artist = np.flatnonzero((position >= 0) & (codes[np.maximum(position, 0)] == codes[index]))
    if len(same_artist) == 0:
        return None
    chosen = int(same_artist[0])  # ratings are newest first
    when = ADJECTIVES.get(rows.emotions[chosen], rows.emotions[chosen])
    return f"you rated this artist ★{int(rows.stars[chosen])} when {when}"


def _cluster_phrase(index: int, *, data: RankingInput, rows: UserRatingRows) -> str | None:
    """The user's latest ★4 or ★5 for another song of this tag cluster (genre family)."""
    clusters = data.tag_cluster
    if clusters is None or clusters[index] < 0:
        return None
    position = data.user.position
    same = (position >= 0) & (position != index)
    same &= clusters[np.maximum(position, 0)] == clusters[index]
    liked = np.flatnonzero(same & (data.user.stars >= KNOWN_GOOD_STARS))
    name = cluster_name(int(clusters[index]))
    if len(liked) == 0 or name is None:
        return None
    chosen = int(liked[0])  # ratings are newest first
    return f"you gave another {name} song ★{int(rows.stars[chosen])}"


def _reasons(
    picked: np.ndarray,
    *,
    artist_codes: np.ndarray,
    user: User,
    emotion: str,
    candidates: Candidates,
    data: RankingInput,
    evidence: MoodEvidence,
    ratings: UserRatingRows,
) -> list[str]:
    track_ids = [int(candidates.track_ids[index]) for index in picked]
    sources = library_sources(user=user, track_ids=track_ids)
    details = evidence_details(user=user, track_ids=track_ids)
    reasons = []
    for index, track_id in zip(picked.tolist(), track_ids, strict=True):
        flags = sources.get(track_id, [])
        flag = next((flag for flag in PICK_SOURCE_PRECEDENCE if flag in flags), None)
        parts = [LIBRARY_PHRASES[flag] if flag else "in your library"]
        rows = np.flatnonzero(evidence.track_index == index)
        parts.append(
            _mood_phrase(
                index, data=data, evidence=evidence, rows=rows, details=details, track_id=track_id
            )
        )
        rating = (
            _rating_phrase(track_id, ratings)
            or _artist_phrase(index, data=data, codes=artist_codes, rows=ratings)
            or _cluster_phrase(index, data=data, rows=ratings)
        )
        if rating:
            parts.append(rating)
        count = data.crowd_count[index]
        if count >= CROWD_MENTION_MIN and data.crowd_stars[index] / count >= 4:
            parts.append(f"listeners liked it when {ADJECTIVES.get(emotion, emotion)}")
        reasons.append(" · ".join(parts)[:300])
    return reasons


@transaction.atomic
def recommendation_create(
    *,
    user: User,
    emotion: str,
    strategy: str,
    reading: MoodReading | None = None,
    n: int = 10,
    seed: int | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> Recommendation:
    """Rank the user's own library for `emotion` under `strategy` and store the top `n`.

    Deterministic for a given `seed` and state; without one a fresh seed is drawn and stored.
    """
    _validate(user=user, emotion=emotion, strategy=strategy, reading=reading, n=n)
    candidates = library_candidates(user=user)
    if len(candidates.track_ids) == 0:
        raise ApplicationError(
            "Your library has no songs yet: sync it from Spotify first.",
            extra={"reason": "empty_library"},
        )
    size = len(candidates.track_ids)
    evidence = candidate_mood_evidence(user=user, candidates=candidates)
    dist, confidence = mood_distributions(
        n_tracks=size,
        track_index=evidence.track_index,
        mood_index=evidence.mood_index,
        source_index=evidence.source_index,
        score=evidence.score,
        weight=evidence.weight,
        prior_strength=weights.mood_prior_strength,
    )
    ratings = user_track_affinity(user=user, emotion=emotion)
    crowd_count, crowd_stars = _crowd_arrays(user=user, emotion=emotion, candidates=candidates)
    shown = recent_shown_track_ids(user=user, limit=RECENT_RECOMMENDATIONS)
    data = RankingInput(
        target=target_vector(rule_targets(emotion=emotion, strategy=strategy)),
        mood_dist=dist,
        mood_confidence=confidence,
        artist_keys=candidates.artist_keys,
        user=_user_ratings(ratings, candidates, strategy=strategy),
        crowd_count=crowd_count,
        crowd_stars=crowd_stars,
        recent=recent_exposure(
            [candidates.positions(ids) for ids in shown],
            n_tracks=size,
            decay=weights.recent_decay,
        ),
        pick_source=candidates.pick_source,
        tag_cluster=candidates.tag_cluster,
    )
    seed = secrets.randbits(62) if seed is None else seed
    ranked = rank(data, n=min(n, size), weights=weights, rng=np.random.default_rng(seed))

    recommendation = Recommendation.objects.create(
        user=user,
        reading=reading,
        emotion=emotion,
        strategy=strategy,
        cold_start=ranked.cold_start,
        seed=seed,
    )
    reasons = _reasons(
        ranked.indices,
        artist_codes=ranked.artist_codes,
        user=user,
        emotion=emotion,
        candidates=candidates,
        data=data,
        evidence=evidence,
        ratings=ratings,
    )
    RecommendationItem.objects.bulk_create(
        [
            RecommendationItem(
                recommendation=recommendation,
                track_id=int(candidates.track_ids[index]),
                position=position,
                score=float(ranked.score[index]),
                reason=reason,
                components={
                    **{
                        name: round(float(values[index]), 4)
                        for name, values in ranked.components.items()
                    },
                    "mood_confidence": round(float(confidence[index]), 4),
                },
            )
            for position, (index, reason) in enumerate(
                zip(ranked.indices.tolist(), reasons, strict=True), start=1
            )
        ]
    )
    return recommendation

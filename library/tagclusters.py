"""Tag clusters: the genre family (rock, indie, jazz ...) of a song from its Last.fm tags.

A listener's rating of one indie song says something about every indie song: the ranker learns a
taste per cluster (`recommendations.ranking`, `RankingInput.tag_cluster`). Plain Python, no
Django; the phrases are in data/tag_clusters.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from library.lexicon import MIN_TAG_STRENGTH, NEGATIONS, PARTIAL_MATCH_FACTOR, lexicon, normalise

CLUSTERS_PATH = Path(__file__).resolve().parent / "data" / "tag_clusters.json"

# The clusters, in a fixed order: Track.tag_cluster stores the index, so this tuple is only ever
# appended to (never reordered, renamed to another genre, or shortened) without a data migration.
CLUSTERS: tuple[str, ...] = (
    "rock",
    "indie & alternative",
    "pop",
    "electronic & dance",
    "hip-hop & rap",
    "R&B, soul & funk",
    "jazz & blues",
    "classical & soundtrack",
    "metal & punk",
    "folk & country",
    "latin & world",
    "ambient & chill",
)
CLUSTER_INDEX = {name: index for index, name in enumerate(CLUSTERS)}


@dataclass(frozen=True)
class ClusterTable:
    """The loaded data file: normalised phrase -> cluster index, and what never counts alone."""

    phrases: dict[str, int]
    whole_tag_only: frozenset[str]
    ignore: frozenset[str]
    max_phrase_words: int


@cache
def cluster_table(path: Path = CLUSTERS_PATH) -> ClusterTable:
    """Load and normalise the data file once (per path); a phrase may name one cluster only."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["clusters"]) != CLUSTERS:
        raise ValueError(f"{path.name}: clusters must be {CLUSTERS}, not {tuple(data['clusters'])}")
    phrases: dict[str, int] = {}
    for name, entries in data["clusters"].items():
        for phrase in entries:
            key = normalise(phrase)
            if not key or key in phrases:
                raise ValueError(f"{path.name}: {phrase!r} in {name!r} is empty or repeated")
            phrases[key] = CLUSTER_INDEX[name]
    whole_tag_only = frozenset(normalise(phrase) for phrase in data.get("whole_tag_only", ()))
    if not whole_tag_only <= phrases.keys():
        raise ValueError(f"{path.name}: whole_tag_only names {whole_tag_only - phrases.keys()}")
    return ClusterTable(
        phrases=phrases,
        whole_tag_only=whole_tag_only,
        ignore=frozenset(normalise(phrase) for phrase in data.get("ignore", ())),
        max_phrase_words=max(len(key.split()) for key in phrases),
    )


def _junk(phrase: str, table: ClusterTable) -> bool:
    """Tags that say nothing of a genre: ours ("soundtrack of my life") and the mood lexicon's
    ("seen live", "favorites", "2010s", "the word rock")."""
    lex = lexicon()
    return (
        phrase in table.ignore
        or phrase in lex.ignore
        or any(pattern.search(phrase) for pattern in lex.ignore_patterns)
    )


def tag_cluster_match(tag: str, table: ClusterTable | None = None) -> tuple[int, float] | None:
    """(cluster, factor) of one tag: the cluster of the whole tag (factor 1; a plural is read as
    its singular, "soundtracks"), else of the longest phrase inside it, the rightmost of equal
    length as English puts a genre's head last ("90s indie rock" -> "indie rock", "alternative
    punk" -> "punk"), at PARTIAL_MATCH_FACTOR; a phrase after a negation ("not metal") does not
    count. None for junk, moods and unknown words."""
    table = table or cluster_table()
    phrase = normalise(tag)
    if not phrase or _junk(phrase, table):
        return None
    if phrase in table.phrases:
        return table.phrases[phrase], 1.0
    if len(phrase) > 3 and phrase.endswith("s") and phrase[:-1] in table.phrases:
        return table.phrases[phrase[:-1]], 1.0
    words = phrase.split()
    for size in range(min(table.max_phrase_words, len(words) - 1), 0, -1):
        for start in range(len(words) - size, -1, -1):
            inner = " ".join(words[start : start + size])
            negated = start > 0 and words[start - 1] in NEGATIONS  # "not metal"
            if inner in table.phrases and inner not in table.whole_tag_only and not negated:
                return table.phrases[inner], PARTIAL_MATCH_FACTOR
    return None


def genre_strength(count: float) -> float:
    """How much a genre tag with this Last.fm count (0-100, top tag 100) weighs: its share of the
    top tag's count. Linear, not the mood lexicon's square root (`lexicon.tag_strength`): a song
    has one family, and the crowd's top tags name it; under a square root a tail of weak
    sub-genre tags ("soul" 18, "rock" 14, "alternative rock" 7 ...) outvotes a top "pop" 100."""
    return max(MIN_TAG_STRENGTH, min(max(count, 0.0), 100.0) / 100)


def cluster_weights(tags: Sequence[tuple[str, float]]) -> list[float]:
    """Each cluster's weight (CLUSTERS order) from (tag, Last.fm count 0-100) pairs: every genre
    tag adds its `genre_strength` (times its match factor) to its cluster."""
    table = cluster_table()
    weights = [0.0] * len(CLUSTERS)
    for tag, count in tags:
        match = tag_cluster_match(str(tag), table)
        if match is not None:
            cluster, factor = match
            weights[cluster] += factor * genre_strength(float(count))
    return weights


def cluster_of_tags(tags: Sequence[tuple[str, float]]) -> int | None:
    """The index into CLUSTERS with the most weight among the tags; None when no tag names a
    genre. A tie goes to the earlier cluster in CLUSTERS."""
    weights = [round(weight, 9) for weight in cluster_weights(tags)]
    best = max(range(len(CLUSTERS)), key=lambda index: (weights[index], -index))
    return best if weights[best] > 0 else None


def cluster_name(index: int | None) -> str | None:
    """The cluster's name for an index stored on a track; None when unknown or out of range."""
    if index is None or not 0 <= index < len(CLUSTERS):
        return None
    return CLUSTERS[index]

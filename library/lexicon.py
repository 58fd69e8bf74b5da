"""Moods from words (Last.fm tags, playlist names) read with our lexicon; plain Python."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from library.moodspace import MOOD_INDEX, MOODS

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "mood_lexicon.json"

# A tag that only contains a lexicon entry among other words ("best of mellow") counts less than a
# tag that is the entry ("mellow"): the other words may change its sense.
PARTIAL_MATCH_FACTOR = 0.7
# Matched mass (sum of entry weights times tag strength) at which confidence is 1 - 1/e of its
# peak; a single strong top tag ("sad" at 100) has mass 1.
CONFIDENCE_MASS_SCALE = 1.5
# Weakest share a tag's Last.fm count can give it (a count of 0 still says something).
MIN_TAG_STRENGTH = 0.05
# Words that flip the next one ("not sad", "sin calma"): the match after them is dropped.
NEGATIONS = frozenset({"not", "no", "non", "never", "without", "sin", "nunca", "anti"})
MAX_PHRASE_TOKENS = 4

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|&|[\u2600-\u27bf\U0001f000-\U0001faff]")
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d"), None)

Scored = tuple[str, Sequence[float]]  # (evidence, mood weights in MOODS order)


@dataclass(frozen=True)
class MoodEstimate:
    """A distribution over MOODS, how sure it is (0-1) and its words, strongest first."""

    distribution: dict[str, float]
    confidence: float
    evidence: tuple[str, ...]

    @property
    def mood(self) -> str:
        """The most likely mood (the first in MOODS order on a tie)."""
        return max(MOODS, key=lambda mood: (self.distribution[mood], -MOOD_INDEX[mood]))


@dataclass(frozen=True)
class Lexicon:
    """The loaded data file: normalised phrase -> weight vector (MOODS order), ignores, emoji."""

    terms: dict[str, tuple[float, ...]]
    ignore: frozenset[str]
    ignore_patterns: tuple[re.Pattern[str], ...]
    emoji: dict[str, str]
    max_phrase_tokens: int


def fold(text: str) -> str:
    """Lowercase without accents ("Canción" -> "cancion"), the form every match is made in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _emoji_key(char: str) -> str:
    return char.translate(_INVISIBLE)


def _words(text: str, emoji: Mapping[str, str]) -> list[tuple[str, int, int]]:
    """(normalised word, start, end) for each word of text; see tokens()."""
    found = []
    for match in _TOKEN.finditer(text):
        original = match.group()
        if original == "&":
            found.append(("and", match.start(), match.end()))
        elif len(original) == 1 and not original.isalnum():
            word = emoji.get(_emoji_key(original))
            if word:
                found.append((word, match.start(), match.end()))
        else:
            found.append((re.sub(r"['\u2019]", "", fold(original)), match.start(), match.end()))
    return found


def tokens(text: str, emoji: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(original, normalised) word pairs: hyphens, underscores, slashes and punctuation split words,
    apostrophes are dropped ("rock'n'roll" -> "rocknroll"), "&" reads "and", and an emoji becomes
    its lexicon word when it has one (it is dropped otherwise)."""
    emoji = lexicon().emoji if emoji is None else emoji
    return [(text[start:end], word) for word, start, end in _words(text, emoji)]


def normalise(text: str) -> str:
    """The lexicon key form of a tag or phrase: folded words joined by single spaces."""
    return " ".join(word for _, word in tokens(text))


def _singular(word: str) -> str | None:
    """A plural's likely singular ("days" -> "day", "tristes" -> "triste"), or None."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return None


@cache
def lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Load and normalise the data file once (per path)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["moods"]) != MOODS:
        raise ValueError(f"{path.name}: moods must be {MOODS}, not {data['moods']}")
    emoji = {_emoji_key(char): fold(word) for char, word in data.get("emoji", {}).items()}
    terms: dict[str, tuple[float, ...]] = {}
    for group, entries in data["terms"].items():
        for phrase, weights in entries.items():
            key = " ".join(word for _, word in tokens(phrase, emoji))
            unknown = set(weights) - set(MOODS)
            if not key or unknown or any(value < 0 for value in weights.values()):
                raise ValueError(f"{path.name}: bad entry {phrase!r} in {group!r}")
            if key in terms:
                raise ValueError(f"{path.name}: {phrase!r} repeats the key {key!r}")
            terms[key] = tuple(float(weights.get(mood, 0.0)) for mood in MOODS)
    ignore = frozenset(" ".join(w for _, w in tokens(p, emoji)) for p in data.get("ignore", ()))
    return Lexicon(
        terms=terms,
        ignore=ignore,
        ignore_patterns=tuple(re.compile(pattern) for pattern in data.get("ignore_patterns", ())),
        emoji=emoji,
        max_phrase_tokens=min(MAX_PHRASE_TOKENS, max(len(key.split()) for key in terms)),
    )


def _ignored(phrase: str, lex: Lexicon) -> bool:
    return phrase in lex.ignore or any(pattern.search(phrase) for pattern in lex.ignore_patterns)


def _lookup(words: Sequence[str], lex: Lexicon) -> tuple[float, ...] | None:
    """The entry for these words, trying singulars ("rainy days" -> "rainy day") on a miss."""
    phrase = " ".join(words)
    if phrase in lex.terms:
        return lex.terms[phrase]
    singular = " ".join(_singular(word) or word for word in words)
    return lex.terms.get(singular) if singular != phrase else None


def _matches(text: str, spans: Sequence[tuple[str, int, int]], lex: Lexicon) -> list[Scored]:
    """Longest-first lexicon phrases among the words of text, as (original phrase, weights);
    ignored phrases and words after a negation are consumed without counting."""
    words = [word for word, _, _ in spans]
    found: list[Scored] = []
    start = 0
    while start < len(words):
        for size in range(min(lex.max_phrase_tokens, len(words) - start), 0, -1):
            chunk = words[start : start + size]
            if _ignored(" ".join(chunk), lex):
                start += size
                break
            weights = _lookup(chunk, lex)
            if weights is not None:
                if not (start > 0 and words[start - 1] in NEGATIONS):
                    original = text[spans[start][1] : spans[start + size - 1][2]]
                    found.append((original, weights))
                start += size
                break
        else:
            start += 1
    return found


def _estimate(scored: Iterable[Scored]) -> MoodEstimate | None:
    """Combine (evidence, weighted mood vector) pairs into a MoodEstimate; None when empty."""
    totals = [0.0] * len(MOODS)
    contributions: dict[str, list[float]] = {}
    order: list[str] = []
    for label, vector in scored:
        if label not in contributions:
            contributions[label] = [0.0] * len(MOODS)
            order.append(label)
        for index, value in enumerate(vector):
            totals[index] += value
            contributions[label][index] += value
    mass = sum(totals)
    if mass <= 0:
        return None
    distribution = {mood: totals[index] / mass for index, mood in enumerate(MOODS)}
    shares = sorted(distribution.values(), reverse=True)
    # Peakedness: 0 for a flat distribution, 1 when one mood has it all.
    peak = (shares[0] - 1 / len(MOODS)) / (1 - 1 / len(MOODS))
    saturation = 1 - math.exp(-mass / CONFIDENCE_MASS_SCALE)
    confidence = round(saturation * (0.4 + 0.6 * peak), 4)
    top = max(MOODS, key=lambda mood: (distribution[mood], -MOOD_INDEX[mood]))
    top_index = MOOD_INDEX[top]
    ranked = sorted(
        order,
        key=lambda label: (-contributions[label][top_index], -sum(contributions[label])),
    )
    return MoodEstimate(distribution=distribution, confidence=confidence, evidence=tuple(ranked))


def tag_strength(count: float) -> float:
    """How much a tag with this Last.fm count (0-100, top tag 100) weighs: sqrt, so tags far down
    the list still count but the crowd's top tags count most."""
    return max(MIN_TAG_STRENGTH, math.sqrt(min(max(count, 0.0), 100.0) / 100))


def _tag_vector(tag: str, lex: Lexicon) -> tuple[float, ...] | None:
    """The mood weights one tag carries (unscaled by its count), or None when it says nothing."""
    spans = _words(tag, lex.emoji)
    words = [word for word, _, _ in spans]
    if not words or _ignored(" ".join(words), lex):
        return None
    whole = _lookup(words, lex)
    if whole is not None:
        return whole
    found = _matches(tag, spans, lex)
    if not found:
        return None
    # One crowd tag is one vote: several entries inside it share it.
    return tuple(
        PARTIAL_MATCH_FACTOR * sum(weights[index] for _, weights in found) / len(found)
        for index in range(len(MOODS))
    )


def moods_from_tags(tags: Sequence[tuple[str, float]]) -> MoodEstimate | None:
    """Read (tag, Last.fm count 0-100) pairs; None when no tag matched the lexicon."""
    lex = lexicon()
    scored = []
    for tag, count in tags:
        vector = _tag_vector(tag, lex)
        if vector is not None:
            strength = tag_strength(float(count))
            scored.append((tag.strip(), [value * strength for value in vector]))
    return _estimate(scored)


def moods_from_text(text: str) -> MoodEstimate | None:
    """Read a playlist name or other short text ("sad songs", "canciones tristes", "gym 2024");
    None when it names no mood ("My playlist #3", "Discover Weekly")."""
    lex = lexicon()
    spans = _words(text, lex.emoji)
    if not spans or _ignored(" ".join(word for word, _, _ in spans), lex):
        return None
    return _estimate(_matches(text, spans, lex))

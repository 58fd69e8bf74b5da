"""Tests for the mood lexicon: tags and playlist names to the four music moods."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from library.lexicon import (
    LEXICON_PATH,
    MoodEstimate,
    lexicon,
    moods_from_tags,
    moods_from_text,
    normalise,
)
from library.moodspace import MOODS


def _sums_to_one(estimate: MoodEstimate) -> None:
    assert set(estimate.distribution) == set(MOODS)
    assert sum(estimate.distribution.values()) == pytest.approx(1.0)
    assert all(0.0 <= share <= 1.0 for share in estimate.distribution.values())
    assert 0.0 < estimate.confidence <= 1.0


def test_the_data_file_loads_with_both_languages_genres_and_ignores() -> None:
    lex = lexicon()
    for key in ("melancholy", "triste", "tranquilo", "alegre", "fiesta", "metal", "lo fi"):
        assert key in lex.terms, key
    assert "seen live" in lex.ignore
    assert "love" in lex.ignore
    assert len(lex.terms) > 400
    assert all(len(weights) == len(MOODS) for weights in lex.terms.values())
    assert all(sum(weights) > 0 for weights in lex.terms.values())


def test_the_data_file_has_no_key_twice_after_normalising() -> None:
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    keys = [normalise(phrase) for group in data["terms"].values() for phrase in group]
    assert len(keys) == len(set(keys))


def test_it_imports_without_django() -> None:
    code = "import sys, library.lexicon as l; assert 'django' not in sys.modules; l.lexicon()"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Lo-Fi", "lo fi"),
        ("lo_fi", "lo fi"),
        ("Canción  TRISTE", "cancion triste"),
        ("rock'n'roll", "rocknroll"),
        ("R&B", "r and b"),
        ("singer/songwriter", "singer songwriter"),
    ],
)
def test_it_normalises_case_accents_and_separators(text: str, key: str) -> None:
    assert normalise(text) == key


@pytest.mark.parametrize(
    ("tags", "mood"),
    [
        ([("sad", 100), ("melancholy", 60)], "sad"),
        ([("triste", 100), ("melancolía", 50)], "sad"),
        ([("happy", 100), ("upbeat", 80), ("summer", 40)], "happy"),
        ([("alegre", 100), ("fiesta", 70)], "happy"),
        ([("chill", 100), ("relaxing", 80)], "calm"),
        ([("tranquilo", 100), ("relajante", 60)], "calm"),
        ([("aggressive", 100), ("angry", 50)], "energetic"),
        ([("rabia", 100)], "energetic"),
    ],
)
def test_mood_words_in_english_and_spanish(tags: list[tuple[str, int]], mood: str) -> None:
    estimate = moods_from_tags(tags)
    assert estimate is not None
    assert estimate.mood == mood
    _sums_to_one(estimate)


@pytest.mark.parametrize(
    ("genre", "high_energy"),
    [
        ("metal", True),
        ("punk", True),
        ("hardcore", True),
        ("dance", True),
        ("edm", True),
        ("reggaeton", True),
        ("ambient", False),
        ("acoustic", False),
        ("lo-fi", False),
        ("classical", False),
        ("folk", False),
        ("singer-songwriter", False),
    ],
)
def test_genre_words_carry_energy(genre: str, high_energy: bool) -> None:
    estimate = moods_from_tags([(genre, 100)])
    assert estimate is not None
    energy = estimate.distribution["happy"] + estimate.distribution["energetic"]
    assert (energy > 0.5) is high_energy, (genre, estimate.distribution)


@pytest.mark.parametrize(
    ("tag", "mood"),
    [("comedy", "happy"), ("lively", "happy"), ("political", "energetic"), ("garage", "energetic")],
)
def test_common_genre_and_descriptor_tags_are_read(tag: str, mood: str) -> None:
    estimate = moods_from_tags([(tag, 100)])
    assert estimate is not None, tag
    assert estimate.mood == mood


def test_texture_words_do_not_lean_calm_over_sad() -> None:
    for tag in ("beautiful", "ambient", "new age"):
        distribution = moods_from_tags([(tag, 100)]).distribution
        assert distribution["calm"] == pytest.approx(distribution["sad"]), tag
    assert moods_from_tags([("indie", 100)]) is not None
    assert moods_from_tags([("experimental", 100)]) is not None


def test_metal_is_tense_and_dance_is_happy() -> None:
    assert moods_from_tags([("death metal", 100)]).mood == "energetic"
    assert moods_from_tags([("dance", 100), ("disco", 50)]).mood == "happy"


def test_junk_tags_are_ignored() -> None:
    junk = [
        ("seen live", 100),
        ("favorites", 90),
        ("Favourite", 80),
        ("albums i own", 70),
        ("00s", 60),
        ("1987", 50),
        ("male vocalists", 40),
        ("love", 30),
        ("8 of 10 stars", 20),
        ("the word girl", 10),
    ]
    assert moods_from_tags(junk) is None
    with_one_mood = moods_from_tags([*junk, ("sad", 5)])
    assert with_one_mood is not None
    assert with_one_mood.evidence == ("sad",)
    assert with_one_mood.distribution["sad"] == pytest.approx(1.0)


def test_nothing_matched_gives_none() -> None:
    assert moods_from_tags([]) is None
    assert moods_from_tags([("joni mitchell", 100), ("canadian", 40)]) is None


def test_a_tag_that_contains_a_mood_word_counts_less_than_the_word_itself() -> None:
    exact = moods_from_tags([("mellow", 100)])
    inside = moods_from_tags([("best of mellow", 100)])
    assert exact is not None
    assert inside is not None
    assert inside.distribution == pytest.approx(exact.distribution)
    assert inside.confidence < exact.confidence
    assert inside.evidence == ("best of mellow",)


def test_negation_drops_the_word() -> None:
    assert moods_from_text("not sad") is None
    assert moods_from_tags([("not happy", 100)]) is None


def test_more_and_stronger_agreeing_tags_give_higher_confidence() -> None:
    weak = moods_from_tags([("sad", 20)])
    strong = moods_from_tags([("sad", 100)])
    more = moods_from_tags([("sad", 100), ("depressing", 80), ("heartbreak", 60)])
    assert weak.confidence < strong.confidence < more.confidence
    assert more.confidence <= 1.0


def test_mixed_tags_give_lower_confidence_than_agreeing_ones() -> None:
    agreeing = moods_from_tags([("sad", 100), ("melancholy", 100)])
    mixed = moods_from_tags([("sad", 100), ("happy", 100)])
    assert mixed.confidence < agreeing.confidence


def test_evidence_is_the_original_tags_strongest_first() -> None:
    estimate = moods_from_tags(
        [("Mellow", 100), ("seen live", 100), ("Melancholy", 40), ("sad", 100)]
    )
    assert estimate.mood == "sad"
    assert estimate.evidence == ("sad", "Melancholy", "Mellow")


@pytest.mark.parametrize(
    ("name", "mood"),
    [
        ("sad songs", "sad"),
        ("Sad Songs 😢", "sad"),
        ("canciones tristes", "sad"),
        ("Canciones Tristes", "sad"),
        ("para llorar", "sad"),
        ("Rainy Days", "sad"),
        ("Chill vibes 🌧", "calm"),
        ("chill", "calm"),
        ("música tranquila", "calm"),
        ("sleep", "calm"),
        ("gym 2024", "energetic"),
        ("WORKOUT", "energetic"),
        ("entrenamiento 💪", "energetic"),
        ("fiesta", "happy"),
        ("Good Vibes Only", "happy"),
        ("happy happy joy joy", "happy"),
        ("metal", "energetic"),
    ],
)
def test_playlist_names_say_a_mood(name: str, mood: str) -> None:
    estimate = moods_from_text(name)
    assert estimate is not None, name
    assert estimate.mood == mood, (name, estimate.distribution)
    _sums_to_one(estimate)


@pytest.mark.parametrize(
    "name",
    [
        "My playlist #3",
        "Discover Weekly",
        "Release Radar",
        "Liked Songs",
        "Daily Mix 2",
        "2019",
        "Mis favoritas",
        "",
        "🎵🎶",
    ],
)
def test_playlist_names_without_a_mood_give_none(name: str) -> None:
    assert moods_from_text(name) is None


def test_playlist_evidence_quotes_the_name_as_written() -> None:
    estimate = moods_from_text("Lo-Fi beats to study to")
    assert set(estimate.evidence) == {"Lo-Fi", "study"}
    assert moods_from_text("Rainy Days").evidence == ("Rainy Days",)
    assert moods_from_text("canciones tristes").evidence == ("canciones tristes",)


def test_accents_are_optional_in_spanish() -> None:
    with_accent = moods_from_text("melancolía")
    without = moods_from_text("melancolia")
    assert with_accent is not None
    assert with_accent.distribution == without.distribution
    assert moods_from_text("otoño").distribution == moods_from_text("otono").distribution


def test_the_estimate_is_frozen() -> None:
    estimate = moods_from_text("sad")
    with pytest.raises(AttributeError):
        estimate.confidence = 1.0  # type: ignore[misc]

"""The offline simulation in bench/recommendations.py: seeded, honest baselines, one JSON object."""

import json
from dataclasses import replace

import numpy as np
import pytest

from bench import recommendations as bench
from recommendations.ranking import SOURCE_INDEX

TINY = bench.Scenario(listeners=2, library=120, catalogue=400, curated=0.3, rate=0.5)


@pytest.fixture
def tiny(monkeypatch) -> None:
    """One seed of tiny scenarios: the mechanics, in a few seconds."""
    monkeypatch.setattr(bench, "SCENARIOS", {"tiny": TINY, "solo": replace(TINY, listeners=1)})
    monkeypatch.setattr(bench, "REPORT_SEEDS", (3,))


def test_the_simulation_is_deterministic_and_scores_every_system(tiny) -> None:
    first = bench.evaluate("tiny", seeds=(3,))
    again = bench.evaluate("tiny", seeds=(3,))
    other = bench.evaluate("tiny", seeds=(4,))

    assert first == again
    assert first["ranker"]["ndcg10"] != other["ranker"]["ndcg10"]
    for system in bench.SYSTEMS:
        assert len(first[system]["ndcg10"]) == bench.ROUNDS
        assert 0 <= first[system]["ndcg10_round10"] <= 1
    # Random picks see every mood evidence state; the mood filters only ever pick known moods.
    assert first["mood_filter"]["known_mood_share"] >= first["random"]["known_mood_share"]


def test_the_json_mode_prints_one_object_with_the_issues_keys(tiny, capsys) -> None:
    assert bench.main(["--json"]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert set(printed["scenarios"]) == {"tiny", "solo"}
    assert set(printed["scenarios"]["tiny"]) == {
        "random_ndcg10_round10",
        "best_baseline",
        "best_baseline_ndcg10_round10",
        "ranker_ndcg10_round10",
        "ranker_ci95",
        "repeat_rate",
        "known_mood_share",
    }
    assert printed["scenarios"]["tiny"]["best_baseline"] in bench.BASELINES


def test_hidden_tastes_do_not_come_from_the_rules() -> None:
    noise = bench.mood_noise()
    world = bench.make_world(bench.SCENARIOS["community"], 1, noise)

    kinds = set(world.kinds)
    assert {"matching", "lifting"} <= kinds
    # Listeners of one type still differ from each other.
    matching = world.taste[[i for i, kind in enumerate(world.kinds) if kind == "matching"]]
    assert matching.std(axis=0).mean() > 0.1
    # Observed moods follow the measured confusion, not the truth.
    tags = world.evidence[2] == SOURCE_INDEX["tags"]
    observed, truth = world.evidence[1][tags], world.mood[world.evidence[0][tags]]
    assert 0.25 < np.mean(observed == truth) < 0.8


def test_the_plot_is_a_png(tiny, tmp_path) -> None:
    results = bench.simulation(seeds=(3,))
    path = bench.plot(results, tmp_path / "simulation.png")

    assert path.read_bytes().startswith(b"\x89PNG")


def test_top_tracks_lean_toward_what_a_listener_likes_without_being_it() -> None:
    from recommendations.ranking import PICK_SOURCES

    noise = bench.mood_noise()
    world = bench.make_world(bench.SCENARIOS["devmode"], 1, noise)
    neutral = 6  # ml.labels.EMOTIONS

    for listener in range(world.scenario.listeners):
        top = world.pick_source[listener] != PICK_SOURCES.index("liked")
        # 50 per time range, overlapping.
        assert bench.TOP_TRACKS < top.sum() <= 3 * bench.TOP_TRACKS
        stars = bench.expected_stars(world, listener, neutral)
        assert stars[top].mean() > stars[~top].mean() + 0.2
        # Plays are noisy: some top tracks are below the listener's median song.
        assert np.mean(stars[top] < np.median(stars)) > 0.05

    silent = bench.make_world(replace(bench.SCENARIOS["devmode"], listen_sd=None), 1, noise)
    assert (silent.pick_source == PICK_SOURCES.index("liked")).all()
    assert (silent.mood == world.mood).all()  # the same world otherwise


def test_the_sensitivity_covers_no_top_tracks(tiny, monkeypatch) -> None:
    monkeypatch.setattr(bench, "TOP_TRACKS", 8)  # of 120 songs, as 50 of 2,000 are few
    result = bench.sensitivity(seeds=(3, 4))

    assert set(result) == {"1", "2", "3", "none"}
    assert all(row["paired_best"].startswith(" (paired 95 % CI") for row in result.values())
    # Top tracks from plays that follow liking closely beat random; with none they are random.
    quiet = bench.evaluate("tiny", seeds=(3, 4), scenario=replace(TINY, listen_sd=1.0))
    none = bench.evaluate("tiny", seeds=(3, 4), scenario=replace(TINY, listen_sd=None))
    assert quiet["top_first"]["ndcg10_round10"] > quiet["random"]["ndcg10_round10"] + 0.1
    assert abs(none["top_first"]["ndcg10_round10"] - none["random"]["ndcg10_round10"]) < 0.1


def test_genre_families_split_artist_taste_and_are_seen_through_noisy_tags() -> None:
    world = bench.make_world(bench.SCENARIOS["devmode"], 2, bench.mood_noise())

    # Artists still vary as much as ARTIST_SD says, with a family part shared inside a family.
    assert abs(world.artist_taste.std() - bench.ARTIST_SD) < 0.05
    seen = world.tag_cluster >= 0
    assert abs(seen.mean() - bench.CLUSTER_FOUND) < 0.03
    assert set(np.unique(world.tag_cluster[seen])) == set(range(bench.GENRES))
    # Songs by one artist mostly share their observed family, but not always (tags are noisy).
    by_artist = world.tag_cluster[(world.artist == 0) & seen]  # the most popular artist
    agree = np.mean(by_artist == np.bincount(by_artist).argmax())
    assert 0.6 < agree < 1.0

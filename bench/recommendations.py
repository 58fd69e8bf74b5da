"""Recommendation quality (offline simulation, mood filter vs full ranker) and ranking latency.

`python -m bench.recommendations --json` prints one JSON object; `python -m bench` includes it in
docs/BENCHMARKS.md and draws docs/img/recommendations_simulation.png.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PLOT = ROOT / "docs" / "img" / "recommendations_simulation.png"

SEED = 20261121
USERS = 60
CATALOGUE = 2000
LIBRARY = 300
ARTISTS = 250
ROUNDS = 30
TOP_N = 10
CURATED_FRACTION = 0.3
RATE_PROBABILITY = 0.5
REPORT_ROUND = 10
# Readings are mostly neutral, happy and sad; the rest are rarer.
EMOTION_MIX = {
    "angry": 0.07,
    "disgust": 0.03,
    "fear": 0.05,
    "happy": 0.3,
    "sad": 0.2,
    "surprise": 0.05,
    "neutral": 0.3,
}
LATENCY_TRACKS = 10_000
LATENCY_RUNS = 100
LATENCY_WARMUP = 3


@dataclass
class World:
    """The hidden truth: track moods and quality, users' tastes. The ranker never sees it."""

    mood: np.ndarray  # (CATALOGUE,) true music mood index
    quality: np.ndarray  # (CATALOGUE,) shared across listeners
    artist: np.ndarray  # (CATALOGUE,)
    curated: np.ndarray  # (CATALOGUE,) bool: in a curator's playlist of its true mood
    libraries: list[np.ndarray]  # per user: catalogue indices, sorted
    strategies: list[str]
    taste: np.ndarray  # (USERS, 7, 4) how much each user likes each mood in each emotion
    artist_taste: np.ndarray  # (USERS, ARTISTS)
    quirk: np.ndarray  # (USERS, LIBRARY) per user and library track
    emotion_sequences: np.ndarray  # (USERS, ROUNDS) emotion index per round


def make_world(seed: int) -> World:
    from ml.labels import EMOTIONS
    from recommendations.rules import DEFAULT_RULES, target_vector

    rng = np.random.default_rng(seed)
    strategies = [("match", "lift")[i % 2] for i in range(USERS)]
    taste = np.zeros((USERS, len(EMOTIONS), 4))
    for user, strategy in enumerate(strategies):
        for e, emotion in enumerate(EMOTIONS):
            rule = target_vector(dict(DEFAULT_RULES[strategy][emotion]))
            # The rules are right on average; each listener deviates from them.
            taste[user, e] = rule + rng.normal(0.0, 0.7, size=4)
    mix = np.array([EMOTION_MIX[name] for name in EMOTIONS])
    return World(
        mood=rng.integers(0, 4, size=CATALOGUE),
        quality=rng.normal(0.0, 0.5, size=CATALOGUE),
        artist=rng.integers(0, ARTISTS, size=CATALOGUE),
        curated=rng.random(CATALOGUE) < CURATED_FRACTION,
        libraries=[
            np.sort(rng.choice(CATALOGUE, size=LIBRARY, replace=False)) for _ in range(USERS)
        ],
        strategies=strategies,
        taste=taste,
        artist_taste=rng.normal(0.0, 0.4, size=(USERS, ARTISTS)),
        quirk=rng.normal(0.0, 0.4, size=(USERS, LIBRARY)),
        emotion_sequences=rng.choice(len(EMOTIONS), size=(USERS, ROUNDS), p=mix),
    )


def expected_stars(world: World, user: int, emotion: int) -> np.ndarray:
    """What the user would rate each of their library tracks in this emotion, on average."""
    tracks = world.libraries[user]
    utility = (
        world.taste[user, emotion, world.mood[tracks]]
        + world.quality[tracks]
        + world.artist_taste[user, world.artist[tracks]]
        + world.quirk[user]
    )
    return np.clip(2.6 + 1.3 * utility, 1.0, 5.0)


def ndcg_at(shown: np.ndarray, gains: np.ndarray, k: int = TOP_N) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(np.sum(gains[shown[:k]] * discounts[: len(shown[:k])]))
    ideal = float(np.sum(np.sort(gains)[::-1][:k] * discounts))
    return dcg / ideal if ideal > 0 else 0.0


@dataclass
class RatingLog:
    """Every rating given so far, the way the database would hold it."""

    by_user: list[list[tuple[int, int, float]]]  # (catalogue track, emotion, stars)
    contexts: dict[int, list[tuple[np.ndarray, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # per track: (rule targets when rated, stars)
    # Per emotion and track, as feedback.selectors.crowd_evidence counts them: listeners who
    # rated it, and the sum of each listener's average stars.
    crowd_count: np.ndarray = field(default_factory=lambda: np.zeros((7, CATALOGUE)))
    crowd_stars: np.ndarray = field(default_factory=lambda: np.zeros((7, CATALOGUE)))


def mood_evidence(world: World, log: RatingLog | None) -> tuple[np.ndarray, np.ndarray]:
    """Catalogue mood distributions from curated playlists and (if learning) ratings."""
    from feedback.evidence import ratings_mood_evidence
    from recommendations.ranking import SOURCE_INDEX, mood_distributions

    curated = np.flatnonzero(world.curated)
    tracks = [curated]
    moods = [world.mood[curated]]
    sources = [np.full(len(curated), SOURCE_INDEX["curated"])]
    scores = [np.ones(len(curated))]
    weights = [np.ones(len(curated))]
    for track, rated in log.contexts.items() if log else []:
        score, weight, amount = ratings_mood_evidence(
            stars=np.array([stars for _, stars in rated]),
            targets=np.array([targets for targets, _ in rated]),
        )
        present = np.flatnonzero(amount > 0)
        tracks.append(np.full(len(present), track))
        moods.append(present)
        sources.append(np.full(len(present), SOURCE_INDEX["ratings"]))
        scores.append(score[present])
        weights.append(weight[present])
    return mood_distributions(
        n_tracks=CATALOGUE,
        track_index=np.concatenate(tracks),
        mood_index=np.concatenate(moods),
        source_index=np.concatenate(sources),
        score=np.concatenate(scores),
        weight=np.concatenate(weights),
    )


def simulate(*, seed: int = SEED, learning: bool, weights: Any = None) -> dict[str, list[float]]:
    """Rounds of recommend → rate for every user; NDCG@10 and mean stars per round."""
    from ml.labels import EMOTIONS
    from recommendations.ranking import (
        DEFAULT_WEIGHTS,
        MOOD_FILTER_WEIGHTS,
        RankingInput,
        UserRatings,
        rank,
        recent_exposure,
    )
    from recommendations.rules import DEFAULT_RULES, target_vector

    world = make_world(seed)
    weights = weights or (DEFAULT_WEIGHTS if learning else MOOD_FILTER_WEIGHTS)
    rng = np.random.default_rng(seed + (1 if learning else 2))
    raters = np.random.default_rng(seed + 3)  # the same listeners' noise for both systems
    log = RatingLog(by_user=[[] for _ in range(USERS)])
    shown_history: list[list[np.ndarray]] = [[] for _ in range(USERS)]
    own_count = np.zeros((USERS, 7, CATALOGUE))
    own_stars = np.zeros((USERS, 7, CATALOGUE))

    def own_mean(user: int, emotion: int) -> np.ndarray:
        """The user's average stars per track in this emotion (0 where unrated)."""
        count = own_count[user, emotion]
        return np.divide(own_stars[user, emotion], count, out=np.zeros(CATALOGUE), where=count > 0)

    ndcg, stars_mean = [], []
    dist, confidence = mood_evidence(world, None)
    for round_ in range(ROUNDS):
        if learning:
            dist, confidence = mood_evidence(world, log)
        round_ndcg, round_stars, new_ratings = [], [], []
        for user in range(USERS):
            library = world.libraries[user]
            emotion = int(world.emotion_sequences[user, round_])
            strategy = world.strategies[user]
            targets = target_vector(dict(DEFAULT_RULES[strategy][EMOTIONS[emotion]]))
            rated = log.by_user[user]
            position = np.searchsorted(library, [t for t, _, _ in rated]).astype(np.int64)
            data = RankingInput(
                target=targets,
                mood_dist=dist[library],
                mood_confidence=confidence[library],
                artist_keys=world.artist[library],
                user=UserRatings(
                    position=position,
                    stars=np.array([s for _, _, s in rated], dtype=float),
                    same_emotion=np.array([e == emotion for _, e, _ in rated], dtype=bool),
                ),
                crowd_count=log.crowd_count[emotion, library]
                - (own_count[user, emotion] > 0)[library],
                crowd_stars=log.crowd_stars[emotion, library] - own_mean(user, emotion)[library],
                recent=recent_exposure(
                    [np.searchsorted(library, shown) for shown in shown_history[user][::-1][:5]],
                    n_tracks=LIBRARY,
                    decay=weights.recent_decay,
                ),
            )
            picked = rank(data, n=TOP_N, weights=weights, rng=rng).indices
            expected = expected_stars(world, user, emotion)
            given = np.clip(np.rint(expected[picked] + raters.normal(0, 0.6, TOP_N)), 1, 5)
            round_ndcg.append(ndcg_at(picked, expected - 1.0))
            round_stars.append(float(given.mean()))
            shown_history[user].append(library[picked])
            submitted = raters.random(TOP_N) < RATE_PROBABILITY
            for index, stars in zip(picked[submitted], given[submitted], strict=True):
                new_ratings.append((user, int(library[index]), emotion, float(stars), targets))
        # Ratings land after the round, as if every listener rated at the same time.
        for user, track, emotion, stars, targets in new_ratings:
            log.by_user[user].append((track, emotion, stars))
            log.contexts[track].append((targets, stars))
            before = own_mean(user, emotion)[track]
            log.crowd_count[emotion, track] += own_count[user, emotion, track] == 0
            own_count[user, emotion, track] += 1
            own_stars[user, emotion, track] += stars
            log.crowd_stars[emotion, track] += own_mean(user, emotion)[track] - before
        ndcg.append(float(np.mean(round_ndcg)))
        stars_mean.append(float(np.mean(round_stars)))
    return {"ndcg10": ndcg, "mean_stars": stars_mean}


def simulation(seed: int = SEED) -> dict[str, Any]:
    _setup_django()
    baseline = simulate(seed=seed, learning=False)
    ranker = simulate(seed=seed, learning=True)
    at = REPORT_ROUND - 1
    return {
        "seed": seed,
        "users": USERS,
        "library_size": LIBRARY,
        "rounds": ROUNDS,
        "baseline_ndcg10_round10": round(baseline["ndcg10"][at], 4),
        "ranker_ndcg10_round10": round(ranker["ndcg10"][at], 4),
        "ndcg10_margin_round10": round(ranker["ndcg10"][at] - baseline["ndcg10"][at], 4),
        "baseline_mean_stars_round10": round(baseline["mean_stars"][at], 3),
        "ranker_mean_stars_round10": round(ranker["mean_stars"][at], 3),
        "baseline_ndcg10_round30": round(baseline["ndcg10"][-1], 4),
        "ranker_ndcg10_round30": round(ranker["ndcg10"][-1], 4),
        "baseline_ndcg10": [round(v, 4) for v in baseline["ndcg10"]],
        "ranker_ndcg10": [round(v, 4) for v in ranker["ndcg10"]],
        "baseline_mean_stars": [round(v, 3) for v in baseline["mean_stars"]],
        "ranker_mean_stars": [round(v, 3) for v in ranker["mean_stars"]],
    }


def plot(results: dict[str, Any], path: Path = PLOT) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = np.arange(1, results["rounds"] + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for axis, key, label in ((left, "ndcg10", "NDCG@10"), (right, "mean_stars", "mean stars")):
        axis.plot(rounds, results[f"baseline_{key}"], "o-", ms=3, label="mood filter only")
        axis.plot(rounds, results[f"ranker_{key}"], "s-", ms=3, label="full ranker")
        axis.axvline(REPORT_ROUND, color="grey", ls=":", lw=1)
        axis.set_xlabel("round")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(
        f"{results['users']} simulated listeners, {results['library_size']}-track libraries"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _seed_library(n_tracks: int, rng: np.random.Generator) -> Any:
    """A listener with an n-track library, curated and rated evidence, and other raters."""
    from accounts.models import User
    from feedback.evidence import ratings_changed
    from feedback.models import Rating
    from library.models import LibraryEntry, Track, TrackMood
    from ml.labels import EMOTIONS
    from recommendations.rules import MOODS
    from recommendations.services import recommendation_create

    user = User.objects.create(username="bench-listener")
    others = User.objects.bulk_create([User(username=f"bench-other-{i}") for i in range(20)])
    Track.objects.bulk_create(
        [
            Track(
                spotify_id=f"bench{i:017d}",
                name=f"Bench song {i}",
                artist_names=f"Bench artist {i % 900}",
            )
            for i in range(n_tracks)
        ],
        batch_size=1000,
    )
    track_ids = list(Track.objects.order_by("pk").values_list("pk", flat=True))
    LibraryEntry.objects.bulk_create(
        [LibraryEntry(user=user, track_id=pk, liked=True) for pk in track_ids], batch_size=1000
    )
    curated = rng.choice(track_ids, size=n_tracks * 3 // 10, replace=False)
    TrackMood.objects.bulk_create(
        [
            TrackMood(track_id=int(pk), mood=MOODS[int(rng.integers(4))], source="curated", score=1)
            for pk in curated
        ],
        batch_size=1000,
    )
    rated = [int(pk) for pk in rng.choice(track_ids, size=1000, replace=False)]
    Rating.objects.bulk_create(
        [
            Rating(
                user=others[int(rng.integers(len(others)))],
                track_id=pk,
                emotion=EMOTIONS[int(rng.integers(len(EMOTIONS)))],
                strategy=("match", "lift")[int(rng.integers(2))],
                stars=int(rng.integers(1, 6)),
            )
            for pk in rated
            for _ in range(2)
        ],
        batch_size=1000,
    )
    Rating.objects.bulk_create(
        [
            Rating(user=user, track_id=pk, emotion="sad", strategy="lift", stars=4)
            for pk in rated[:200]
        ]
    )
    ratings_changed(track_ids=rated)
    for _ in range(5):  # recently shown lists, for the recency penalty
        recommendation_create(user=user, emotion="sad", strategy="lift")
    return user


def latency(n_tracks: int = LATENCY_TRACKS, runs: int = LATENCY_RUNS) -> dict[str, Any]:
    """recommendation_create for an n-track library, in a throwaway test database."""
    _setup_django()
    from django.conf import settings
    from django.db import connection

    from recommendations.services import recommendation_create

    with tempfile.TemporaryDirectory() as folder:
        if connection.vendor == "sqlite":
            test_settings = settings.DATABASES["default"].setdefault("TEST", {})
            test_settings["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            user = _seed_library(n_tracks, np.random.default_rng(SEED))
            # Start from a collected heap, as a web process between requests would be.
            gc.collect()
            timings, cpu = [], []
            for run in range(LATENCY_WARMUP + runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                recommendation_create(
                    user=user, emotion=("sad", "happy")[run % 2], strategy="lift", seed=run
                )
                if run >= LATENCY_WARMUP:
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
            vendor = connection.vendor
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "latency_tracks": n_tracks,
        "latency_runs": runs,
        "latency_database": vendor,
        "latency_ms_p50": round(statistics.median(timings), 2),
        "latency_ms_p95": round(float(np.percentile(timings, 95)), 2),
        "latency_ms_max": round(max(timings), 2),
        # CPU time of this process: what the call costs when it has a core to itself.
        "latency_cpu_ms_p50": round(statistics.median(cpu), 2),
        "latency_cpu_ms_p95": round(float(np.percentile(cpu, 95)), 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def latency_in_fresh_process() -> dict[str, Any]:
    """`latency()` in a new interpreter: other benchmarks' heaps and threads must not count."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.recommendations", "--json", "--latency-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def _markdown(results: dict[str, Any], plot_path: Path) -> str:
    columns = ("baseline_ndcg10", "ranker_ndcg10", "baseline_mean_stars", "ranker_mean_stars")
    rows = "\n".join(
        f"| {r} | " + " | ".join(f"{results[key][r - 1]:.3f}" for key in columns) + " |"
        for r in (1, 2, 5, 10, 15, 20, 30)
    )
    relative = plot_path.relative_to(ROOT / "docs").as_posix()
    return f"""
Offline simulation (seed {results["seed"]}): {results["users"]} synthetic listeners, each with a
{results["library_size"]}-track library drawn from a {CATALOGUE}-track catalogue
({int(CURATED_FRACTION * 100)} % of it in curated mood playlists). Each listener has hidden
tastes per emotion and mood (the default rules plus a personal deviation), per artist and per
track; songs have a shared quality. Every round each listener gets a reading (emotions mostly
neutral, happy, sad), is recommended {TOP_N} songs and rates each with probability
{RATE_PROBABILITY} (expected stars plus noise). **Mood filter only** ranks by the mood fit of
curated evidence; the **full ranker** is `recommendations.ranking.rank` with the shipped weights,
fed the ratings the same way the database would (affinity, crowd, rating-based mood evidence,
Thompson exploration, recency). NDCG@10 uses each listener's expected stars minus 1 as gain.

| round | NDCG@10 mood filter | NDCG@10 ranker | mean ★ mood filter | mean ★ ranker |
| --- | --- | --- | --- | --- |
{rows}

At round {REPORT_ROUND} the ranker is ahead by **{results["ndcg10_margin_round10"]:+.3f} NDCG@10**
({results["baseline_ndcg10_round10"]:.3f} → {results["ranker_ndcg10_round10"]:.3f}) and
{results["ranker_mean_stars_round10"] - results["baseline_mean_stars_round10"]:+.2f} stars.

![NDCG@10 and mean stars per round]({relative})

Latency of `recommendation_create` (rank, reasons and storing the list) for a
{results["latency_tracks"]:,}-track library with 3,000 curated tracks, 2,000 other listeners'
ratings and 200 of the listener's own, {results["latency_runs"]} runs after {LATENCY_WARMUP}
warm-up runs in a fresh process, database `{results["latency_database"]}`:

| statistic | wall ms | CPU ms of this process |
| --- | --- | --- |
| p50 | {results["latency_ms_p50"]:.1f} | {results["latency_cpu_ms_p50"]:.1f} |
| p95 | {results["latency_ms_p95"]:.1f} | {results["latency_cpu_ms_p95"]:.1f} |
| max | {results["latency_ms_max"]:.1f} | |

Wall time includes waiting for a core: the 1-minute load average was
{results["load_average_1min"]} at the end of the run on a machine with {os.cpu_count()} logical
CPUs. With SQLite the database work runs in this process, so its CPU time is the cost of a call
on an idle core.
"""


def run() -> dict[str, Any]:
    """The bench protocol (bench/__main__.py): title and Markdown for docs/BENCHMARKS.md."""
    results = latency_in_fresh_process() | simulation()
    plot_path = plot(results)
    markdown = _markdown(results, plot_path)
    return {"title": "Recommendations: simulation and latency", "markdown": markdown, **results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recommendations", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-latency", action="store_true", help="skip the database benchmark")
    parser.add_argument("--latency-only", action="store_true", help="skip the simulation")
    parser.add_argument("--plot", type=Path, help="also draw the plot to this PNG")
    args = parser.parse_args(argv)
    # Latency first, in a fresh heap: the simulation's garbage would slow the collector down.
    results = {} if args.no_latency else latency()
    if not args.latency_only:
        results |= simulation(args.seed)
    if args.plot:
        plot(results, args.plot)
    if args.json or args.latency_only:
        print(json.dumps(results))
    else:
        print(_markdown(results, args.plot or PLOT))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())

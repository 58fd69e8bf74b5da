"""The offline simulation in bench/recommendations.py: seeded, and the ranker learns."""

import json

import pytest

from bench import recommendations as bench


@pytest.fixture(scope="module")
def results() -> dict:
    return bench.simulation()


def test_the_ranker_beats_the_mood_filter_by_round_ten(results) -> None:
    assert results["ranker_ndcg10_round10"] - results["baseline_ndcg10_round10"] > 0.05
    assert results["ranker_mean_stars_round10"] > results["baseline_mean_stars_round10"]
    assert results["ranker_ndcg10"][-1] > results["ranker_ndcg10"][0]
    assert len(results["ranker_ndcg10"]) == bench.ROUNDS == 30


@pytest.fixture
def small(monkeypatch) -> None:
    """A tenth of the simulation, for the tests that only check its mechanics."""
    monkeypatch.setattr(bench, "USERS", 6)
    monkeypatch.setattr(bench, "ROUNDS", 10)


def test_the_simulation_is_deterministic(small) -> None:
    assert bench.simulation(seed=5) == bench.simulation(seed=5)
    assert bench.simulation(seed=5) != bench.simulation(seed=6)


def test_the_json_mode_prints_one_object(small, capsys) -> None:
    assert bench.main(["--json", "--no-latency"]) == 0

    printed = json.loads(capsys.readouterr().out)
    assert {"baseline_ndcg10_round10", "ranker_ndcg10_round10"} <= set(printed)


def test_the_plot_is_a_png(results, tmp_path) -> None:
    path = bench.plot(results, tmp_path / "simulation.png")

    assert path.read_bytes().startswith(b"\x89PNG")

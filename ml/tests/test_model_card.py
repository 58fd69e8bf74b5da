"""The model card tells the whole recipe of a fine-tuned model, stage by stage."""

from __future__ import annotations

from pathlib import Path

from ml.model_card import render

BASE_ARGS = {
    "lr": 0.002,
    "weight_decay": 0.0001,
    "epochs": 36,
    "batch_size": 128,
    "seed": 1337,
    "ferplus_weight": 0.3,
    "patience": 10,
}


def test_a_fine_tuned_model_shows_both_stages(tmp_path: Path) -> None:
    first = {"epochs_run": 33, "best_epoch": 33, "args": BASE_ARGS, "parameters": 1000}
    second = {
        "epochs_run": 14,
        "best_epoch": 12,
        "parameters": 1000,
        "args": {
            **BASE_ARGS,
            "lr": 0.0006,
            "epochs": 14,
            "warmup_epochs": 1,
            "aug_strength": 0.5,
            "init_from": "ml/weights/emotion_cnn.keras",
        },
        "initialised_from": {"model_version": "cnn-parent000001", "training": first},
    }
    meta = {
        "model_version": "cnn-child0000001",
        "tta": "flip_shift1",
        "training": second,
        "metrics": {},
    }

    card = render(meta, tmp_path / "emotion_cnn.keras")

    stage1, stage2 = card.index("**Stage 1: from random weights.**"), card.index("**Stage 2")
    assert stage1 < stage2
    assert "`cnn-parent000001`" in card[stage2:]
    assert "peak learning rate 0.002, weight decay 0.0001, 2 warm-up" in card[stage1:stage2]
    assert "peak learning rate 0.0006" in card[stage2:]
    assert "1 warm-up epoch(s) then cosine decay over 14 epochs" in card[stage2:]
    # Half-strength augmentation is spelled out with its halved ranges.
    assert "strength 0.5 of the full recipe" in card[stage2:]
    assert "rotation ±6°" in card[stage2:]
    assert "10 views" in card


def test_a_model_trained_once_has_no_stages(tmp_path: Path) -> None:
    meta = {"tta_flip": True, "training": {"args": BASE_ARGS, "epochs_run": 3, "best_epoch": 3}}

    card = render(meta, tmp_path / "emotion_cnn.keras")

    assert "Stage" not in card
    assert "rotation ±12°" in card
    assert "(2 views)" in card


def test_the_card_carries_the_latest_inference_figures(tmp_path: Path) -> None:
    from ml.model_card import inference_figures

    bench = tmp_path / "BENCHMARKS.md"
    assert inference_figures(bench) == []  # no bench run yet
    bench.write_text(
        "## Emotion inference\n\ntext\n\n| target | measured | previous pipeline | |\n"
        "| --- | --- | --- | --- |\n| p50 per frame ≤ 10 ms | 9.5 ms | 21.4 ms | meets |\n\nafter\n"
    )
    table = inference_figures(bench)
    assert len(table) == 3
    assert table[-1].startswith("| p50 per frame")

"""ml.average: weight averaging of checkpoints, and BatchNorm statistics re-estimated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.timeout(600)


def _tiny(seed: int):
    import keras

    from ml.model import build_model

    keras.utils.set_random_seed(seed)
    return build_model(widths=(4, 8), dense_units=8)


def test_the_average_of_two_checkpoints_and_its_batchnorm_statistics(tmp_path: Path) -> None:
    import keras

    from ml import average

    a, b = _tiny(1), _tiny(2)
    a.save(tmp_path / "a.keras")
    b.save_weights(tmp_path / "b.weights.h5")  # per-epoch backups are weights-only files

    model, sets = average.load_weight_sets([tmp_path / "a.keras", tmp_path / "b.weights.h5"])
    assert len(sets) == 2
    model.set_weights([np.mean(pair, axis=0) for pair in zip(*sets, strict=True)])
    kernel = model.get_layer("s0_conv0").get_weights()[0]
    np.testing.assert_allclose(
        kernel,
        (a.get_layer("s0_conv0").get_weights()[0] + b.get_layer("s0_conv0").get_weights()[0]) / 2,
        rtol=1e-6,
    )

    x = np.random.default_rng(0).random((300, 48, 48, 1), dtype=np.float32)
    assert average.recompute_batchnorm(model, x, batch_size=64) == 5  # 4 conv + 1 dense
    # The first BatchNorm's statistics are now its input's over x, channel by channel.
    bn = model.get_layer("s0_bn0")
    feed = keras.Model(model.inputs, bn.input)
    act = np.asarray(feed(x, training=False), np.float64).reshape(-1, 4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), act.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), act.var(0), rtol=1e-3, atol=1e-5)


def test_checkpoints_of_another_architecture_are_refused(tmp_path: Path) -> None:
    from ml import average
    from ml.model import build_model

    _tiny(1).save(tmp_path / "a.keras")
    build_model(widths=(4, 16), dense_units=8).save(tmp_path / "other.keras")

    code = average.main([str(tmp_path / "a.keras"), str(tmp_path / "other.keras"), "--out",
                         str(tmp_path / "avg.keras"), "--bn-images", "0"])  # fmt: skip
    assert code != 0
    assert not (tmp_path / "avg.keras").exists()

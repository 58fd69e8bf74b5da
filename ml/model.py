"""Model builders (Keras functional API). The network outputs logits; softmax is applied later."""

from __future__ import annotations

import keras
from keras import layers

from ml.labels import NUM_CLASSES
from ml.preprocess import INPUT_SIZE

DEFAULT_WIDTHS = (32, 64, 128, 256)


def build_model(
    input_shape: tuple[int, int, int] = (INPUT_SIZE, INPUT_SIZE, 1),
    num_classes: int = NUM_CLASSES,
    widths: tuple[int, ...] = DEFAULT_WIDTHS,
    convs_per_stage: int = 2,
    dense_units: int = 256,
    dropout: float = 0.4,
    weight_decay: float = 5e-5,
) -> keras.Model:
    """VGG-style CNN: stages of (conv-BN-ReLU) x n + max-pool, then GAP, dense, logits."""
    reg = keras.regularizers.L2(weight_decay) if weight_decay else None
    inputs = keras.Input(shape=input_shape, name="face")
    x = layers.Rescaling(4.0, offset=-2.0, name="center")(inputs)  # [0, 1] -> [-2, 2]
    for stage, width in enumerate(widths):
        for i in range(convs_per_stage):
            x = layers.Conv2D(
                width,
                3,
                padding="same",
                use_bias=False,
                kernel_regularizer=reg,
                name=f"s{stage}_conv{i}",
            )(x)
            x = layers.BatchNormalization(name=f"s{stage}_bn{i}")(x)
            x = layers.Activation("relu", name=f"s{stage}_relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"s{stage}_pool")(x)
        if stage >= 1:
            x = layers.SpatialDropout2D(0.1, name=f"s{stage}_drop")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(dense_units, use_bias=False, kernel_regularizer=reg, name="fc")(x)
    x = layers.BatchNormalization(name="fc_bn")(x)
    x = layers.Activation("relu", name="fc_relu")(x)
    x = layers.Dropout(dropout, name="fc_drop")(x)
    logits = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name="moodtrack_emotion_cnn")

"""Batch-level augmentation for the tf.data training pipeline (runs only while training)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # TensorFlow is imported where it runs, so the recipe reads without it
    import tensorflow as tf


def _affine_matrices(
    batch: tf.Tensor, size: int, max_rotate: float, max_shift: float, zoom: tuple[float, float]
) -> tf.Tensor:
    """Per-image output->input projective transforms: rotation, zoom, shift about the centre."""
    import tensorflow as tf

    angle = tf.random.uniform([batch], -max_rotate, max_rotate) * (math.pi / 180.0)
    scale = tf.random.uniform([batch], zoom[0], zoom[1])
    shift = tf.random.uniform([batch, 2], -max_shift, max_shift) * size
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    c = (size - 1) / 2.0
    tx = c - cos * c + sin * c - shift[:, 0]
    ty = c - (-sin) * c - cos * c - shift[:, 1]
    zeros = tf.zeros([batch])
    return tf.stack([cos, -sin, tx, sin, cos, ty, zeros, zeros], axis=1)


def augment_batch(
    images: tf.Tensor,
    *,
    max_rotate: float = 12.0,
    max_shift: float = 0.1,
    zoom: tuple[float, float] = (0.9, 1.15),
    brightness: float = 0.15,
    contrast: tuple[float, float] = (0.75, 1.3),
    erase_prob: float = 0.4,
    erase_max: float = 0.3,
) -> tf.Tensor:
    """Flip, rotate/shift/zoom, brightness/contrast and random erasing on a (B, H, W, 1) batch."""
    import tensorflow as tf

    batch = tf.shape(images)[0]
    size = images.shape[1]
    flip = tf.random.uniform([batch, 1, 1, 1]) < 0.5
    images = tf.where(flip, tf.reverse(images, axis=[2]), images)
    transforms = _affine_matrices(batch, size, max_rotate, max_shift, zoom)
    images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=[size, size],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="REFLECT",
    )
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    factor = tf.random.uniform([batch, 1, 1, 1], contrast[0], contrast[1])
    delta = tf.random.uniform([batch, 1, 1, 1], -brightness, brightness)
    images = (images - mean) * factor + mean + delta
    if erase_prob > 0:
        images = _random_erase(images, size, erase_prob, erase_max)
    return tf.clip_by_value(images, 0.0, 1.0)


def _random_erase(images: tf.Tensor, size: int, prob: float, max_frac: float) -> tf.Tensor:
    """Blank a random rectangle (uniform noise) in a fraction of the images."""
    import tensorflow as tf

    batch = tf.shape(images)[0]
    side = tf.random.uniform([batch, 2], 0.1, math.sqrt(max_frac)) * size
    corner = tf.random.uniform([batch, 2], 0.0, 1.0) * (size - side)
    grid = tf.cast(tf.range(size), tf.float32)
    in_y = (grid[None, :] >= corner[:, :1]) & (grid[None, :] < corner[:, :1] + side[:, :1])
    in_x = (grid[None, :] >= corner[:, 1:]) & (grid[None, :] < corner[:, 1:] + side[:, 1:])
    mask = in_y[:, :, None] & in_x[:, None, :]
    apply = tf.random.uniform([batch, 1, 1]) < prob
    mask = (mask & apply)[..., None]
    noise = tf.random.uniform(tf.shape(images))
    return tf.where(mask, noise, images)


def augment_kwargs(strength: float = 1.0) -> dict:
    """`augment_batch` ranges scaled by `strength` (1 = the full recipe, 0 = flips only)."""
    s = max(0.0, float(strength))
    return {
        "max_rotate": 12.0 * s,
        "max_shift": 0.1 * s,
        "zoom": (1.0 - 0.1 * s, 1.0 + 0.15 * s),
        "brightness": 0.15 * s,
        "contrast": (1.0 - 0.25 * s, 1.0 + 0.3 * s),
        "erase_prob": 0.4 * s,
    }


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    *,
    training: bool,
    seed: int = 0,
    strength: float = 1.0,
) -> tf.data.Dataset:
    """In-memory tf.data pipeline: shuffle, batch, augment (training only), prefetch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=training)
    if training:
        kwargs = augment_kwargs(strength)
        ds = ds.map(
            lambda a, b: (augment_batch(a, **kwargs), b), num_parallel_calls=tf.data.AUTOTUNE
        )
    return ds.prefetch(tf.data.AUTOTUNE)

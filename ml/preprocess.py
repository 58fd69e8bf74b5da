"""Preprocessing shared by training and inference: face crop with margin, alignment, gray,
resize, scale."""

from __future__ import annotations

import math

import cv2
import numpy as np

INPUT_SIZE = 48
# FER-2013 faces are tightly cropped; detector boxes are too, a little tighter at the chin.
CROP_MARGIN = 0.12


def to_gray(image: np.ndarray) -> np.ndarray:
    """Any HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA) uint8 array -> HxW uint8 gray."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    raise ValueError(f"unsupported image shape {image.shape}")


def expand_box(
    box: tuple[int, int, int, int], width: int, height: int, margin: float = CROP_MARGIN
) -> tuple[int, int, int, int]:
    """Grow an (x, y, w, h) box by `margin` on each side into a square, clipped to the image."""
    x, y, w, h = box
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = x + w / 2, y + h / 2
    x0 = round(max(0, cx - side / 2))
    y0 = round(max(0, cy - side / 2))
    x1 = round(min(width, cx + side / 2))
    y1 = round(min(height, cy + side / 2))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def crop_face(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Crop the face box (with margin) from a gray image and resize it to the model's input."""
    x, y, w, h = expand_box(box, gray.shape[1], gray.shape[0])
    crop = gray[y : y + h, x : x + w]
    interpolation = cv2.INTER_AREA if min(crop.shape) > INPUT_SIZE else cv2.INTER_LINEAR
    return cv2.resize(crop, (INPUT_SIZE, INPUT_SIZE), interpolation=interpolation)


def align_face(
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    angle: float = 0.0,
    margin: float = CROP_MARGIN,
) -> np.ndarray:
    """The face square (`box` grown by `margin`, as `crop_face`) turned by `angle` degrees about
    its centre, so that an eye line at `angle` comes out level, resized to the model's input.

    Pixels beyond the image's edge repeat the border (the square keeps its shape, unlike
    `crop_face`'s clipped crop). Large faces are first shrunk with area averaging, so the
    bilinear warp does not alias.
    """
    x, y, w, h = box
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = x + w / 2, y + h / 2
    src = gray
    factor = side / (2 * INPUT_SIZE)
    if factor > 1:
        reach = side * 0.75  # beyond half the square's diagonal: any rotation stays inside
        x0 = max(0, math.floor(cx - reach))
        y0 = max(0, math.floor(cy - reach))
        x1 = min(gray.shape[1], math.ceil(cx + reach))
        y1 = min(gray.shape[0], math.ceil(cy + reach))
        if x1 > x0 and y1 > y0:
            region = gray[y0:y1, x0:x1]
            size = (max(1, round((x1 - x0) / factor)), max(1, round((y1 - y0) / factor)))
            src = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
            cx = (cx - x0) * size[0] / (x1 - x0)
            cy = (cy - y0) * size[1] / (y1 - y0)
            side = side * size[0] / (x1 - x0)
    # Pixel centres: continuous coordinate c is pixel index c - 0.5, in both images.
    centre = (cx - 0.5, cy - 0.5)
    matrix = cv2.getRotationMatrix2D(centre, angle, INPUT_SIZE / side)
    matrix[0, 2] += (INPUT_SIZE - 1) / 2 - centre[0]
    matrix[1, 2] += (INPUT_SIZE - 1) / 2 - centre[1]
    return cv2.warpAffine(
        src,
        matrix,
        (INPUT_SIZE, INPUT_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def to_model_input(faces: np.ndarray) -> np.ndarray:
    """(N, 48, 48) or (48, 48) uint8 faces -> (N, 48, 48, 1) float32 in [0, 1]."""
    faces = np.asarray(faces)
    if faces.ndim == 2:
        faces = faces[None]
    if faces.shape[1:] != (INPUT_SIZE, INPUT_SIZE):
        raise ValueError(f"faces must be {INPUT_SIZE}x{INPUT_SIZE}, got {faces.shape[1:]}")
    return (faces.astype(np.float32) / 255.0)[..., None]

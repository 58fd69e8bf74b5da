"""What the pages show of a reading: emotion words, the probability chart, face-box geometry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emotions.models import EMOTION_CHOICES, MoodReading
from ml.labels import EMOTIONS

LABELS = dict(EMOTION_CHOICES)
# How a sentence says it: "You look happy", "You look surprised".
ADJECTIVES = {
    "angry": "angry",
    "disgust": "disgusted",
    "fear": "afraid",
    "happy": "happy",
    "sad": "sad",
    "surprise": "surprised",
    "neutral": "neutral",
}
EMOJI = {
    "angry": "😠",
    "disgust": "😖",
    "fear": "😨",
    "happy": "😊",
    "sad": "😢",
    "surprise": "😮",
    "neutral": "😐",
}


@dataclass(frozen=True)
class EmotionOption:
    name: str
    label: str
    adjective: str
    emoji: str
    selected: bool


def emotion_options(selected: str = "") -> list[EmotionOption]:
    """The seven emotions for pickers and the correction control."""
    return [
        EmotionOption(name, LABELS[name], ADJECTIVES[name], EMOJI[name], name == selected)
        for name in EMOTIONS
    ]


def probability_rows(reading: MoodReading) -> list[dict[str, Any]]:
    """One row per emotion in class order, with a percentage; empty before inference."""
    stored = reading.probabilities or {}
    if not stored:
        return []
    return [
        {
            "name": name,
            "label": LABELS[name],
            "percent": round(100 * float(stored.get(name, 0.0)), 1),
            "is_primary": name == reading.emotion,
        }
        for name in EMOTIONS
    ]


def chart_data(reading: MoodReading) -> dict[str, Any]:
    """What static/emotions/result.js hands to Chart.js."""
    rows = probability_rows(reading)
    return {
        "labels": [row["label"] for row in rows],
        "values": [row["percent"] for row in rows],
        "primary": next((i for i, row in enumerate(rows) if row["is_primary"]), -1),
    }


def chart_summary(reading: MoodReading) -> str:
    """A sentence describing the chart for screen readers: the top three emotions."""
    rows = sorted(probability_rows(reading), key=lambda row: row["percent"], reverse=True)
    return ", ".join(f"{row['label']} {row['percent']:g}%" for row in rows[:3])


def face_geometry(reading: MoodReading) -> dict[str, Any] | None:
    """Face boxes in the frame's coordinates, and the primary box inside its thumbnail crop.

    The frame itself is deleted after inference, so pages draw the boxes on the thumbnail of
    the primary face and on a map of the frame.
    """
    width, height = reading.image_width, reading.image_height
    if not reading.faces or not width or not height:
        return None
    font_size = max(14, round(max(width, height) / 10))
    faces = []
    for index, face in enumerate(reading.faces, start=1):
        x, y, w, h = (int(v) for v in face["box"])
        faces.append(
            {
                "number": index,
                "x": x,
                "y": y,
                "w": w,
                "h": h,
                "label_y": y - 8 if y >= font_size + 8 else y + h + font_size,
                "emotion": LABELS.get(face.get("emotion", ""), ""),
                "percent": round(100 * float(face.get("confidence", 0.0))),
                "is_primary": index == 1,
            }
        )
    crop = reading.faces[0].get("crop")
    return {
        "width": width,
        "height": height,
        "stroke": max(2, round(max(width, height) / 200)),
        "font_size": font_size,
        "faces": faces,
        "crop": ({"x": crop[0], "y": crop[1], "w": crop[2], "h": crop[3]} if crop else None),
        "crop_stroke": max(1, round(crop[2] / 60)) if crop else 1,
    }


def group_summary(reading: MoodReading) -> dict[str, Any] | None:
    """The room's mood card: its words, the seven bars (chart and table), and the face count."""
    group = reading.group or {}
    emotion = group.get("emotion", "")
    if emotion not in LABELS:
        return None
    stored = group.get("probabilities") or {}
    rows = [
        {
            "name": name,
            "label": LABELS[name],
            "percent": round(100 * float(stored.get(name, 0.0)), 1),
            "is_primary": name == emotion,
        }
        for name in EMOTIONS
    ]
    top = sorted(rows, key=lambda row: row["percent"], reverse=True)[:3]
    return {
        "emotion": emotion,
        "label": LABELS[emotion],
        "adjective": ADJECTIVES[emotion],
        "emoji": EMOJI[emotion],
        "percent": round(100 * float(group.get("confidence", 0.0))),
        "face_count": int(group.get("face_count") or reading.face_count),
        "rows": rows,
        "chart": {
            "labels": [row["label"] for row in rows],
            "values": [row["percent"] for row in rows],
            "primary": EMOTIONS.index(emotion),
        },
        "summary": ", ".join(f"{row['label']} {row['percent']:g}%" for row in top),
        "chosen": reading.mood_source == MoodReading.MoodSource.GROUP,
        "same_as_face": emotion == reading.emotion,
    }

"""The four music moods (valence-arousal quadrants) and the audio-features rule; plain Python."""

from __future__ import annotations

from dataclasses import dataclass

# Column order of every mood vector in the project (ranking, lexicon, evidence).
MOODS: tuple[str, ...] = ("happy", "energetic", "sad", "calm")
MOOD_INDEX: dict[str, int] = {mood: index for index, mood in enumerate(MOODS)}


@dataclass(frozen=True)
class AudioFeatures:
    """Spotify-style audio features in [0, 1]."""

    valence: float
    energy: float


def mood_for_audio(features: AudioFeatures) -> tuple[str, float]:
    """The valence-arousal quadrant of a track and how clearly it sits in it (0.5 to 1).

    High energy: happy when valence is high, energetic (tense) when low to mid. Low energy: calm
    when valence is high to mid, sad when low.
    """
    valence, energy = features.valence, features.energy
    valence_edge = 0.5 if energy >= 0.5 else 0.4
    if energy >= 0.5:
        mood = "happy" if valence >= valence_edge else "energetic"
    else:
        mood = "calm" if valence >= valence_edge else "sad"
    margin = min(abs(valence - valence_edge), abs(energy - 0.5))
    return mood, 0.5 + 0.5 * min(1.0, margin / 0.25)

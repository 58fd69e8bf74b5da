"""Load-test data: listeners with API tokens and a library of curated tracks (idempotent; each
run revokes the listeners' earlier load-test tokens and makes new ones: only their hashes are
stored, so an old key cannot be read back).

Run by the load runner under the stack's production settings:
`python -m loadtest.seed --users 50 --out users.json`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

TRACKS_PER_MOOD = 40
USERNAME = "load-{:03d}"
SEED_LABEL = "load test"


def seed(*, users: int) -> list[dict[str, object]]:
    """`users` listeners, each with the same 160-track library, curated across the 4 moods."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import ApiToken, User
    from accounts.services import api_token_create
    from library.evidence import track_moods_sync_curated
    from library.models import LibraryEntry, Mood, MoodPlaylist, MoodPlaylistTrack, Track

    with transaction.atomic():
        track_ids = []
        for mood in Mood.values:
            playlist, _ = MoodPlaylist.objects.get_or_create(
                name=f"Load test {mood}", defaults={"mood": mood}
            )
            for position in range(TRACKS_PER_MOOD):
                spotify_id = f"load{mood[:3]}{position:016d}"
                track, _ = Track.objects.get_or_create(
                    spotify_id=spotify_id,
                    defaults={
                        "name": f"{mood.capitalize()} load song {position + 1}",
                        "artist_names": f"Load Band {position % 12}",
                        "album_name": "Load Test Album",
                        "duration_ms": 180_000,
                        "uri": f"spotify:track:{spotify_id}",
                    },
                )
                MoodPlaylistTrack.objects.get_or_create(
                    playlist=playlist, track=track, defaults={"position": position}
                )
                track_ids.append(track.pk)
        track_moods_sync_curated(track_ids=track_ids)

        accounts = []
        for number in range(users):
            user, created = User.objects.get_or_create(username=USERNAME.format(number))
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            existing = set(
                LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True)
            )
            LibraryEntry.objects.bulk_create(
                LibraryEntry(user=user, track_id=track_id, liked=True)
                for track_id in track_ids
                if track_id not in existing
            )
            ApiToken.objects.filter(user=user, name=SEED_LABEL, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            token = api_token_create(user=user, name=SEED_LABEL)
            accounts.append({"username": user.username, "token": token.key})
    return accounts


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.seed", description=__doc__)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    args.out.write_text(json.dumps(seed(users=args.users)))
    args.out.chmod(0o600)


if __name__ == "__main__":
    main()

"""Re-encrypt stored Spotify tokens under the newest key of SOCIAL_AUTH_TOKEN_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from social_django.models import UserSocialAuth

from spotify.crypto import rotate_extra_data


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored Spotify token with the first key of SOCIAL_AUTH_TOKEN_KEYS "
        "(plain ones get encrypted). Run it after prepending a new key; then the old key can go."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = UserSocialAuth.objects.all().only("pk", "extra_data")
        changed = 0
        # values_list skips post_init, so this sees the stored (encrypted) values.
        for pk, stored in rows.values_list("pk", "extra_data").iterator():
            rotated = rotate_extra_data(stored)
            if rotated != stored:
                UserSocialAuth.objects.filter(pk=pk).update(extra_data=rotated)
                changed += 1
        self.stdout.write(f"re-encrypted the tokens of {changed} Spotify connection(s)")

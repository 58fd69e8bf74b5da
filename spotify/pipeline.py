"""Sign-in pipeline steps of the Spotify connection (named in `SOCIAL_AUTH_PIPELINE`)."""

from __future__ import annotations

from typing import Any

from social_core.pipeline.user import user_details


def user_details_of_new_accounts(
    strategy: Any,
    details: dict[str, Any],
    backend: Any,
    user: Any = None,
    *args: Any,
    **kwargs: Any,
) -> None:
    """social-core's `user_details`, for an account this sign-in just created only.

    An existing account keeps its names and email: a staff member who connects Spotify is not
    renamed after the Spotify profile (the admin greeted "Sam" after connecting as sam).
    """
    if not kwargs.get("is_new"):
        return
    user_details(strategy, details, backend, user, *args, **kwargs)

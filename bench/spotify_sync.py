"""Library sync of a 10,000-track library against the Spotify stand-in over real HTTP."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

SIZE = 10_000
RUNS = 3
LISTENER = f"synthetic-{SIZE}"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _serve() -> tuple[Any, str]:
    """The whole site (so the stand-in too) on a loopback port, in a thread, like live_server."""
    from django.db import connections
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    server = LiveServerThread("127.0.0.1", _StaticFilesHandler, shared, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server, f"http://127.0.0.1:{server.port}"


def _sync_once(user_id: int) -> tuple[float, int, Any]:
    from library.sync import library_sync_run

    started = time.perf_counter()
    result = library_sync_run(user_id=user_id)
    return time.perf_counter() - started, result.requests_made, result


def run() -> dict[str, Any]:
    _setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases

    from accounts.models import User
    from library.models import Artist, LibraryEntry, LibrarySync, Track
    from spotify.tokens import spotify_association_store
    from spotify_sandbox import services

    if "spotify_sandbox" not in settings.INSTALLED_APPS:
        raise RuntimeError("The Spotify stand-in is not installed (SPOTIFY_SANDBOX_ENABLED).")
    # A throwaway database: the benchmark never touches the development data.
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    server = None
    try:
        server, base = _serve()
        overrides = override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=["127.0.0.1"],
            SPOTIFY_SANDBOX_ENABLED=True,
            SPOTIFY_ACCOUNTS_BASE_URL=f"{base}/spotify-sandbox",
            SPOTIFY_API_BASE_URL=f"{base}/spotify-sandbox/v1/",
            SPOTIFY_SYNC_MAX_TRACKS=SIZE,
            # Client and stand-in share this process: on a busy machine a page can take a while.
            SPOTIFY_REQUEST_TIMEOUT=120,
        )
        with overrides:
            full, incremental = [], []
            user = User.objects.create_user(username="bench-listener")
            issued = services.token_issue(
                spotify_user=LISTENER,
                client_id=settings.SPOTIFY_SANDBOX_CLIENT_ID,
                scope=" ".join(settings.SOCIAL_AUTH_SPOTIFY_SCOPE),
            )
            spotify_association_store(
                user=user,
                uid=LISTENER,
                extra_data={**issued.as_response(), "auth_time": int(time.time())},
            )
            for number in range(RUNS):
                # Cold: no track, artist, library or sync row exists yet.
                LibrarySync.objects.all().delete()
                LibraryEntry.objects.all().delete()
                Track.objects.all().delete()
                Artist.objects.all().delete()
                seconds, requests_made, result = _sync_once(user.pk)
                if result.status != LibrarySync.Status.DONE or result.track_count != SIZE:
                    raise RuntimeError(f"sync did not complete: {result.status} {result.message}")
                full.append((seconds, requests_made))
                incremental.append(_sync_once(user.pk)[:2])
                print(
                    f"bench: spotify_sync run {number + 1}: full {seconds:.1f} s "
                    f"({requests_made} requests), again {incremental[-1][0]:.2f} s",
                    flush=True,
                )
        vendor = connection.vendor
    finally:
        if server is not None:
            server.terminate()
        teardown_databases(databases, verbosity=0)

    def row(name: str, runs: list[tuple[float, int]]) -> str:
        seconds = [s for s, _ in runs]
        requests_made = statistics.median(r for _, r in runs)
        median = statistics.median(seconds)
        rate = SIZE / median if median else 0
        return (
            f"| {name} | {requests_made:.0f} | {median:.2f} | {min(seconds):.2f} | "
            f"{max(seconds):.2f} | {rate:,.0f} |"
        )

    markdown = f"""
`library_sync_run` for a listener with {SIZE:,} liked songs (`{LISTENER}` of the stand-in, plus
50 top tracks per time range and 20 recent plays), over real HTTP to the stand-in served on a
loopback port by a `LiveServerThread`, {RUNS} runs. Each full run starts cold (no track, artist or
library row), then the same user syncs again. The stand-in runs in the same process as the
client (they share the GIL), so the time is Moodtrack's whole cost: HTTP, JSON, both sides' ORM
work. Database: throwaway `{vendor}` test database; `DEBUG` off.

| sync | requests | median s | fastest s | slowest s | tracks/s (median) |
| --- | --- | --- | --- | --- | --- |
{row("full (cold)", full)}
{row("again (incremental)", incremental)}

A full sync reads 200 pages of 50 liked songs, 3 top-track lists, recently played and the
playlists; an incremental one stops at the first page of liked songs when nothing changed.
"""
    return {
        "title": "Spotify library sync (10,000 tracks, stand-in over HTTP)",
        "markdown": markdown,
    }

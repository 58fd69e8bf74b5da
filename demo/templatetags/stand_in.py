"""The stand-in listeners' codes, for Moodtrack's own sign-in page (and nowhere else).

The Spotify stand-in's consent page asks for a listener's code before it signs anyone in as that
listener (spotify_sandbox.services.listener_code). The shared listeners' codes are printed on the
sign-in page; under DEBUG (`make run`) the test personas' too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings

from demo.library import stand_in_enabled

register = template.Library()

SHARED_LISTENERS = ("demo", "real")
DEVELOPMENT_LISTENERS = ("alex", "sam")


@dataclass(frozen=True)
class ListenerCode:
    id: str
    display_name: str
    code: str


@register.simple_tag
def stand_in_listener_codes() -> list[ListenerCode]:
    """[] unless Spotify sign-in goes to the stand-in."""
    if not stand_in_enabled():
        return []
    from spotify_sandbox import catalogue, services

    names = SHARED_LISTENERS + (DEVELOPMENT_LISTENERS if settings.DEBUG else ())
    found = []
    for name in names:
        person = catalogue.user(name)
        if person is not None:
            found.append(ListenerCode(person.id, person.display_name, services.listener_code(name)))
    return found

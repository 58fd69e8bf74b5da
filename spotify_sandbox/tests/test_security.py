"""Security round 2 (issue 15), findings 1 and 3, over real HTTP against the running stand-in.

1. Picking a stand-in listener on the consent page must not be enough to become the account linked
   to it: every listener has a code (shown on Moodtrack's sign-in page for the shared ones), and no
   staff or curator account is ever signed in or linked through the stand-in.
3. The control API (`_control/faults`, `_control/users/<id>/expire-tokens`) is staff-only and
   CSRF-protected, and fault rules match by glob, never by a stored regular expression.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from social_django.models import UserSocialAuth

from accounts.curators import curators_group_ensure
from accounts.tests.factories import UserFactory
from spotify_sandbox.models import AuthorizationCode, FaultRule, Token
from spotify_sandbox.testing import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]


def _curator_linked_as(sandbox: Sandbox, spotify_user: str):
    curator = UserFactory(username="curator", is_staff=True)
    curator.groups.add(curators_group_ensure())
    # Linked some time ago (before this round's pipeline step, or by hand in the admin).
    sandbox.link(curator, spotify_user)
    return curator


def _begin(sandbox: Sandbox, browser: requests.Session) -> dict[str, str]:
    """Press "Sign in with Spotify" on Moodtrack; the parameters of the stand-in's consent page."""
    begin = browser.post(
        f"{sandbox.base}/login/spotify/",
        data={"csrfmiddlewaretoken": sandbox.csrf_token(browser)},
        headers={"Referer": f"{sandbox.base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert begin.status_code == 302
    return dict(parse_qsl(urlsplit(begin.headers["Location"]).query))


def _signed_in(sandbox: Sandbox, browser: requests.Session) -> bool:
    admin = browser.get(f"{sandbox.base}/admin/", allow_redirects=False, timeout=10)
    profile = browser.get(f"{sandbox.base}/accounts/profile/", allow_redirects=False, timeout=10)
    return admin.status_code == 200 or profile.status_code == 200


# Finding 1: choosing a listener is not enough -------------------------------------------------


@pytest.mark.parametrize("given", ["", "0000-0000"])
def test_picking_a_curators_listener_without_its_code_is_refused(sandbox: Sandbox, given) -> None:
    _curator_linked_as(sandbox, "sam")
    browser = requests.Session()
    params = _begin(sandbox, browser)

    refused = sandbox.consent(params, user="sam", code=given, session=browser)

    assert refused.status_code == 403
    assert "Okafor&#x27;s code" in refused.text
    assert "Location" not in refused.headers
    assert not AuthorizationCode.objects.exists()
    assert not _signed_in(sandbox, browser)


def test_another_listeners_code_does_not_open_this_one(sandbox: Sandbox) -> None:
    browser = requests.Session()
    params = _begin(sandbox, browser)

    refused = sandbox.consent(params, user="sam", code=sandbox.code("demo"), session=browser)

    assert refused.status_code == 403
    assert not AuthorizationCode.objects.exists()
    assert not _signed_in(sandbox, browser)


def test_codes_are_per_listener_and_tied_to_the_secret_key() -> None:
    from spotify_sandbox.services import listener_code, listener_code_matches

    ours = listener_code("sam")
    assert listener_code("demo") != ours
    assert listener_code_matches("sam", ours.upper().replace("-", " "))
    assert not listener_code_matches("sam", "")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECRET_KEY", "another-server")
        assert listener_code("sam") != ours
        assert not listener_code_matches("sam", ours)


def test_the_sign_in_page_shows_the_shared_listeners_codes_only(sandbox: Sandbox) -> None:
    page = requests.get(f"{sandbox.base}/accounts/login/", timeout=10).text

    assert sandbox.code("demo") in page
    assert sandbox.code("real") in page
    assert sandbox.code("sam") not in page  # the test personas' codes: under DEBUG only
    consent = requests.get(f"{sandbox.root}/", timeout=10).text
    assert sandbox.code("demo") not in consent


def test_a_curators_listener_with_the_right_code_still_signs_nobody_in(sandbox: Sandbox) -> None:
    curator = _curator_linked_as(sandbox, "sam")
    browser = requests.Session()

    page = sandbox.sign_in(browser, user="sam")

    assert page.status_code == 403
    assert "Staff accounts cannot use the demo Spotify" in page.text
    assert not _signed_in(sandbox, browser)
    assert UserSocialAuth.objects.get(extra_data__id="sam").user == curator  # nothing else changed


@pytest.mark.parametrize("powers", [{"is_staff": True}, {"is_superuser": True}, {"curator": True}])
def test_a_staff_or_curator_account_cannot_be_linked(sandbox: Sandbox, powers) -> None:
    curator = powers.pop("curator", False)
    staff = UserFactory(username="staffer", **powers)
    if curator:
        staff.groups.add(curators_group_ensure())
    browser = requests.Session()
    signed_in = browser.post(
        f"{sandbox.base}/accounts/login/",
        data={"csrfmiddlewaretoken": sandbox.csrf_token(browser), "username": "staffer",
              "password": "correct-horse-battery"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert signed_in.status_code == 302

    page = sandbox.sign_in(browser, user="alex", from_path="/accounts/profile/")

    assert page.status_code == 403
    assert "Staff accounts cannot use the demo Spotify" in page.text
    assert not UserSocialAuth.objects.exists()


def test_the_demo_seeder_never_links_a_staff_account() -> None:
    from demo.library import stand_in_link

    staff = UserFactory(is_staff=True)

    with pytest.raises(ValueError, match="never linked"):
        stand_in_link(user=staff, spotify_user="demo")
    assert not UserSocialAuth.objects.exists()


@pytest.mark.parametrize(
    ("environment", "enabled"),
    [
        ({}, True),  # `make run`: DEBUG, no Spotify key
        ({"DJANGO_DEBUG": "false"}, False),  # no key is not enough without DEBUG
        ({"DJANGO_DEBUG": "false", "SPOTIFY_SANDBOX_ENABLED": "true"}, True),
        ({"SPOTIFY_SANDBOX_ENABLED": "false"}, False),
    ],
)
def test_the_stand_in_runs_only_under_debug_or_when_asked(environment, enabled) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SPOTIFY_", "SOCIAL_AUTH_", "DEMO_"))
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings.local")
    code = (
        "from django.conf import settings; "
        "print(settings.SPOTIFY_SANDBOX_ENABLED, 'spotify_sandbox' in settings.INSTALLED_APPS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [str(enabled), str(enabled)]


# Finding 3: the control API ---------------------------------------------------------------------


def _foreign_post(url: str, session: requests.Session | None = None) -> requests.Response:
    """What a page on another site can send without a preflight: a text/plain POST."""
    return (session or requests.Session()).post(
        url,
        data='{"path_glob": "*", "path_regex": "^", "status": 500}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        allow_redirects=False,
        timeout=10,
    )


def test_foreign_origin_posts_to_the_control_api_change_nothing(sandbox: Sandbox) -> None:
    token = sandbox.issue("demo")
    staff_browser = sandbox.staff_session()
    del staff_browser.headers["X-CSRFToken"]  # the cookies a browser sends; no token

    for session in (None, staff_browser):
        faults = _foreign_post(f"{sandbox.root}/_control/faults", session)
        expire = _foreign_post(f"{sandbox.root}/_control/users/demo/expire-tokens", session)
        assert (faults.status_code, expire.status_code) == (403, 403)

    assert not FaultRule.objects.exists()
    assert Token.objects.get(kind="access").expires_at > timezone.now()
    assert sandbox.session_for(token.access_token).get(sandbox.api + "me", timeout=10).ok


def test_the_control_api_is_for_staff_only(sandbox: Sandbox) -> None:
    listener = UserFactory(username="listener")
    browser = requests.Session()
    browser.post(
        f"{sandbox.base}/accounts/login/",
        data={"csrfmiddlewaretoken": sandbox.csrf_token(browser), "username": listener.username,
              "password": "correct-horse-battery"},
        timeout=10,
    )  # fmt: skip
    anonymous = requests.Session()
    sandbox.csrf_token(anonymous)  # a CSRF cookie of its own does not make it staff
    for session in (anonymous, browser):
        session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
        control = f"{sandbox.root}/_control/faults"
        rule = {"path_glob": "*", "path_regex": "^", "status": 500}
        added = session.post(control, json=rule, timeout=10)
        listed = session.get(control, timeout=10)
        assert (added.status_code, listed.status_code) == (403, 403)
    assert not FaultRule.objects.exists()


def test_a_redos_pattern_is_a_literal_glob(sandbox: Sandbox) -> None:
    staff = sandbox.staff_session()
    demo = sandbox.session_for(sandbox.issue("demo").access_token)

    control = f"{sandbox.root}/_control/faults"
    regex = staff.post(control, json={"path_regex": "(a+)+$", "status": 500}, timeout=10)
    created = staff.post(control, json={"path_glob": "(a+)+$", "status": 500}, timeout=10)
    # 25 characters below the stand-in, what took 9.6 s against re.search("(a+)+$", …).
    answer = demo.get(f"{sandbox.root}/v1/{'a' * 21}!", timeout=10)

    assert regex.status_code == 400
    assert "regular expressions are not accepted" in regex.json()["error"]
    assert created.status_code == 201
    assert created.json()["match"] == "glob"
    assert "path_regex" not in created.json()
    rule = FaultRule.objects.get()
    assert rule.path_glob == "(a+)+$"
    assert not hasattr(rule, "path_regex")
    assert answer.status_code == 404  # the stand-in's own answer: the glob matched nothing
    rule.refresh_from_db()
    assert rule.hits == 0

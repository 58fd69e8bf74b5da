"""Routes of the Last.fm stand-in, mounted at /lastfm-sandbox/ when LASTFM_SANDBOX_ENABLED.

One endpoint, like Last.fm's `/2.0/` (trailing slash optional): the method is a parameter.
"""

from django.urls import re_path

from lastfm_sandbox import views

app_name = "lastfm_sandbox"

urlpatterns = [
    re_path(r"^2\.0/?$", views.api, name="api"),
]

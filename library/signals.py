"""Signals the library sends, for rooms above it that must not be imported from here."""

from django.dispatch import Signal

# Sent (robustly: a failing receiver is logged, never fails the sync) after a library sync has
# finished and its curated evidence is matched. Keyword argument: `user`, whose library it was.
library_synced = Signal()

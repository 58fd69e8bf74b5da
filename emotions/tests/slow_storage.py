"""A private storage whose `open` waits first: lets a worker test kill a worker mid-reading."""

from __future__ import annotations

import time
from typing import Any

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage


class SlowOpenStorage(FileSystemStorage):
    def __init__(self, *args: Any, open_delay: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_delay = open_delay

    def open(self, name: str, mode: str = "rb") -> File:
        if self.open_delay > 0:
            time.sleep(self.open_delay)
        return super().open(name, mode)

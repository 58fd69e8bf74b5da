"""Core models: the Heartbeat row a worker writes to prove it is alive and reaches the database."""

from django.db import models


class Heartbeat(models.Model):
    """One processed ping: which worker answered, for which sender's token."""

    token = models.CharField(max_length=64, db_index=True)
    worker = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"heartbeat {self.token} from {self.worker or 'unknown'} at {self.created_at}"

"""Beat: delete the demo visitors older than DEMO_VISITOR_MAX_AGE_HOURS."""

from celery import shared_task

from demo.visitors import visitors_delete_expired


@shared_task(name="demo.tasks.demo_visitors_cleanup", time_limit=5 * 60, soft_time_limit=4 * 60)
def demo_visitors_cleanup() -> int:
    """Delete expired demo visitors (history, files and stand-in account included)."""
    return visitors_delete_expired()

from celery import shared_task

from .services import anonymize_expired_citizens


@shared_task(acks_late=True)
def anonymize_expired() -> int:
    """Nightly retention: anonymize citizens whose last ticket closed longer ago than the office keeps data."""
    return anonymize_expired_citizens()

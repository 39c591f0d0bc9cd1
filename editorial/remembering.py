"""The memory job: a published article's segment pairs go into the translation memory, in the background.

The job carries the pairs as they were published (not the live segments, which may be under correction
by the time it runs). Running it twice, or after a later publication, is harmless: the memory keeps the
newest publication of each source (`translations.memory.store`).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from translations import memory

from . import jobs
from .models import Job


def run(job_id: int) -> Job:
    job = jobs.start(job_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    payload = job.payload
    pairs = [memory.Pair(source, target, segment_id, payload.get("translator"))
             for segment_id, source, target in payload["segments"]]
    with transaction.atomic():
        stored = memory.store(pairs, payload["source_language"], payload["target_language"],
                              datetime.fromisoformat(payload["published_at"]))
        jobs.note(job.pk, f"{stored} of {len(pairs)} segments stored in the translation memory")
        Job.objects.filter(pk=job.pk).update(state=Job.Status.SUCCEEDED, done=len(pairs), error=None,
                                             finished_at=timezone.now())
    return Job.objects.get(pk=job.pk)

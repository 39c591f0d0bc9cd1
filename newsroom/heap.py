"""The web process's heap after start-up: what it loaded for good is kept out of Python's garbage collection.

A worker holds about 170,000 objects that live as long as it does (modules, classes, functions, the URLconf, the
settings). Python's full collection walks every tracked object: about 100 ms on this project's machine, a pause
that fell on one request in ten or so (a search's p95 went from about 100 ms to 175 ms because of it). `settle`
imports every view the URLconf names, then freezes what is there (`gc.freeze`): later collections skip it and
a full one takes a few milliseconds. Garbage made afterwards is collected as before. gunicorn calls it once a
worker has loaded the application (newsroom.gunicorn_conf); bench/archive.py calls it the same way.
"""

import gc


def settle() -> int:
    """Load what every request needs, then freeze the heap as it stands; how many objects were frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every module the URLconf names
    gc.collect()  # start-up's garbage is freed first, not frozen
    gc.freeze()
    return gc.get_freeze_count()

"""The web process's heap after start-up: what it loaded for good is kept out of Python's garbage collection.

A worker holds about 170,000 objects that live as long as it does (modules, classes, functions, the URLconf, the
settings). Python's full collection walks every tracked object: about 100 ms on this project's machine, a pause
that fell on one request in ten or so (a search's p95 went from about 100 ms to 175 ms because of it). `settle`
imports every view the URLconf names, then freezes what is there (`gc.freeze`): later collections skip it and
a full one takes a few milliseconds. Garbage made afterwards is collected as before, with a larger youngest
generation: a page makes some 100,000 objects, nearly all freed as they go out of use, and collecting the
youngest every 700 allocations walked them hundreds of times a request (a search 3 ms faster at its median,
measured request by request against the default in one process). gunicorn calls it once a worker has loaded
the application (newsroom.gunicorn_conf); bench/archive.py calls it the same way.
"""

import gc

# Allocations between collections of the youngest generation (Python's default is 700), and how many of those
# before the next generation's (default 10): a cycle made by a request is freed a little later, at most a
# request or two.
YOUNG_OBJECTS, YOUNG_COLLECTIONS = 50_000, 20


def settle() -> int:
    """Load what every request needs, then freeze the heap as it stands; how many objects were frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every module the URLconf names
    gc.collect()  # start-up's garbage is freed first, not frozen
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, YOUNG_COLLECTIONS, gc.get_threshold()[2])
    return gc.get_freeze_count()

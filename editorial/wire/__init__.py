"""The wire desk: what an editor who does not read the source language needs to triage the incoming sources.

- `gists`: the machine translation of each item's headline and first paragraph, made in the background.
- `similarity`: the back-ends that say how alike two items are (a registry, like the MT engines).
- `stories`: items about the same event grouped into one story, and which story is covered already.
- `triage`: the incoming list, taking and declining, and each outlet's figures.
"""

# One run's share of the work: the gists of this many batches at most (the beat sends the next run soon).
MAX_GIST_BATCHES = 10


def process() -> None:
    """Enroll the new articles (fingerprint, story), then make the gists that are due, a batch at a time."""
    from . import gists, stories

    stories.enroll()
    for _ in range(MAX_GIST_BATCHES):
        if not gists.make_batch():
            return

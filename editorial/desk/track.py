"""Track changes: each segment's edits from its machine draft on, each credited to its author and round.

Built from the history (django-reversion keeps every saved version of a segment, with the revision's user and
the article's state at the time), not from guesses about who held the article when: an edit an editor made
during editing stays the editor's after changes are requested and the translation is resubmitted.

A round is one pass of translation then editing: it starts when the article (re)enters translation, so a
request for changes opens round 2. Consecutive saves by one person in one state and round are one change
(autosave stores many), shown as the words they added and removed together.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from editorial.models import ArticleRevision, State
from translations.diff import word_diff
from translations.models import Segment


@dataclass
class Change:
    who: str  # a username, or "machine draft"
    state: str
    round: int
    at: object
    before: str | None
    after: str | None

    @property
    def ops(self) -> list:
        return word_diff(self.before, self.after)


def _rounds(article) -> dict[int, tuple[str, int]]:
    """{revision id: (the article's state then, its round)}."""
    found, round_number, previous = {}, 1, None
    for revision_id, state in (ArticleRevision.objects.filter(article=article).order_by("revision_id")
                               .values_list("revision_id", "state")):
        if state == State.TRANSLATION and previous not in (None, State.TRANSLATION, State.MACHINE_DRAFT,
                                                            State.SOURCE):
            round_number += 1
        found[revision_id] = (state, round_number)
        previous = state
    return found


def track_changes(article, segments) -> dict[int, list[Change]]:
    """{segment id: [Change, ...] oldest first}: three queries whatever the article's length."""
    rounds = _rounds(article)
    versions = (Version.objects.filter(content_type=ContentType.objects.get_for_model(Segment),
                                       object_id__in=[str(s.pk) for s in segments])
                .select_related("revision__user").order_by("revision_id", "pk"))
    changes: dict[int, list[Change]] = {s.pk: [] for s in segments}
    # The first human edit is measured against the machine draft, as the translator saw it.
    last_text: dict[int, str | None] = {s.pk: s.machine_text for s in segments}
    for version in versions:
        segment_id = int(version.object_id)
        text = version.field_dict.get("text")
        before = last_text.get(segment_id)
        last_text[segment_id] = text
        if (before or "") == (text or ""):
            continue
        user = version.revision.user
        if user is not None:
            who = user.username
        else:
            who = "translation memory" if version.field_dict.get("origin") == "memory" else "machine draft"
        state, round_number = rounds.get(version.revision_id, (None, 1))
        chain = changes[segment_id]
        if chain and (chain[-1].who, chain[-1].state, chain[-1].round) == (who, state, round_number):
            chain[-1].after, chain[-1].at = text, version.revision.date_created
        else:
            chain.append(Change(who, state, round_number, version.revision.date_created, before, text))
    return changes

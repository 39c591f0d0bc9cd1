"""The newsroom's records: articles and their states, keywords, jobs, the publication."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision

from translations.models import Document

DEFAULT_DISCLAIMER = (
    "This article was translated and edited by {publication}. {publication} has not verified the "
    "content of this story. Responsibility for the information and views set out in this article "
    "lies entirely with the author."
)


class State(models.TextChoices):
    SOURCE = "source"
    MACHINE_DRAFT = "machine_draft"
    TRANSLATION = "translation"
    EDITING = "editing"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Keyword(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Article(models.Model):
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="article")
    state = models.CharField(max_length=20, choices=State.choices, default=State.SOURCE, db_index=True)
    version = models.PositiveIntegerField(default=1)
    standfirst = models.TextField(blank=True)
    slug = models.SlugField(max_length=120, unique=True, null=True, blank=True)
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="articles")
    source_outlet = models.CharField(max_length=200)
    source_author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=1000, blank=True, db_index=True)  # feeds look up articles imported by hand
    source_published_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="When a scheduled article goes out.")
    deadline = models.DateTimeField(null=True, blank=True, help_text="When the editor wants it done (optional).")
    # The watch on the original (editorial.watch): on for articles with an address, the last check and its outcome.
    watch_enabled = models.BooleanField(default=True)
    watch_checked_at = models.DateTimeField(null=True, blank=True)
    watch_outcome = models.CharField(max_length=12, blank=True)
    watch_changes = models.JSONField(default=dict, blank=True)
    watch_changed_at = models.DateTimeField(null=True, blank=True, help_text="When the change or removal was found.")
    watch_failures = models.PositiveIntegerField(default=0, help_text="Checks in a row that could not reach it.")
    # What an editor chose when the original of a published article was removed: keep (with a public note),
    # correct or unpublish (editorial.watch.decide).
    watch_decision = models.CharField(max_length=12, blank=True)
    disclaimer = models.TextField(blank=True, help_text="The exact disclaimer printed when last published.")
    # The wire desk: name the other outlets of its story (editorial.wire.stories) under the credit when published.
    credit_story = models.BooleanField(default=False)
    # What the public sees; null when the article is not on the public site (never, or no longer, published).
    live_version = models.OneToOneField(
        "PublishedVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="live_article"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("import_article", "Import a source article"),
            ("draft_article", "Order a machine draft"),
            ("claim_article", "Claim an article to translate"),
            ("assign_article", "Assign an article to a translator"),
            ("submit_article", "Submit a translation for editing"),
            ("request_changes_article", "Send a translation back with changes requested"),
            ("publish_article", "Publish or schedule an article"),
            ("unpublish_article", "Unpublish an article"),
            ("correct_article", "Correct a published article"),
            ("override_check", "Override a blocking quality check, with a reason"),
            ("manage_glossary", "Edit the glossary"),
            ("archive_article", "Archive an article"),
            ("edit_any_article", "Edit any article in translation or editing"),
            ("revert_article", "Revert an article to an earlier revision"),
            ("manage_team", "Manage users, roles and the publication"),
            ("view_reports", "See the post-editing reports"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.document.source_title[:60]}"

    @property
    def watch_summary(self) -> str:
        """The last change to the original in words (editorial.watch.summary), for templates."""
        from .watch import summary

        return summary(self)


class StateChange(models.Model):
    """The record of one workflow transition: who, when, from, to, why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="state_changes")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class ArticleRevision(models.Model):
    """Revision metadata: which article a django-reversion revision belongs to, and its state then."""

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="article_meta")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    state = models.CharField(max_length=20, choices=State.choices)

    class Meta:
        ordering = ["-revision_id"]

    def __str__(self):
        return f"revision {self.revision_id} of article {self.article_id}"


class Job(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft"
        MEMORY = "memory"  # a published article's segment pairs into the translation memory
        DELIVERY = "delivery"  # a publish, correction or unpublish sent to a publish target (editorial.delivering)

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    engine = models.CharField(max_length=40, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="What happened on each attempt, oldest first.")
    payload = models.JSONField(default=dict, blank=True, help_text="What the job works on, fixed when it was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the task reached the broker.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life from the worker.")
    leased_by = models.CharField(max_length=255, blank=True, help_text="The task delivery holding the job's lease.")
    finished_at = models.DateTimeField(null=True, blank=True)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} job {self.pk} ({self.state})"


class Publication(models.Model):
    """The publication's name and disclaimer template; one row."""

    name = models.CharField(max_length=200)
    disclaimer_template = models.TextField(default=DEFAULT_DISCLAIMER)

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "Publication":
        publication, _ = cls.objects.get_or_create(pk=1, defaults={"name": settings.PUBLICATION_NAME})
        return publication

    def render_disclaimer(self) -> str:
        """The disclaimer printed under articles; the default wording if the template lost its text or name."""
        template = self.disclaimer_template.strip()
        if "{publication}" not in template:
            template = DEFAULT_DISCLAIMER
        return template.replace("{publication}", self.name.strip() or settings.PUBLICATION_NAME)


class Notification(models.Model):
    """One message to one person about one event; written with the event, sent after it commits."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=30)
    # Unique per recipient: the same event is never told twice, however often the sender runs.
    key = models.CharField(max_length=100)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Seen in the desk's notification list (the bell counts those not read yet).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")]

    def __str__(self):
        return f"{self.event} to {self.recipient_id}"


class SourceFeed(models.Model):
    """An outlet's RSS or Atom feed, polled for new source articles in the name of the admin who registered it."""

    name = models.CharField(max_length=200, help_text="The outlet credited on every article from this feed.")
    url = models.URLField(max_length=1000, unique=True, validators=[URLValidator(schemes=["http", "https"])])
    language = models.CharField(max_length=12, default="ar")
    default_keywords = models.JSONField(default=list, blank=True)
    auto_draft = models.BooleanField(default=False, help_text="Order a machine draft of every new article.")
    active = models.BooleanField(default=True)
    # Imports and drafts run as this user, so their permissions still apply.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    etag = models.CharField(max_length=500, blank=True)
    modified = models.CharField(max_length=100, blank=True, help_text="The feed's Last-Modified header.")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="What went wrong on the last poll; blank when all was well.")
    watch = models.BooleanField(default=True, help_text="Watch the originals of this feed's articles for changes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class FeedItem(models.Model):
    """A feed entry already seen; its unique URL is what makes polling import each article once."""

    feed = models.ForeignKey(SourceFeed, on_delete=models.CASCADE, related_name="items")
    url = models.URLField(max_length=1000, unique=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seen_at", "-id"]

    def __str__(self):
        return self.url


class Comment(models.Model):
    """The article's comment thread: editors and translators talking about the text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"comment {self.pk} on {self.article_id}"


class PublishedVersion(models.Model):
    """Exactly what went out when the article was published or corrected: text, credit and disclaimer.

    The public site shows an article's live version and nothing else, so edits made
    afterwards (a correction being prepared) never leak before they are published.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="published_versions")
    number = models.PositiveIntegerField(help_text="1 for the first publication, then one more per correction.")
    slug = models.SlugField(max_length=120, db_index=True)
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    body = models.JSONField(help_text='[{"kind": "heading" or "paragraph", "text": ...}], in order.')
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="published_versions")
    keyword_names = models.JSONField(default=list)
    source_outlet = models.CharField(max_length=200)
    source_author = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    source_published_at = models.DateTimeField(null=True, blank=True)
    source_language = models.CharField(max_length=12)
    publication_name = models.CharField(max_length=200)
    disclaimer = models.TextField(help_text="The exact disclaimer printed under this version.")
    published_at = models.DateTimeField(help_text="When the article was first published.")
    corrections = models.JSONField(default=list, help_text='[{"at": ISO time, "note": ...}], oldest first.')
    # The original this version was translated from (the article's newest snapshot when it went out).
    snapshot = models.ForeignKey("SourceSnapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The other outlets that told the story, when the editors chose to credit them: ["Orient Daily", ...].
    also_reported_by = models.JSONField(default=list, blank=True)
    # The outlet removed the original after this was published, and an editor chose to keep the page: it says so.
    original_removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="published_version_number")]
        # The public pages list the live versions newest first: a page is read along this index, never sorted
        # from every version there is.
        indexes = [models.Index(fields=["-published_at", "-id"], name="published_version_newest")]

    def __str__(self):
        return f"{self.slug} v{self.number}"

    def get_absolute_url(self) -> str:
        """The article's public address (the same for every version: corrections keep the URL)."""
        return reverse("public-article", args=[self.slug])

    def credit(self) -> str:
        """The source credit, in words."""
        by = f", by {self.source_author}" if self.source_author else ""
        link = f": {self.source_url}" if self.source_url else ""
        return f"Translated from {self.source_outlet}{by}{link}"

    @property
    def correction_list(self) -> list[dict]:
        """The corrections, oldest first, with their times as datetimes."""
        from django.utils.dateparse import parse_datetime

        return [{"at": parse_datetime(c["at"]), "note": c["note"]} for c in self.corrections]

    @property
    def updated_at(self):
        return self.correction_list[-1]["at"] if self.corrections else None

    @property
    def source_language_name(self) -> str:
        from translations.languages import language_name

        return language_name(self.source_language)


class SnapshotContent(models.Model):
    """The bytes of an original as received, stored once however many snapshots share them (by SHA-256)."""

    sha256 = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.sha256


class SourceSnapshot(models.Model):
    """The original of an article exactly as it arrived (pasted, fetched by address, or from a feed), with its
    fingerprints: SHA-256 of the bytes and of the text extracted from them."""

    class Kind(models.TextChoices):
        PASTED = "pasted", "pasted"
        FETCHED = "fetched", "fetched by address"
        FEED = "feed", "from a feed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="snapshots")
    content = models.ForeignKey(SnapshotContent, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    text_sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=200, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    final_url = models.URLField(max_length=1000, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    retrieved_at = models.DateTimeField()
    # The text extracted from the bytes, as the import segments it: [[kind, text], ...], the title first. Its
    # texts, one per line, are what `text_sha256` fingerprints; an update from the original reads them.
    segments = models.JSONField(default=list)

    class Meta:
        ordering = ["-retrieved_at", "-id"]

    def __str__(self):
        return f"snapshot {self.sha256[:12]} of {self.article_id}"


class CheckOverride(models.Model):
    """An editor's decision that a blocking quality issue is acceptable, for the text as it was then."""

    segment = models.ForeignKey("translations.Segment", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="check_overrides")
    code = models.CharField(max_length=40)
    text_hash = models.CharField(max_length=64, help_text="The overridden text; a later edit lapses the override.")
    reason = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.code} overridden on segment {self.segment_id}"


class UserSession(models.Model):
    """A signed-in session of a user, recorded at sign-in so it can be found and ended (editorial.credentials)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True, help_text="Updated at most once a minute.")

    def __str__(self):
        return f"session of {self.user_id} from {self.address}"


class AccountEvent(models.Model):
    """One line of the account audit log: who did what to whom, from where and when. Written only by
    editorial.accounts.audit.record, never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=60, db_index=True, help_text="Dotted, e.g. account.signin.failed.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="account_events")
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def subject_name(self) -> str:
        """Whom it was about: the user, or the name typed for one who does not exist."""
        return self.subject.username if self.subject else self.details.get("username", "")


class Invitation(models.Model):
    """A colleague added by an admin who has not yet set their own password (editorial.accounts.invitations).
    Only a hash of the link's secret is kept; a resend replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"invitation of {self.user_id}"


class PublishTarget(models.Model):
    """Somewhere else the newsroom publishes (its WordPress, a webhook): each publish, correction and unpublish is
    sent there as a background job (editorial.delivering). The built-in public site is always on and has no row."""

    kind = models.CharField(max_length=20, help_text="A name in PUBLISH_TARGETS: wordpress, webhook.")
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000)
    username = models.CharField(max_length=200, blank=True)
    # Encrypted (editorial.targets.seal): never shown back once saved.
    secret = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.kind})"


class Delivery(models.Model):
    """Where an article stands at one target: what was last sent, and the target's own id for it (a WordPress
    post id), so a repeated or late job updates the same post and never makes a second."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RETRYING = "retrying"
        SENT = "sent"
        FAILED = "failed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deliveries")
    target = models.ForeignKey(PublishTarget, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    event = models.CharField(max_length=12, blank=True, help_text="published, corrected or unpublished.")
    remote_id = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=1000, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target__name", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "target"], name="one_delivery_per_target")]

    def __str__(self):
        return f"{self.article_id} at {self.target_id}: {self.state}"


class Story(models.Model):
    """One event as several outlets told it (or one outlet re-posted it): the wire desk shows it as one row
    (editorial.wire.stories)."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"story {self.pk}"


class WireItem(models.Model):
    """An article as the wire desk sees it: its gist (the machine translation of its headline and first
    paragraph, editorial.wire.gists), the words it is compared by, and the story it belongs to."""

    class Gist(models.TextChoices):
        PENDING = "pending"
        MADE = "made"
        UNAVAILABLE = "unavailable"  # the engine had nothing to offer (the memory-only engine, mostly)
        FAILED = "failed"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="wire")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    # What the gist and the fingerprint were made from (the headline and the first paragraph), hashed: a change
    # of either (an update from the original) makes them again.
    source_hash = models.CharField(max_length=64, blank=True)
    fingerprint = models.TextField(blank=True, help_text="The words the similarity back-end compares.")
    gist_state = models.CharField(max_length=12, choices=Gist.choices, default=Gist.PENDING, db_index=True)
    gist_headline = models.TextField(blank=True)
    gist_lead = models.TextField(blank=True)
    gist_engine = models.CharField(max_length=40, blank=True)
    gist_error = models.TextField(blank=True)
    gist_attempts = models.PositiveIntegerField(default=0)
    # A gist run working on it since then (editorial.wire.gists claims items so two runs never ask twice).
    claimed_at = models.DateTimeField(null=True, blank=True)
    made_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"wire item of {self.article_id}"


class FeedDay(models.Model):
    """How one feed's polls went on one day: the outlets' table counts fetch failures from these."""

    feed = models.ForeignKey(SourceFeed, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    polls = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "feed_id"]
        constraints = [models.UniqueConstraint(fields=["feed", "day"], name="one_feed_day")]

    def __str__(self):
        return f"{self.feed_id} on {self.day}"


class SearchEntry(models.Model):
    """What the article search reads (editorial.search): on PostgreSQL the article's words as a tsvector (GIN
    index, made by migration 0022); on SQLite they are in the FTS5 table `editorial_search_fts`, whose rowid is the
    article's id. Stale from a write until the entry is made again."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search")
    vector = SearchVectorField(null=True)
    # The article's import date (which never changes), copied when the entry is made: a word's matches come from
    # the GIN index with it, and the newest are kept without reading every match's article.
    created_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True, db_index=True)
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The entries newest first: a search of a common word walks them, testing each one's words, until it
        # has its window (editorial.search._newest_entries), without reading the articles' wide rows.
        indexes = [models.Index(fields=["-created_at", "-article"], name="editorial_searchentry_newest")]

    def __str__(self):
        return f"search entry of {self.article_id}"


class SearchLead(models.Model):
    """What a search's matches are ranked by, on PostgreSQL (editorial.search): the article's headline, lead,
    outlet, author and keywords as a compact tsvector (about 1.4 kB). A table of its own: in the entries' rows it
    made them wide, and PostgreSQL then chose to read every entry's whole vector rather than the GIN index's
    matches."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_lead")
    vector = SearchVectorField(null=True)

    def __str__(self):
        return f"search lead of {self.article_id}"

"""The text being translated: a source document split into ordered segments, and the memory."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Replace


class Document(models.Model):
    """One source text in one language, to be translated into another."""

    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12, default="en")
    source_title = models.TextField()
    source_body = models.TextField(help_text="The body as sanitised and segmented.")
    original_body = models.TextField(help_text="The body exactly as it arrived, kept for the record.")
    is_html = models.BooleanField(default=False)
    # The title and the segments' source text, folded (translations.normalize): what a search of the sources
    # matches, so that a query with or without marks, hamza or ta marbuta finds the same articles.
    search_text = models.TextField(default="", editable=False)
    # Its length in words, for the lists (a desk card's "312 words"), kept by the database whoever writes the text:
    # the folded text is single-spaced and trimmed, so its words are its spaces and one.
    source_words = models.GeneratedField(
        expression=models.Case(
            models.When(search_text="", then=0),
            default=Length("search_text") - Length(Replace("search_text", models.Value(" "), models.Value(""))) + 1),
        output_field=models.IntegerField(), db_persist=True)

    def __str__(self):
        return self.source_title[:80]

    @property
    def source_direction(self) -> str:
        """"rtl" or "ltr": how the source's language is written, for the pages' dir attributes."""
        from .languages import direction

        return direction(self.source_language)

    @property
    def source_language_name(self) -> str:
        from .languages import language_name

        return language_name(self.source_language)


# What a list of documents never shows: the body as it arrived and the folded text (its length in words is
# `source_words`). Each is a whole article (a few KB, stored compressed): read for a page of 25, they were most
# of the page's query.
LIST_DEFERRED = ("original_body", "search_text")


class CurrentSegments(models.Manager):
    """The segments an article has now: those an update from the original removed stay only for its history."""

    def get_queryset(self):
        return super().get_queryset().filter(removed=False)


class Segment(models.Model):
    class Kind(models.TextChoices):
        TITLE = "title"
        HEADING = "heading"
        PARAGRAPH = "paragraph"

    class Origin(models.TextChoices):
        MACHINE = "machine"
        MEMORY = "memory"
        HUMAN = "human"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    source_text = models.TextField()
    machine_text = models.TextField(null=True, blank=True)
    engine = models.CharField(max_length=40, blank=True, help_text="What drafted machine_text.")
    text = models.TextField(null=True, blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    # The original changed under this translation (an update from the original): the text was made from
    # `previous_source`, and stays blocked until someone saves or confirms it.
    source_changed = models.BooleanField(default=False)
    previous_source = models.TextField(blank=True)
    # Left the article with an update from the original; kept, hidden from every query, for the history.
    removed = models.BooleanField(default=False)

    every = models.Manager()
    objects = CurrentSegments()

    class Meta:
        ordering = ["document", "position"]
        default_manager_name = "objects"
        base_manager_name = "every"
        constraints = [
            models.UniqueConstraint(fields=["document", "position"], condition=models.Q(removed=False),
                                    name="segment_position_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.position}"

    @property
    def has_text(self) -> bool:
        return bool(self.text and self.text.strip())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


class MemoryEntry(models.Model):
    """A published pair of source and translated text, reused for later drafts."""

    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12)
    source_hash = models.CharField(max_length=64)
    source_text = models.TextField()
    # The source folded for matching (translations.normalize); short fuzzy lookups use a trigram index on it.
    normalized = models.TextField(default="")
    # The distinct words of `normalized`, space-separated: longer fuzzy lookups find candidates through a
    # word index on it (translations.memory).
    words = models.TextField(default="", db_default="", editable=False)
    target_text = models.TextField()
    origin_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the translation was published: a later publication of the same source replaces it, an earlier one not.
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_language", "target_language", "source_hash"], name="memory_entry_unique"
            ),
        ]
        verbose_name_plural = "memory entries"

    def __str__(self):
        return self.source_text[:80]


class MemoryWord(models.Model):
    """How many memory entries of a language pair contain a word: fuzzy lookups start from the rarest words."""

    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12)
    word = models.CharField(max_length=100)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_language", "target_language", "word"], name="memory_word_unique"),
        ]

    def __str__(self):
        return f"{self.word} ({self.entries})"


class GlossaryTerm(models.Model):
    """An agreed rendering of a name or term; `do_not_translate` marks names kept as they are (transliterated)."""

    source_language = models.CharField(max_length=12, default="ar")
    target_language = models.CharField(max_length=12, default="en")
    source_term = models.CharField(max_length=200)
    normalized_term = models.CharField(max_length=200, editable=False)
    target_term = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    do_not_translate = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source_term"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_language", "target_language", "normalized_term"], name="glossary_term_unique"
            ),
        ]

    def __str__(self):
        return f"{self.source_term} -> {self.target_term}"

    def save(self, *args, **kwargs):
        from .normalize import fold

        self.normalized_term = fold(self.source_term, self.source_language)
        super().save(*args, **kwargs)

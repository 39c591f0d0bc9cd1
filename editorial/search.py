"""Article search at archive scale: an index of every article's words, ranked matches, highlighted words.

Each article has a `SearchEntry`. On PostgreSQL it holds a tsvector (GIN-indexed, stripped of positions): the
headline and the source text folded as the memory folds Arabic (`translations.normalize`), the translation both
as written (the `simple` configuration) and stemmed (`english`), the outlet, author and keywords. Matches are
ranked by `ts_rank` over a second, compact vector of the same kinds of words: the headline (weight A), the lead
(the first LEAD_WORDS words of the source and of the translation, B), the outlet, author and keywords (C). A match
in the headline ranks first, then one in the lead; a match only further down ranks after them, newest first. On
SQLite the words go into an FTS5 table (`editorial_search_fts`), ranked by bm25.

An entry is made again after any write to its article's text, keywords or outlet commits: the signals below
mark it stale and, once the transaction commits, index it at once, or leave it to the sweeper
(`index_stale`, every 30 s) when the article is long (`SEARCH_INLINE_SEGMENTS`). Nothing is indexed from a
transaction that rolls back.
"""

import functools
import html
import json
import logging
import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_save
from django.utils import timezone

from translations.models import Document, Segment
from translations.normalize import normalize

from .models import Article, SearchEntry, SearchLead

log = logging.getLogger(__name__)

FTS_TABLE = "editorial_search_fts"
# PostgreSQL refuses a tsvector over 1 MB: the text of a very long article is cut well before.
MAX_INDEXED_CHARS = 400_000
# The lead ranked (see above): the whole text is ranked in no search. Ranking read every match's whole vector
# (10 kB an article, compressed, out of line), 1,000 of them a search; the compact one (models.SearchLead) is
# about 1.4 kB, in its row.
LEAD_WORDS = 40
_WORD = re.compile(r"[^\W_]+")  # letters and digits: the underscore separates words, as both indexes read it
_LATIN = re.compile("[a-z]")


def query_words(q: str) -> list[str]:
    """The words searched for, folded (marks, hamza forms, ta marbuta, digits, case), each once, in order."""
    return list(dict.fromkeys(_WORD.findall(normalize(q))))[:20]


# Indexing ------------------------------------------------------------------------------------------------------


def _texts(articles: list[Article]) -> dict[int, dict[str, str]]:
    """What each article is found by, in two queries for all of them."""
    by_document = {article.document_id: article for article in articles}
    parts: dict[int, dict] = {article.pk: {"headline": "", "translation": []} for article in articles}
    rows = (Segment.objects.filter(document_id__in=by_document).order_by("document_id", "position")
            .values_list("document_id", "kind", "text"))
    for document_id, kind, text in rows.iterator(chunk_size=5000):
        found = parts[by_document[document_id].pk]
        if kind == Segment.Kind.TITLE and not found["headline"]:
            found["headline"] = text or ""
        if text:
            found["translation"].append(text)
    keywords: dict[int, list[str]] = {article.pk: [] for article in articles}
    for article_id, name in Article.keywords.through.objects.filter(article_id__in=keywords).values_list(
            "article_id", "keyword__name"):
        keywords[article_id].append(name)
    texts = {}
    for article in articles:
        found = parts[article.pk]
        translation = "\n".join(found["translation"])[:MAX_INDEXED_CHARS]
        source = article.document.search_text[:MAX_INDEXED_CHARS]
        translated_lead = " ".join(translation.split()[:LEAD_WORDS])
        texts[article.pk] = {
            "title": normalize(f"{article.document.source_title}\n{found['headline']}"),
            "source": source,
            "translation": translation,
            "extra": normalize(f"{article.source_outlet} {article.source_author} {' '.join(keywords[article.pk])}"),
            "lead": " ".join(source.split()[:LEAD_WORDS]) + "\n" + normalize(translated_lead),
            "translated_lead": translated_lead,
        }
    return texts


def index(article_ids, batch: int = 500) -> int:
    """Make the entries of these articles from what they hold now, `batch` articles at a time; how many."""
    ids, done = list(article_ids), 0
    for start in range(0, len(ids), batch):
        articles = list(Article.objects.filter(pk__in=ids[start:start + batch]).select_related("document"))
        texts = _texts(articles)
        with transaction.atomic():
            SearchEntry.objects.bulk_create([SearchEntry(article_id=a.pk, created_at=a.created_at) for a in articles],
                                            ignore_conflicts=True)
            if connection.vendor == "postgresql":
                SearchLead.objects.bulk_create([SearchLead(article_id=a.pk) for a in articles], ignore_conflicts=True)
            for article in articles:
                _write(article.pk, texts[article.pk], article.created_at)
        done += len(articles)
    return done


def _write(article_id: int, texts: dict[str, str], created_at) -> None:
    now = timezone.now()
    if connection.vendor == "postgresql":
        # Stripped: the words only, without their positions and weights, which only ranking reads, and ranking
        # reads the lead's vector. Half the size (5 kB an article instead of 10): a common word's walk tests
        # 1,000 of them a search, and the table is half as much to keep in memory.
        vector = Func(SearchVector(Value(texts["title"]), Value(texts["source"]),
                                   Value(normalize(texts["translation"])), Value(texts["extra"]), config="simple")
                      + SearchVector(Value(texts["translation"]), config="english"),
                      function="strip", output_field=SearchVectorField())
        rank_vector = (SearchVector(Value(texts["title"]), config="simple", weight="A")
                       + SearchVector(Value(texts["lead"]), config="simple", weight="B")
                       + SearchVector(Value(texts["translated_lead"]), config="english", weight="C")
                       + SearchVector(Value(texts["extra"]), config="simple", weight="C"))
        SearchLead.objects.filter(pk=article_id).update(vector=rank_vector)
        SearchEntry.objects.filter(pk=article_id).update(vector=vector, created_at=created_at, stale=False,
                                                         indexed_at=now)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article_id])
        cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, title, source, translation, extra) "
                       "VALUES (%s, %s, %s, %s, %s)",
                       [article_id, texts["title"], texts["source"], normalize(texts["translation"]), texts["extra"]])
    SearchEntry.objects.filter(pk=article_id).update(created_at=created_at, stale=False, indexed_at=now)


def index_stale(limit: int = 200) -> int:
    """Index the entries marked stale (long articles, and any a failed indexing left behind)."""
    return index(SearchEntry.objects.filter(stale=True).order_by("pk").values_list("pk", flat=True)[:limit])


class _Batch:
    """The articles one transaction changed, indexed once when it commits."""

    def __init__(self, hooks):
        self.hooks, self.ids, self.documents = hooks, set(), {}
        self.hook = self.run  # one bound method, so the newest hook can be told to be this batch's

    def run(self):
        ids, self.ids, self.documents = self.ids, set(), {}
        if not ids:
            return
        long = set(Segment.objects.filter(document__article__in=ids).values("document")
                   .annotate(n=Count("pk")).filter(n__gt=settings.SEARCH_INLINE_SEGMENTS)
                   .values_list("document__article", flat=True))
        try:
            index(ids - long)
        except Exception:  # noqa: BLE001 - the write has committed; the sweeper indexes what is still stale
            log.exception("Indexing articles %s for search failed; the sweeper tries again", sorted(ids))


def _batch() -> _Batch:
    """This transaction's batch. Django starts a new list of commit hooks after a commit or a rollback: a batch
    whose list is gone belongs to a transaction that ended."""
    batch = getattr(connection, "_search_batch", None)
    if batch is None or batch.hooks is not connection.run_on_commit or not connection.in_atomic_block:
        batch = connection._search_batch = _Batch(connection.run_on_commit)
    return batch


def changed(article_id: int) -> None:
    """The article's words changed: its entry is stale now, and made again once the transaction commits. One
    transaction's later changes to the same article cost no query (a sync saves every segment)."""
    batch = _batch()
    if article_id not in batch.ids:
        SearchEntry.objects.update_or_create(article_id=article_id, defaults={"stale": True})
        batch.ids.add(article_id)
    # A hook unless the newest one is this batch's already: a revert of 2,000 segments adds one, not 2,000.
    hooks = connection.run_on_commit
    if not (connection.in_atomic_block and hooks and hooks[-1][1] is batch.hook):
        transaction.on_commit(batch.hook)


def _document_changed(document_id: int) -> None:
    batch = _batch()
    if document_id not in batch.documents:
        batch.documents[document_id] = (Article.objects.filter(document_id=document_id)
                                        .values_list("pk", flat=True).first())
    if batch.documents[document_id] is not None:
        changed(batch.documents[document_id])


def _segment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _document_changed(instance.document_id)


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(instance.pk)


def _document_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _document_changed(instance.pk)


def _keywords_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Article):
        changed(instance.pk)


def connect() -> None:
    """Listen to the writes that change what an article is found by (editorial.apps calls this)."""
    post_save.connect(_segment_saved, sender=Segment, dispatch_uid="search-segment")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search-article")
    post_save.connect(_document_saved, sender=Document, dispatch_uid="search-document")
    m2m_changed.connect(_keywords_changed, sender=Article.keywords.through, dispatch_uid="search-keywords")


# Searching -----------------------------------------------------------------------------------------------------


def _fts_match(words: list[str]) -> str:
    """An FTS5 query: every word, as a phrase (nothing the user typed is read as FTS5 syntax), the last a prefix."""
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


# A search whose words match at most this many entries takes them all from the GIN index and keeps the newest;
# one matching more walks the entries (or, with the list's filters, the articles) newest first, testing each
# one's words until the window is full. The walk reads every entry it passes (its words, 5 kB each): for a word
# of 10,000 of 100,000 articles it passes 10,000 to find the newest 1,000, where the GIN index hands over the
# 10,000 matches at once; for a word of most articles the walk passes little more than the 1,000. PostgreSQL's
# planner does not weigh that reading (it walks for a rare word too), but its statistics of the index's words
# estimate a word's matches well: within a factor of two for a word of thousands of articles, a floor of about
# 1% of the entries for rarer ones. The estimate (EXPLAIN, a millisecond) picks the path; counting the matches
# would read every one's words (PostgreSQL counts them by scanning the table, 370 ms for a common word). The
# folded words are estimated as they are: not as a prefix (a prefix's estimate falls to 1 on a small table), nor
# with the English stems an English query adds (which doubled a rare word's estimate); on the 100,000-article
# archive within 4% of the true count (4,880 for 5,039 matches, 96,757 for 96,935). Walking the entries and
# taking them from the index cost the same near 40,000 to 46,000 true matches (17 ms each); a word of 20,000
# took 39 ms walked, 14 from the index, one of 97,000 8 ms walked, 25 from the index (docs/benchmarks.md).
FEW_MATCHES = 46_000


def _estimated_matches(query) -> int:
    plan = json.loads(SearchEntry.objects.filter(vector=query).explain(format="json"))
    return plan[0]["Plan"]["Plan Rows"]


def _matching(query):
    """The ids of the entries matching `query`, taken from the GIN index as one unit: `OFFSET 0` keeps PostgreSQL
    from folding it into the outer query, where it may walk the articles testing each one's words again."""
    sql, params = SearchEntry.objects.filter(vector=query).values("pk").query.sql_with_params()
    return RawSQL(f"{sql} OFFSET 0", params)


def _sort_keys(ordering) -> list[tuple[str, bool, bool]]:
    """(field, descending, nulls last) for each item of a queryset ordering: "-created_at", "id",
    F("deadline").asc(nulls_last=True). Without nulls_last, NULL sorts as PostgreSQL sorts it: as the largest."""
    keys = []
    for item in ordering:
        if isinstance(item, str):
            name, descending, nulls_last = item.lstrip("-"), item.startswith("-"), None
        else:
            name, descending, nulls_last = item.expression.name, item.descending, item.nulls_last
        keys.append((name, descending, (not descending) if nulls_last is None else bool(nulls_last)))
    return keys


def _window_keys(ordering) -> list[tuple[str, bool, bool]]:
    """The sort keys of `ordering` as a window's rows are sorted by: the import date and then the id, in one
    direction, are the window's own order ("at", its rows' positions, newest first), so the window's query does
    not send the dates. Django reads each date in Python (its loader of PostgreSQL's timestamps): a window's
    1,000 took 6 ms, its 1,000 ids 1 ms."""
    keys, window = _sort_keys(ordering), []
    while keys:
        (name, descending, nulls_last), keys = keys[0], keys[1:]
        if name == "created_at" and keys and keys[0][0] in ("id", "pk") and keys[0][1] == descending:
            window.append(("at", not descending, False))
            keys = keys[1:]
        else:
            window.append((name, descending, nulls_last))
    return window


def _in_order(rows: list[dict], keys) -> list[dict]:
    """The window's rows in the order of `keys` (`_window_keys`), sorted here: one stable sort per key, the last
    key first."""
    for name, descending, nulls_last in reversed(keys):
        present = sorted((row for row in rows if row[name] is not None), key=lambda row: row[name],
                         reverse=descending)
        absent = [row for row in rows if row[name] is None]
        rows = present + absent if nulls_last else absent + present
    return rows


class ArticlePages:
    """A sequence of articles read as Django's and DRF's paginators read a queryset: `count()`, and a slice read
    as a page. A subclass says which ids a slice holds (`_ids`); the page is then one query for those articles'
    rows with everything the list shows, in the ids' order (one deleted meanwhile is left out)."""

    def __init__(self, articles):
        self.articles = articles

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        raise NotImplementedError

    def _ids(self, index: slice) -> list[int]:
        raise NotImplementedError

    def _rows(self, ids: list[int]) -> dict:
        return {article.pk: article for article in self.articles.order_by().filter(pk__in=ids)} if ids else {}

    def __getitem__(self, index):
        if isinstance(index, int):
            found = self[index:index + 1] if index >= 0 else []
            if not found:
                raise IndexError(index)
            return found[0]
        ids = self._ids(index)
        rows = self._rows(ids)
        return [rows[pk] for pk in ids if pk in rows]


class Results(ArticlePages):
    """A search's matches in the order asked for, read as Django's and DRF's paginators read a queryset.

    The window query read each match's id and the fields the ordering names (`_window_keys`), newest first; the
    count is the window's length and the order is made here (by rank: one query for the window's ranks). A page
    is then one query for those articles' rows with everything the list shows. Ordering the window in the
    database made it join every match to the list's tables (1,000 rows built to keep 25), and for a window
    spanning the archive PostgreSQL chose to scan every article for the ids."""

    def __init__(self, articles, window: list[dict], ranks, ordering):
        super().__init__(articles)
        self.window, self.ranks, self.keys = window, ranks, _window_keys(ordering)
        self._ordered = None

    def count(self) -> int:
        return len(self.window)

    def _order(self) -> list[dict]:
        if self._ordered is None:
            rows = [{**row, "at": at} for at, row in enumerate(self.window)]  # the window comes newest first
            if rows and "rank" in rows[0]:  # ranked by the window's query
                for row in rows:
                    row["rank"] = row["rank"] or 0.0
            elif rows and any(name == "rank" for name, _, _ in self.keys):
                rank_of = self.ranks([row["pk"] for row in rows])
                for row in rows:
                    row["rank"] = rank_of.get(row["pk"], 0.0)
            self._ordered = _in_order(rows, self.keys)
        return self._ordered

    def _ids(self, index: slice) -> list[int]:
        return [row["pk"] for row in self._order()[index]]

    def _rows(self, ids: list[int]) -> dict:
        """The page's articles, each with its `rank` (from the window when it was ranked, else read for them)."""
        if not ids:
            return {}
        rows, order = super()._rows(ids), self._order()
        rank_of = {row["pk"]: row["rank"] for row in order} if "rank" in order[0] else self.ranks(ids)
        for article in rows.values():
            article.rank = rank_of.get(article.pk, 0.0)
        return rows


def _ranks_postgresql(query, *, few: bool):
    def ranks(ids: list[int]) -> dict[int, float]:
        """{id: rank} of those matches whose lead holds a searched word (any one: the query with each `&` read as
        `|`); the others rank 0 and their leads are not read. ts_rank gives such a lead 0 (1e-20 to an `&` query):
        below any lead that holds a word. For one word of few matches (`few`) the leads holding it are found by
        their GIN index and only theirs are read (of a window of 1,000 matches, often some fifty); a common word is
        in most leads, which are read by their ids, as they are for several words: any of them may be a common
        one (its leads, most of the archive's, would all be looked up in the index), and the window of several
        words together is mostly small. The ids are bound as one array: written as `IN (...)` with a parameter
        each, a window's 1,000 took PostgreSQL 4 ms and psycopg and Django 8 more."""
        table = SearchLead._meta.db_table
        leads = SearchLead.objects.annotate(rank=SearchRank(F("vector"), query))
        sql, params = leads.values_list("pk", "rank").query.sql_with_params()
        compiler = leads.query.get_compiler(connection=connection)
        query_sql, query_params = compiler.compile(query.resolve_expression(leads.query))
        statement = (f'{sql} WHERE "{table}"."article_id" = ANY(%s::bigint[]) AND "{table}"."vector" @@ '
                     f"replace(({query_sql})::text, ' & ', ' | ')::tsquery")
        rows = _read_with(_fetched(statement, [*params, ids, *query_params]),
                          ("enable_indexscan",) if few else ("enable_bitmapscan",))
        # A lead holding one word of an `&` query's several ranks 1e-20, as one holding none would: both 0 here.
        return {pk: rank for pk, rank in rows if rank > 1e-20}
    return ranks


def _fetched(sql: str, params: list):
    """The rows of a statement, read when iterated (as a queryset is: `_read_with` reads it in its transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        yield from cursor.fetchall()


def _ranks_sqlite(match: str):
    def ranks(ids: list[int]) -> dict[int, float]:
        """bm25 (FTS5), negated so that higher is better: the headline weighs most, then source and translation."""
        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, -bm25({FTS_TABLE}, 4.0, 2.0, 2.0, 1.0) FROM {FTS_TABLE} "
                           f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})", [match, *ids])
            return dict(cursor.fetchall())
    return ranks


# How PostgreSQL is made to find a word's matches, for one query: the planner does not weigh that testing an
# entry's words reads its vector (5 kB, out of line), so it walks or scans where it should not.
# From the GIN index: every match, then the newest kept. With sequential scans allowed, the planner scanned the
# entries' table for a word of some 20,000 entries, testing 100,000 vectors (600 to 900 ms where the index's
# matches took 40); with index scans allowed, it walked the entries newest first for such a word.
FROM_THE_INDEX = ("enable_seqscan", "enable_indexscan")
# Walking the entries newest first (`editorial_searchentry_newest`), testing each one's words until enough match:
# for a word of most entries, the newest thousand are found among about as many.
WALKING = ("enable_seqscan", "enable_bitmapscan")


def _read_with(rows, off: tuple[str, ...]) -> list:
    """`rows` read with the planner's ways named in `off` turned off, for this query only."""
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("; ".join(f"SET LOCAL {name} = off" for name in off))
        found = list(rows)
        if nested:  # inside a caller's transaction the settings would outlive this query
            with connection.cursor() as cursor:
                cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in off))
    return found


def _newest_entries(query, limit: int, *, walk: bool) -> list[int]:
    """The ids of the newest `limit` entries matching `query`, newest first: walking the entries, or from the GIN
    index (see FEW_MATCHES)."""
    rows = SearchEntry.objects.filter(vector=query).order_by("-created_at", "-article_id").values_list(
        "pk", flat=True)[:limit]
    return _read_with(rows, WALKING if walk else FROM_THE_INDEX)


def _rank_postgresql(query):
    """Each match's rank by its lead, as an expression the window's query selects (for the walk of the articles
    with the list's filters): ts_rank's, where `ranks` gives 0 to the leads at 1e-20 or below; in one search all
    the rows are ranked one way, so the order is the same."""
    return SearchRank(F("search_lead__vector"), query)


def _window_from_the_index(articles, query, fields: list[str]) -> list[dict]:
    """The window of a word of few matches, among filtered articles. The GIN index gives every match; the newest
    twice a window of them are kept by the entries' own copy of the import date, and only those are read from the
    articles with the list's filters. Taking the newest from the articles' dates read all 100,000 articles to join
    20,000 matches (45 ms for such a word, 15 this way). When the filters leave fewer than a window among those
    newest, older matches may belong to it: the window is then found among all the matches."""
    size = settings.SEARCH_RANK_WINDOW
    newest = _newest_entries(query, 2 * size, walk=False)
    among = RawSQL(f'"{Article._meta.db_table}"."id" = ANY(%s::bigint[])', [newest], output_field=BooleanField())
    window = list(articles.filter(among).order_by("-created_at", "-id").values(*fields)[:size])
    if len(window) < size and len(newest) == 2 * size:
        window = _read_with(articles.filter(pk__in=_matching(query)).order_by(
            "-created_at", "-id").values(*fields)[:size], ("enable_seqscan",))
    return window


def _with_rank(articles, query, fields: list[str]):
    """The articles with their rank when the window's fields ask for it ("rank": the ordering sorts by it)."""
    return articles.annotate(rank=_rank_postgresql(query)) if "rank" in fields else articles


def ranked(articles, q: str, ordering=("-rank", "-created_at", "-id")) -> Results:
    """Those of `articles` (every other filter applied) that match every word of `q`, each with its `rank`
    (higher is better), in `ordering` ("-rank": best first): the newest SEARCH_RANK_WINDOW matches. A word of
    every other article ("قصف" in a Syrian archive) would have tens of thousands ranked on each search; the desk
    says when the window is full. The window is found first (on PostgreSQL by the words' selectivity, see
    FEW_MATCHES), with the fields the ordering sorts by; counting, ordering and paging read only it."""
    words = query_words(q)
    fields = ["pk", *dict.fromkeys(name for name, _, _ in _window_keys(ordering) if name not in ("pk", "at"))]
    if not words:  # punctuation only: nothing to look for
        return Results(articles, [], lambda ids: {}, ordering)
    if connection.vendor == "postgresql":
        # Words are letters and digits only (query_words), so they can be written as tsquery syntax as they are.
        folded = " & ".join([*words[:-1], f"{words[-1]}:*"])
        query = SearchQuery(folded, config="simple", search_type="raw")
        if _LATIN.search(folded):  # English words stemmed too ("reopened" finds "reopens"); words in other
            # letters would be looked up once more as they are, which the folded prefix query already does
            query |= SearchQuery(q, config="english", search_type="plain")
        few = _estimated_matches(SearchQuery(" & ".join(words), config="simple", search_type="raw")) <= FEW_MATCHES
        ranks = _ranks_postgresql(query, few=few and len(words) == 1)
        unranked = [name for name in fields if name != "rank"]  # ranked afterwards by the window's ids: joined to
        # the window's query, the ranks' tables were read for every candidate (45 ms where the two take 13)
        if not articles.query.where and unranked == ["pk"]:
            # No filter (an editor's search of everything) and an order by rank or date: the newest matching
            # entries are the window, whichever way they are found, without reading the articles for it.
            return Results(articles, [{"pk": pk} for pk in _newest_entries(
                query, settings.SEARCH_RANK_WINDOW, walk=not few)], ranks, ordering)
        if few:
            return Results(articles, _window_from_the_index(articles, query, unranked), ranks, ordering)
        matched = _with_rank(articles.filter(search__vector=query), query, fields)
    else:
        fields = [name for name in fields if name != "rank"]  # FTS5's ranks are asked for by the window's ids
        match = _fts_match(words)
        matched = articles.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                                                [match]))
        ranks = _ranks_sqlite(match)
    window = list(matched.order_by("-created_at", "-id").values(*fields)[:settings.SEARCH_RANK_WINDOW])
    return Results(articles, window, ranks, ordering)


@functools.lru_cache(maxsize=20_000)
def _fold(word: str) -> str:
    """A word of a text folded as the index folds it. An archive's words repeat (Zipf's law): a page of results
    folds each of its words once, not each time it occurs."""
    return normalize(word)


def _found(word: str, words: list[str]) -> bool:
    """Whether a word of a text is one of the searched words (folded; the last as a prefix)."""
    folded = _fold(word)
    return folded in words[:-1] or folded.startswith(words[-1])


def _marked(text: str, words: list[str]) -> str:
    out, at = [], 0
    for found in _WORD.finditer(text):
        if _found(found.group(), words):
            out += [html.escape(text[at:found.start()]), "<mark>", html.escape(found.group()), "</mark>"]
            at = found.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def highlight(text: str, q: str) -> str:
    """The text as safe HTML, each word matching a searched word (folded; the last as a prefix) in <mark>."""
    words = query_words(q)
    if not words or not text:
        return html.escape(text or "")
    return _marked(text, words)


def _may_hold(text: str, words: list[str]) -> bool:
    """Whether the text, folded, holds a searched word anywhere: one pass over a text that cannot hold a match.
    A text in ASCII (a translation into English) folds to its lower case, without normalize's passes: the words
    are letters and digits, which only the case folding changes there."""
    folded = text.lower() if text.isascii() else normalize(text)
    return any(word in folded for word in words)


def snippet(texts: list[str], words: list[str], width: int = 220) -> str:
    """About `width` characters of the first text holding a searched word (`query_words`), around it,
    highlighted."""
    for text in texts:
        if not text or not _may_hold(text, words):
            continue
        for found in _WORD.finditer(text):
            if _found(found.group(), words):
                start = max(0, found.start() - width // 3)
                piece = text[start:start + width]
                return ("…" if start else "") + _marked(piece, words) + ("…" if start + width < len(text) else "")
    return ""


# A snippet is looked for in the first segments of each article found (the match may lie deeper: it is found and
# ranked all the same, and the headline shows it).
SNIPPET_SEGMENTS = 40


def _located_first(sources: list[str], title: str, folded: str, words: list[str]) -> list[str]:
    """An article's source segments (in order) that may hold a searched word, the one holding the first match
    first, found in the document's `search_text` (its title and segments folded, in order, so it starts with the
    title folded): folding keeps the words one for one, so the match's word number names the segment. The snippet
    then folds that one segment instead of each before it, and none when only the headline matched (a name's
    usual case). The others follow in order, in case a word the folding dropped (one of marks only) shifted the
    count."""
    body = len(normalize(title))
    at = min((found for found in (folded.find(word, body) for word in words) if found >= 0), default=-1)
    if at < 0:
        return []  # no segment holds a searched word, even inside another word
    number, passed = folded.count(" ", body + 1, at), 0
    for index, text in enumerate(sources):
        passed += len(text.split())
        if passed > number:
            return [text, *sources[:index], *sources[index + 1:]]
    return sources


def snippets(articles, q: str) -> dict[int, str]:
    """{article id: a highlighted snippet of its translation, else of its source}, for a page of results: two
    queries."""
    words = query_words(q)
    if not words:
        return {}
    by_document = {article.document_id: article.pk for article in articles}
    translations: dict[int, list[str]] = {pk: [] for pk in by_document.values()}
    sources: dict[int, list[str]] = {pk: [] for pk in by_document.values()}
    titles = dict.fromkeys(by_document.values(), "")
    rows = (Segment.objects.filter(document_id__in=by_document, position__lt=SNIPPET_SEGMENTS)
            .order_by("document_id", "position").values_list("document_id", "kind", "source_text", "text"))
    for document_id, kind, source_text, text in rows:
        if kind == Segment.Kind.TITLE:
            titles[by_document[document_id]] = source_text
        else:
            translations[by_document[document_id]].append(text or "")
            sources[by_document[document_id]].append(source_text)
    folded = {by_document[pk]: text for pk, text in
              Document.objects.filter(pk__in=by_document).values_list("pk", "search_text")}
    return {pk: snippet(translations[pk] + _located_first(sources[pk], titles[pk], folded.get(pk, ""), words),
                        words) for pk in translations}


def mark_found(articles, q: str) -> None:
    """Give each article of a page of results `found`: its rank and, as safe HTML, its headline and a snippet
    with the matched words marked (what the desk shows and the API returns)."""
    snippet_of = snippets(articles, q)
    for article in articles:
        article.found = {"rank": round(float(getattr(article, "rank", 0) or 0), 6),
                         "title": highlight(article.title_text or article.document.source_title, q),
                         "snippet": snippet_of.get(article.pk, "")}

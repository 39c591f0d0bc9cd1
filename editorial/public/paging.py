"""Pages of the public lists that never count the list: a page reads its rows and one more.

The public pages link only to the newer and the older page, so the one fact a page needs beyond its rows is
whether an older one exists. Django's Paginator counts the whole list for its page numbers: 80,000 live versions
in a five-year archive, counted on every request that misses the cache."""


class Page:
    """Page `number` (from 1) of `items`, `size` to a page; `has_next` from one row read past the page. The
    methods are those of Django's Page the templates use."""

    def __init__(self, items, number: int, size: int):
        start = (number - 1) * size
        rows = list(items[start:start + size + 1])
        self.number = number
        self.object_list = rows[:size]
        self._older = len(rows) > size

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self._older

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

"""Path converters shared by every URLconf."""

from django.urls import register_converter


class IdConverter:
    """A database id: digits that fit a 64-bit integer; anything longer is simply not found."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

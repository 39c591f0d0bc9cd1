"""CSV cells that spreadsheets will not run: a cell starting with = + - @ (or a tab or carriage return) would be
read as a formula by Excel, LibreOffice or Google Sheets, so it is written with a leading apostrophe (OWASP's
advice for CSV injection); `from_cell` takes the apostrophe off again when such a file comes back."""

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def to_cell(value: str) -> str:
    # A value that starts with an apostrophe gets one too, so that reading it back cannot take off its own.
    return "'" + value if value.startswith((*_TRIGGERS, "'")) else value


def from_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith((*_TRIGGERS, "'")) else value

"""One exception for every refused request; the API turns it into the error shape of API.md."""

from translations import characters


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def check_text(field: str, label: str, text: str | None) -> None:
    """Refuse (400 `invalid_character`) text a person typed that holds a character no stored text may hold
    (translations.characters), naming it and where it is."""
    found = characters.first_forbidden(text or "")
    if found is not None:
        message = (f"{label[0].upper()}{label[1:]} holds {found.describe()} at character {found.position}: it cannot "
                   "be published (feeds cannot carry it, or it reorders what readers see). Remove it and save again.")
        raise Refused(400, "invalid_character", message,
                      {field: [message], "character": found.code, "position": found.position})

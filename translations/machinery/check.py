"""Try the configured engine on a sample sentence: what an admin runs to see that drafting will work."""

import time

from .base import MachineTranslationError, get_engine

SAMPLE = "عادت الحياة إلى طبيعتها في المدينة بعد اتفاق أنهى أربعة أيام من التصعيد."


def check_engine(name: str | None = None, text: str = SAMPLE, source: str = "ar", target: str = "en") -> dict:
    """{"ok", "engine", "configuration", "source", "translation", "seconds", "error"} for one test translation."""
    started = time.monotonic()
    result = {"ok": False, "source": text, "translation": None, "error": None}
    try:
        engine = get_engine(name)
        result["engine"] = engine.name
        result["configuration"] = engine.describe()
        if engine.name == "memory":
            result.update(ok=True, translation=None,
                          error=None, note="The memory engine needs no service; it reuses published translations.")
        else:
            texts = engine.translate_batch([text], source, target)
            result.update(ok=bool(texts and texts[0]), translation=texts[0] if texts else None)
            if not result["ok"]:
                result["error"] = "The engine answered without a translation."
    except MachineTranslationError as exc:
        result["error"] = str(exc)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result

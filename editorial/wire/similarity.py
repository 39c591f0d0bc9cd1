"""How alike two incoming items are: back-ends behind one base class, registered by dotted path in
`WIRE_SIMILARITY_BACKENDS` and chosen by `WIRE_SIMILARITY`, as the MT engines are.

A back-end turns an item's headline and first paragraph into a fingerprint (stored on the item, so a new item
is compared with the recent ones without reading their text again) and scores a fingerprint against many,
from 0 to 1. A story whose items score `threshold` or more on average takes the new item (editorial.wire.stories).
`docs/benchmarks.md` gives each back-end's precision and recall on the labelled stories in
`editorial/wire/stories.json` (`make bench-wire`).
"""

import math
import re
from collections import Counter

from django.conf import settings
from django.utils.module_loading import import_string
from nltk.stem.isri import ISRIStemmer
from rapidfuzz import fuzz, process

from translations.normalize import normalize, strip_marks

# Words every story has: prepositions, pronouns, the verbs of reporting and the news's stock phrases. Folded
# as `normalize` folds. The days of the week are not among them: two shellings of one town differ by the day.
ARABIC_STOP_WORDS = frozenset(normalize(" ".join("""
في من على إلى الى عن مع أن إن ان كان كانت يكون التي الذي الذين اللذين هذا هذه ذلك تلك هناك هنا وقد قد لقد
بعد قبل خلال حيث كما أو او ثم لم لن ما لا عند بين حتى منذ وفق وفقا وفقاً نحو أمس اليوم يوم أي كل بعض غير
إثر اثر جراء ضمن عبر لدى حول فيما بينما إضافة اضافة قال قالت يقول أفاد افاد أفادت افادت ذكر ذكرت أعلن اعلن
أعلنت اعلنت أكد اكد أكدت اكدت أشار اشار أشارت اشارت بحسب حسب نقلا نقلاً وذلك وهو وهي هو هي هم نحن أنه انه
أنها انها إنه له لها لهم به بها فيه فيها منه منها عليه عليها إليه اليه إليها اليها وأن وان وإن
مصادر مصدر محلية محلي مراسل مراسلنا أيضا أيضاً ايضا موقع أوردته اوردته
""".split())).split())
# Numbers written as words, as outlets write small ones: "أربعة قتلى" and "4 قتلى" are one figure.
NUMBER_WORDS = {normalize(word): digits for word, digits in {
    "واحد": "1", "اثنان": "2", "اثنين": "2", "ثلاثة": "3", "ثلاث": "3", "أربعة": "4", "أربع": "4", "خمسة": "5",
    "خمس": "5", "ستة": "6", "ست": "6", "سبعة": "7", "سبع": "7", "ثمانية": "8", "ثماني": "8", "تسعة": "9",
    "تسع": "9", "عشرة": "10", "عشر": "10"}.items()}
_WORD = re.compile(r"\w+")
# The days of the week, folded and without the article: an item naming one day and another naming a different
# one are two events (the second shelling of a town, the next fuel price rise), however alike their words.
WEEKDAYS = frozenset(normalize("أحد اثنين ثلاثاء أربعاء خميس جمعة سبت").split())
DAY_MARK = "@"
# A name quoted in guillemets, as a re-post credits the outlet it took the story from: not the story's words.
_QUOTED_NAME = re.compile(r"«[^»]{0,40}»")
_STEMMER = ISRIStemmer()
# The headline and about this many words of the first paragraph: enough to name the event, not its context.
LEAD_WORDS = 45


def content_words(text: str) -> list[str]:
    """The text's words that name things, in order: folded, numbers as digits, the rest reduced to their root
    (NLTK's ISRI stemmer), so that "قتلى", "مقتل" and "قتيل" are one word."""
    words = []
    for raw in _WORD.findall(_QUOTED_NAME.sub(" ", strip_marks(text))):
        word = normalize(raw)
        if word in ARABIC_STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        bare = word[1:] if word[:1] in "وبلف" and word[1:] in NUMBER_WORDS else word
        day = word.removeprefix("و").removeprefix("ب").removeprefix("ال")
        if day in WEEKDAYS:
            words.append(DAY_MARK + day)
        elif bare in NUMBER_WORDS:
            words.append(NUMBER_WORDS[bare])
        elif word.isdigit() or not word.isalpha():
            words.append(word)
        else:
            words.append(normalize(_STEMMER.stem(raw)))
    return words


def days(words) -> set[str]:
    return {word for word in words if word.startswith(DAY_MARK)}


class Similarity:
    """Base class: a fingerprint per item, and scores from 0 to 1 of one fingerprint against others."""

    name = ""
    threshold = 0.5

    def fingerprint(self, headline: str, lead: str) -> str:
        """What is stored on the item and compared: its content words, space-separated, each once."""
        words = content_words(headline) + content_words(lead)[:LEAD_WORDS]
        return " ".join(dict.fromkeys(words))

    def scores(self, fingerprint: str, others: list[str]) -> list[float]:
        raise NotImplementedError


class WeightedOverlap(Similarity):
    """The words two items share, each weighted by how rare it is among the items compared (inverse document
    frequency), over the weight of the smaller item: a town or a figure named by few items counts for much,
    "قصف" or "مدني" for little, and a long first paragraph is not a reason to look unlike a short one."""

    name = "words"
    threshold = 0.24
    # A pair naming different days keeps this share of its score.
    other_day = 0.5

    def scores(self, fingerprint, others):
        mine = set(fingerprint.split())
        theirs = [set(other.split()) for other in others]
        frequency = Counter(word for words in [mine, *theirs] for word in words)
        count = len(theirs) + 1

        def weight(words):  # summed exactly: a set's order follows the hash seed, and a float sum its order
            # (an item compared with itself scored 1.0000000000000002 in one run of ten)
            return math.fsum(math.log((count + 1) / (frequency[w] + 0.5)) for w in words)

        mine_weight, my_days = weight(mine), days(mine)
        found = []
        for words in theirs:
            smaller = min(mine_weight, weight(words))
            score = min(1.0, weight(mine & words) / smaller) if smaller > 0 else 0.0
            their_days = days(words)
            if my_days and their_days and not my_days & their_days:
                score *= self.other_day
            found.append(score)
        return found


class FuzzyTokens(Similarity):
    """rapidfuzz's token-set ratio of the two fingerprints: the simple baseline the benchmark compares with."""

    name = "fuzzy"
    threshold = 0.6

    def scores(self, fingerprint, others):
        found = process.extract(fingerprint, others, scorer=fuzz.token_set_ratio, limit=None)
        scores = [0.0] * len(others)
        for _, score, index in found:
            scores[index] = score / 100
        return scores


def backend(name: str | None = None) -> Similarity:
    """The back-end named (or the one `WIRE_SIMILARITY` configures), from `WIRE_SIMILARITY_BACKENDS`."""
    return import_string(settings.WIRE_SIMILARITY_BACKENDS[name or settings.WIRE_SIMILARITY])()

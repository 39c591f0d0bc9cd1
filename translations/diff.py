"""Word-level differences between two texts (diff-match-patch on word tokens)."""

import re

from diff_match_patch import diff_match_patch

_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_OPS = {0: "equal", 1: "insert", -1: "delete"}


def word_diff(before: str | None, after: str | None) -> list[list[str]]:
    """[["equal"|"insert"|"delete", text], ...] turning `before` into `after`, whole words at a time."""
    before, after = before or "", after or ""
    vocabulary: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for token in _TOKEN_RE.findall(text):
            if token not in vocabulary:
                tokens.append(token)
                # One private-use code point per distinct token (segments are far below 131k tokens).
                vocabulary[token] = chr(0xF0000 + len(tokens))
            chars.append(vocabulary[token])
        return "".join(chars)

    engine = diff_match_patch()
    engine.Diff_Timeout = 2.0
    encoded_before, encoded_after = encode(before), encode(after)
    decode = {char: token for token, char in vocabulary.items()}
    diffs = engine.diff_main(encoded_before, encoded_after, False)
    engine.diff_cleanupSemantic(diffs)
    ops: list[list[str]] = []
    for op, chars in diffs:
        text = "".join(decode[c] for c in chars)
        if ops and ops[-1][0] == _OPS[op]:
            ops[-1][1] += text
        else:
            ops.append([_OPS[op], text])
    return ops

"""Near-duplicate stems within a subtest, by word-bigram Jaccard similarity.

A plain all-pairs comparison grows with the square of the bank; the prefix filter of the
standard set-similarity join only compares stems that share one of their rarest bigrams, which
any pair above the threshold must.
"""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

THRESHOLD = 0.85
_WORD = re.compile(r"\w+", re.UNICODE)


def bigrams(text: str) -> frozenset[tuple[str, str]]:
    words = _WORD.findall(text.lower())
    if len(words) < 2:
        return frozenset((w, "") for w in words)
    return frozenset(zip(words, words[1:], strict=False))


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def near_duplicate_stems(
    items: list[dict[str, Any]], threshold: float = THRESHOLD
) -> Iterator[tuple[dict[str, Any], dict[str, Any], float]]:
    by_subtest: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_subtest[item["subtest"]].append(item)
    for group in by_subtest.values():
        yield from _similar_pairs(group, threshold)


def _similar_pairs(
    group: list[dict[str, Any]], threshold: float
) -> Iterator[tuple[dict[str, Any], dict[str, Any], float]]:
    sets = [bigrams(item["stem"]) for item in group]
    frequency = Counter(gram for s in sets for gram in s)
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, grams in enumerate(sets):
        ordered = sorted(grams, key=lambda g: (frequency[g], g))
        prefix = len(ordered) - math.ceil(threshold * len(ordered)) + 1
        candidates = {j for gram in ordered[:prefix] for j in index[gram]}
        for j in sorted(candidates):
            score = jaccard(sets[i], sets[j])
            if score >= threshold:
                yield group[j], group[i], score
        for gram in ordered[:prefix]:
            index[gram].append(i)

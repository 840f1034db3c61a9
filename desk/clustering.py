"""Near-duplicate detection: which comments are the same letter with a few words changed.

A campaign sends one letter, lightly edited, from hundreds of people. Each text
becomes a set of word shingles (runs of ``SHINGLE_WORDS`` consecutive words, found
with ICU's word breaker so Khmer, written without spaces between words, splits as
well as English); a MinHash signature estimates the Jaccard similarity of two such
sets, and locality-sensitive hashing (LSH) finds the pairs above ``THRESHOLD``
without comparing every pair. Pairs are joined into clusters (union-find).

Pure functions over texts and signatures: the database side (what is stored,
when it is recomputed) is ``desk.services.clusters_recompute``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import icu
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from core.segment import words

# 128 permutations estimate a Jaccard similarity within about ±0.09; enough to
# tell a lightly edited copy (similarity 0.6 and more) from a different letter (< 0.1).
NUM_PERM = 128
SHINGLE_WORDS = 2
# Below this many words a text says too little to call two of them the same letter
# ("I agree with this article." is short and common without being a campaign).
MIN_WORDS = 12
# Two texts whose shingle sets overlap this much are the same letter. Five words
# edited in a 60-word letter keep about 0.7 of its two-word shingles.
THRESHOLD = 0.5
SEED = 1


_KHMER = re.compile("[\u1780-\u17ff]")
# A piece between ICU word boundaries is a word if it has a letter or digit (Khmer
# vowel signs and the coeng are marks, \w matches the consonants they attach to).
_WORDLIKE = re.compile(r"\w")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


_local = threading.local()


def _breaker(language: str):
    """One ICU word iterator per thread and language (building one loads dictionaries)."""
    cache = _local.__dict__.setdefault("breakers", {})
    if language not in cache:
        cache[language] = icu.BreakIterator.createWordInstance(icu.Locale(language))
    return cache[language]


def tokens(text: str) -> list[str]:
    """The words of ``text``, case-folded, without spaces and punctuation (ICU word boundaries)."""
    normalised = unicodedata.normalize("NFC", text or "").casefold()
    language = "km" if _KHMER.search(normalised) else "en"
    if _ASTRAL.search(normalised):
        # ICU counts in UTF-16 units: outside the basic plane (emoji) offsets differ
        # from Python's, so take the slower path that converts them.
        pieces = words(normalised, language)
    else:
        breaker = _breaker(language)
        breaker.setText(normalised)
        start = breaker.first()
        pieces = []
        for end in breaker:
            pieces.append(normalised[start:end])
            start = end
    return [piece for piece in pieces if _WORDLIKE.search(piece)]


def shingles(word_list: Sequence[str]) -> set[bytes]:
    if len(word_list) < SHINGLE_WORDS:
        return {" ".join(word_list).encode()}
    return {
        " ".join(word_list[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(word_list) - SHINGLE_WORDS + 1)
    }


SCHEME = "affine32"
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme=SCHEME)


@dataclass(frozen=True)
class Signature:
    """A text's MinHash signature (``NUM_PERM`` 32-bit values) and its number of words."""

    hashvalues: np.ndarray
    word_count: int

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, word_count: int) -> Signature:
        return cls(np.frombuffer(bytes(data), dtype="<u4").astype(np.uint64), word_count)

    @property
    def clusterable(self) -> bool:
        return self.word_count >= MIN_WORDS

    def minhash(self) -> LeanMinHash:
        return LeanMinHash(seed=SEED, hashvalues=self.hashvalues, scheme=SCHEME)


def signature(text: str) -> Signature:
    """The MinHash signature of a text's word shingles."""
    word_list = tokens(text)
    minhash = _TEMPLATE.copy()
    minhash.update_batch(list(shingles(word_list)))
    return Signature(minhash.hashvalues.copy(), len(word_list))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.count_nonzero(a.hashvalues == b.hashvalues)) / NUM_PERM


def group(signatures: Iterable[tuple[int, Signature]]) -> list[list[int]]:
    """Groups of two or more keys whose texts are near-duplicates, each sorted, largest first.

    Every signature goes into datasketch's LSH index once; texts that share a band
    bucket there are candidates. Each candidate is confirmed against the bucket's
    first member on the estimated similarity (one vectorised comparison per
    bucket), so a chance collision in one band does not merge two different
    letters, and confirmed pairs are joined (union-find). Reading the buckets
    instead of querying the index once per text keeps 20,000 texts to seconds.
    """
    keys: list[int] = []
    rows: list[np.ndarray] = []
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, sig in signatures:
            if not sig.clusterable:
                continue
            session.insert(len(keys), sig.minhash(), check_duplication=False)
            keys.append(key)
            rows.append(sig.hashvalues)
    if not keys:
        return []
    matrix = np.vstack(rows)
    parent = list(range(len(keys)))

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving keeps later finds short
            item = parent[item]
        return item

    for table in lsh.hashtables:
        for bucket_key, count in table.itemcounts().items():
            if count < 2:
                continue
            members = np.fromiter(table.get(bucket_key), dtype=np.int64)
            first = members[0]
            agree = (matrix[members[1:]] == matrix[first]).mean(axis=1)
            root_first = find(int(first))
            for other in members[1:][agree >= THRESHOLD]:
                root_other = find(int(other))
                if root_other != root_first:
                    parent[max(root_first, root_other)] = min(root_first, root_other)
                    root_first = min(root_first, root_other)
    groups: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(find(index), []).append(key)
    return sorted(
        (sorted(members) for members in groups.values() if len(members) > 1),
        key=lambda members: (-len(members), members[0]),
    )


def representative(members: Sequence[int], signatures: dict[int, Signature]) -> int:
    """The member most like the others (the letter as the campaign wrote it, most likely).

    Compared with a sample of the members, so a cluster of thousands costs little.
    """
    sample = list(members[:: max(1, len(members) // 50)])[:50]
    return max(
        members[: 200 if len(members) > 200 else len(members)],
        key=lambda key: (
            sum(similarity(signatures[key], signatures[other]) for other in sample),
            -key,
        ),
    )

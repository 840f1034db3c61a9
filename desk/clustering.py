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

import hashlib
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def _has_khmer(text: str) -> bool:
    return any("\u1780" <= char <= "\u17ff" for char in text)


def tokens(text: str) -> list[str]:
    """The words of ``text``, case-folded, without spaces and punctuation (ICU word boundaries)."""
    normalised = unicodedata.normalize("NFC", text or "").casefold()
    language = "km" if _has_khmer(normalised) else "en"
    return [piece for piece in words(normalised, language) if any(c.isalnum() for c in piece)]


def shingles(word_list: Sequence[str]) -> set[bytes]:
    if len(word_list) < SHINGLE_WORDS:
        return {" ".join(word_list).encode()}
    return {
        " ".join(word_list[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(word_list) - SHINGLE_WORDS + 1)
    }


def _hash32(data: bytes) -> int:
    # blake2b is much faster than datasketch's default sha1 and as well spread.
    return struct.unpack("<I", hashlib.blake2b(data, digest_size=4).digest())[0]


SCHEME = "affine32"
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_hash32, scheme=SCHEME)


@dataclass(frozen=True)
class Signature:
    """A text's MinHash signature (``NUM_PERM`` 32-bit values) and its number of words."""

    hashvalues: np.ndarray
    word_count: int

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, word_count: int) -> Signature:
        return cls(np.frombuffer(bytes(data), dtype="<u8").astype(np.uint64), word_count)

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


def _find(parent: dict[int, int], item: int) -> int:
    root = item
    while parent[root] != root:
        root = parent[root]
    while parent[item] != root:  # path compression keeps later finds short
        parent[item], item = root, parent[item]
    return root


def group(signatures: Iterable[tuple[int, Signature]]) -> list[list[int]]:
    """Groups of two or more keys whose texts are near-duplicates, each sorted, largest first.

    LSH proposes candidate pairs; each is confirmed on the estimated similarity, so
    a chance collision in one band does not merge two different letters.
    """
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    kept: dict[int, Signature] = {}
    parent: dict[int, int] = {}
    for key, sig in signatures:
        if not sig.clusterable:
            continue
        parent.setdefault(key, key)
        minhash = sig.minhash()
        for other in lsh.query(minhash):
            if similarity(sig, kept[other]) >= THRESHOLD:
                root_a, root_b = _find(parent, key), _find(parent, other)
                if root_a != root_b:
                    parent[max(root_a, root_b)] = min(root_a, root_b)
        lsh.insert(key, minhash)
        kept[key] = sig
    groups: dict[int, list[int]] = {}
    for key in parent:
        groups.setdefault(_find(parent, key), []).append(key)
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

"""Typo-tolerant comparison of names, informed by how often each spelling occurs.

Names match once titles, accents, case, punctuation and word order are ignored, allowing two typo
edits in all (none in a two-letter word, one in a word of three or four letters: "Awa"/"Ava"
match, "Ali"/"Alou" do not), a lost or shifted space, or a second given name left out (accepted
by ``tiers`` only where the workplace and post agree). Two spellings the country's lexicon lists
as names ("Awa"/"Hawa", "Koné"/"Kané"), or both frequent in the data without one dwarfing the
other, are different names, not a typo of each other.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain, permutations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from nominations.arrays import pairs_within, unique
from nominations.normalise import typo_cap

EDGE_BUDGET = 2  # typo edits between two nominations merged directly
DROPPED_NAME = EDGE_BUDGET + 1  # cost of a given name missing from one side
CLUSTER_SCALE = 2  # any two nominations of a group may be twice as far apart
FAR = 99
_MAX_NEIGHBOURS = 6
_ESTABLISHED = 4
_TYPO_SHARE = 8


class Names:
    """Typo-tolerant name comparison informed by how often each spelling occurs.

    A spelling seen at least ``_ESTABLISHED`` times is established unless a spelling
    within typo distance is ``_TYPO_SHARE`` times as frequent: misspellings of a
    common name do recur in a large campaign, but only as a small share of it.
    Two established spellings are different names even when one letter apart, and
    so are two names the lexicon lists ("Awa" and "Hawa", "Koné" and "Kané") however
    rare they are in the data.
    """

    def __init__(self, frequency: Counter[str], known: frozenset[str]) -> None:
        self.frequency = frequency
        self.known = known
        self._tokens: dict[tuple[str, str], tuple[int, int]] = {}
        self._names: dict[tuple[tuple[str, ...], tuple[str, ...], int], int] = {}
        self._index: dict[str, list[int]] = {}  # deletion variant -> spellings by number
        self._vocabulary: list[str] = []
        self.established: set[str] = set()
        self.options = self._survey()

    def distinct(self, a: str, b: str) -> bool:
        if a in self.known and b in self.known:
            return True
        return a in self.established and b in self.established

    def _survey(self) -> dict[str, tuple[str, ...]]:
        """For each spelling, the spellings whose blocks it joins.

        A spelling joins its own block and those of the more frequent spellings
        within typo distance, closest first: a misspelling then meets the name it
        came from, while the blocks of established names stay small.
        """
        frequency = self.frequency
        # Numbered in frequency order: a spelling's neighbours are those of lower number, and
        # (distance, number) ranks them as (distance, -frequency, spelling) does.
        vocabulary = self._vocabulary = sorted(frequency, key=lambda t: (-frequency[t], t))
        width = len(vocabulary)
        index = self._index
        for number, token in enumerate(vocabulary):
            for variant in deletes(token, 1 if len(token) <= 4 else 2):
                found = index.get(variant)
                if found is None:
                    index[variant] = [number]
                else:
                    found.append(number)
        # Spellings sharing a deletion variant, as (more frequent, less frequent), compared at
        # once: there are some fifty per spelling.
        shared = [found for found in index.values() if len(found) > 1]
        sizes = np.fromiter(map(len, shared), dtype=np.int64, count=len(shared))
        flat = np.fromiter(chain.from_iterable(shared), dtype=np.int64, count=int(sizes.sum()))
        group = np.repeat(np.arange(len(shared), dtype=np.int64), sizes)
        left, right = pairs_within(group, flat)
        pair = unique(left * max(width, 1) + right)
        other, token = pair // max(width, 1), pair % max(width, 1)
        spellings = np.asarray(vocabulary, dtype=object)
        distance = process.cpdist(
            spellings[other].tolist(),
            spellings[token].tolist(),
            scorer=OSA.distance,
            score_cutoff=2,
            dtype=np.int64,
        ).reshape(-1)
        lengths = np.asarray([len(t) for t in vocabulary], dtype=np.int64)
        # typo_cap: one edit from three letters on, two from five.
        close = (distance <= 2) & (
            np.maximum(lengths[other], lengths[token]) >= np.where(distance == 1, 3, 5)
        )
        other, token, distance = other[close], token[close], distance[close]
        counts = np.asarray([frequency[t] for t in vocabulary], dtype=np.int64)
        known = np.asarray([t in self.known for t in vocabulary], dtype=bool)
        lexical = known[other] & known[token]
        dwarfed = np.zeros(width, dtype=bool)
        dwarfed[token[(counts[other] >= counts[token] * _TYPO_SHARE) & ~lexical]] = True
        established = (counts >= _ESTABLISHED) & ~dwarfed
        self.established.update(
            t for t, e in zip(vocabulary, established.tolist(), strict=True) if e
        )
        # Two spellings ``distinct`` tells apart are never a typo of each other.
        keep = ~lexical & ~(established[other] & established[token])
        other, token, distance = other[keep], token[keep], distance[keep]
        order = np.lexsort((other, distance, token))
        other, token = other[order], token[order]
        starts = np.searchsorted(token, np.arange(width))
        rank = np.arange(len(token)) - starts[token]
        other, token = (
            other[rank < _MAX_NEIGHBOURS].tolist(),
            token[rank < _MAX_NEIGHBOURS].tolist(),
        )
        neighbours: dict[int, list[str]] = {}
        for n, t in zip(other, token, strict=True):
            neighbours.setdefault(t, []).append(vocabulary[n])
        return {t: (t, *neighbours.get(n, ())) for n, t in enumerate(vocabulary)}

    def near(self, piece: str) -> list[str]:
        """Known spellings a typo away from a piece of a word, closest first."""
        found: set[str] = set()
        vocabulary = self._vocabulary
        for variant in deletes(piece, 1 if len(piece) <= 4 else 2):
            found.update(vocabulary[n] for n in self._index.get(variant, ()))
        close = process.extract(piece, found, scorer=OSA.distance, score_cutoff=2, limit=None)
        return [
            n for n, d, _ in sorted(close, key=lambda c: (c[1], c[0])) if d <= typo_cap(piece, n)
        ]

    def token_cost(self, a: str, b: str) -> tuple[int, int]:
        """Typo edits between two words under the strict and the doubled cap, FAR
        beyond the cap."""
        if a == b:
            return 0, 0
        key = (a, b) if a < b else (b, a)
        found = self._tokens.get(key)
        if found is None:
            cap = typo_cap(a, b)
            if cap == 0 or self.distinct(a, b):
                found = (FAR, FAR)
            else:
                d = OSA.distance(a, b, score_cutoff=cap * CLUSTER_SCALE)
                found = (d if d <= cap else FAR, d if d <= cap * CLUSTER_SCALE else FAR)
            self._tokens[key] = found
        return found

    def distance(self, a: tuple[str, ...], b: tuple[str, ...], scale: int = 1) -> int:
        """Total typo edits between two sorted token tuples, or FAR."""
        if a == b:
            return 0 if a else FAR
        if not a or not b:
            return FAR
        key = (a, b, scale) if a < b else (b, a, scale)
        found = self._names.get(key)
        if found is None:
            found = self._distance(a, b, scale)
            self._names[key] = found
        return found

    def once(self, a: tuple[str, ...], b: tuple[str, ...]) -> int:
        """``distance(a, b)`` of two different names, not kept: for callers that ask each pair
        once (the memo's key, a tuple of two tuples, costs a tenth of the comparison)."""
        return self._distance(a, b, 1) if a and b else FAR

    def _distance(self, a: tuple[str, ...], b: tuple[str, ...], scale: int) -> int:
        if len(a) == len(b):
            found = self._assign(a, b, scale)
            if found < FAR or len(a) > 3 or len(set(a) & set(b)) > len(a) - 2:
                return found
            # A space typed one letter off ("Roki aKeita") changes two words at
            # once: compare the names without spaces, in every word order,
            # counting the shift as one edit.
            budget = EDGE_BUDGET * scale - 1
            joined = {"".join(p) for p in permutations(b)}
            best = min(
                OSA.distance("".join(p), other, score_cutoff=budget)
                for p in permutations(a)
                for other in joined
            )
            return best + 1 if best <= budget else FAR
        if abs(len(a) - len(b)) != 1:
            return FAR
        # A lost or typed-over space: "AminataGoita", "Abdoulkarim".
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        best = FAR
        for i, j in permutations(range(len(longer)), 2):
            rest = [t for k, t in enumerate(longer) if k not in (i, j)]
            joined = tuple(sorted([*rest, longer[i] + longer[j]]))
            best = min(best, self._assign(joined, shorter, scale))
        if best < FAR or len(shorter) < 2:
            return best
        # A second given name left out: "Mamadou Traoré" for "Mamadou Lamine
        # Traoré". Weaker than any typo, so only accepted exactly and, by the
        # caller, where the workplace and post leave no doubt.
        for i in range(len(longer)):
            rest = longer[:i] + longer[i + 1 :]
            cost = 0 if rest == shorter else self._assign(rest, shorter, scale)
            if cost == 0 or (scale > 1 and cost <= EDGE_BUDGET):
                best = min(best, DROPPED_NAME + cost)
        return best if best < FAR else FAR

    def _assign(self, a: tuple[str, ...], b: tuple[str, ...], scale: int) -> int:
        """Cheapest pairing of the words of two names, each pair within its typo cap."""
        k = 0 if scale == 1 else 1
        cost = self.token_cost
        n = len(a)
        if n == 1:
            best = cost(a[0], b[0])[k]
        elif n == 2:
            best = min(
                cost(a[0], b[0])[k] + cost(a[1], b[1])[k],
                cost(a[0], b[1])[k] + cost(a[1], b[0])[k],
            )
        else:
            costs = [[cost(x, y)[k] for y in b] for x in a]
            if n <= 5:
                best = min(sum(costs[i][p[i]] for i in range(n)) for p in permutations(range(n)))
            else:  # long names are rare; a greedy pairing is good enough
                best, used = 0, set()
                for row in costs:
                    j = min((j for j in range(n) if j not in used), key=row.__getitem__)
                    used.add(j)
                    best += row[j]
        return best if best <= EDGE_BUDGET * scale else FAR


def deletes(word: str, depth: int) -> set[str]:
    """The word with up to ``depth`` letters deleted."""
    if depth == 2:  # each pair of positions once, not each deletion of each deletion
        n = len(word)
        return {
            word,
            *(word[:i] + word[i + 1 :] for i in range(n)),
            *(
                word[:i] + word[i + 1 : j] + word[j + 1 :]
                for i in range(n)
                for j in range(i + 1, n)
            ),
        }
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def respellings(tokens: tuple[str, ...], names: Names) -> list[tuple[str, ...]]:
    """Readings of a name with a lost space restored ("AminataGoita", even with a
    typo in one half) or a stray space removed, where the pieces or the glued
    word are spellings seen in other names."""
    frequency = names.frequency
    out = []
    for i, token in enumerate(tokens):
        if frequency[token] >= 3:
            continue
        rest = tokens[:i] + tokens[i + 1 :]
        if len(token) >= 6:
            for cut in range(2, len(token) - 1):
                # skip=1 covers a space typed over by a letter ("aminataxgoita").
                for skip in (0, 1):
                    left, right = token[:cut], token[cut + skip :]
                    if left in frequency and right in frequency:
                        out.append(tuple(sorted((*rest, left, right))))
                    elif len(tokens) == 1 and min(len(left), len(right)) >= 3:
                        # A whole name run together is rare: worth a closer look.
                        if left in frequency:
                            out.extend(tuple(sorted((left, r))) for r in names.near(right)[:2])
                        elif right in frequency:
                            out.extend(tuple(sorted((x, right))) for x in names.near(left)[:2])
        for j, other in enumerate(tokens):
            if j == i:
                continue
            others = [t for k, t in enumerate(tokens) if k not in (i, j)]
            for glued in (token + other, other + token):
                if glued in frequency:
                    out.append(tuple(sorted((*others, glued))))
    return out

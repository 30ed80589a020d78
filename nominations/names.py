"""Typo-tolerant comparison of names, informed by how often each spelling occurs.

Names match once titles, accents, case, punctuation and word order are ignored, allowing two typo
edits in all (none in a two-letter word, one in a word of three or four letters: "Awa"/"Ava"
match, "Ali"/"Alou" do not), a lost or shifted space, or a second given name left out (accepted
by ``tiers`` only where the workplace and post agree). Two spellings the country's lexicon lists
as names ("Awa"/"Hawa", "Koné"/"Kané"), or both frequent in the data without one dwarfing the
other, are different names, not a typo of each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain, permutations

from rapidfuzz import process
from rapidfuzz.distance import OSA

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
        self._index: dict[str, list[str]] = defaultdict(list)
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
        vocabulary = sorted(frequency, key=lambda t: (-frequency[t], t))
        # Filled in frequency order, so a lookup only meets more frequent spellings.
        index = self._index
        options: dict[str, tuple[str, ...]] = {}
        for token in vocabulary:
            variants = deletes(token, 1 if len(token) <= 4 else 2)
            near = set(chain.from_iterable([index[v] for v in variants if v in index]))
            found = process.extract(token, near, scorer=OSA.distance, score_cutoff=2, limit=None)
            size = len(token)
            close = [
                (d, -frequency[n], n)
                for n, d, _ in found
                if max(size, len(n)) >= (3 if d == 1 else 5)  # typo_cap, inlined
            ]
            own = frequency[token]
            if own >= _ESTABLISHED and all(
                -minus < own * _TYPO_SHARE or (token in self.known and n in self.known)
                for _, minus, n in close
            ):
                self.established.add(token)
            ranked = sorted(c for c in close if not self.distinct(token, c[2]))
            options[token] = (token, *(n for _, _, n in ranked[:_MAX_NEIGHBOURS]))
            for variant in variants:
                index[variant].append(token)
        return options

    def near(self, piece: str) -> list[str]:
        """Known spellings a typo away from a piece of a word, closest first."""
        found: set[str] = set()
        for variant in deletes(piece, 1 if len(piece) <= 4 else 2):
            found.update(self._index.get(variant, ()))
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

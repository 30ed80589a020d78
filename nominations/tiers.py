"""The first pass: profiles whose names are a typo apart and whose context agrees, merged in tiers.

A pair may be one person when the regions are equal once normalised or one is blank; the
institutions are compatible (same kind of workplace once abbreviations are expanded, same
locality allowing typos or one side naming it more fully, same commune, arrondissement or
section; a blank institution or a missing part is a wildcard); and the posts are compatible (same
post once gender, word order and workplace words are set aside, or one is blank).

Common names make namesakes frequent, so wildcards must not chain two people together. Matches
are merged in order of certainty, fewest wildcards first, and a merge is refused when any two
nominations on either side clash (another region, workplace or post, names too far apart). A
vague nomination that fits several people who cannot be merged joins the best supported one only
if that one holds most of their nominations, a better than even bet; otherwise it stays apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from nominations.arrays import unique, unique_inverse
from nominations.blocking import candidate_pairs
from nominations.lexicon import Lexicon
from nominations.names import CLUSTER_SCALE, DROPPED_NAME, EDGE_BUDGET, FAR, Names
from nominations.normalise import (
    Institution,
    Position,
    institutions_compatible,
    positions_compatible,
)


class Profile:
    """The nominations that normalise to exactly the same fields."""

    __slots__ = ("genders", "ids", "institution", "name", "position", "region", "towns")

    def __init__(
        self,
        name: tuple[str, ...],
        region: str,
        institution: Institution | None,
        position: Position | None,
    ) -> None:
        self.ids: list[Hashable] = []
        self.towns: set[str] = set()
        self.genders: set[str] = set()  # "m", "f": what the titles of its nominations say
        self.name = name
        self.region = region
        self.institution = institution
        self.position = position


class Facets:
    """The distinct values a group of nominations gives for each field."""

    __slots__ = ("genders", "institutions", "names", "positions", "regions")

    def __init__(self, p: Profile) -> None:
        self.names = {p.name}
        self.regions = {p.region} if p.region else set()
        self.institutions = {p.institution} if p.institution is not None else set()
        self.positions = {p.position} if p.position is not None else set()
        self.genders = set(p.genders)

    def absorb(self, other: Facets) -> None:
        self.genders |= other.genders
        self.names |= other.names
        self.regions |= other.regions
        self.institutions |= other.institutions
        self.positions |= other.positions


class Grouper:
    """Blocking, pairwise matching and merging over distinct profiles."""

    def __init__(self, profiles: list[Profile], lex: Lexicon) -> None:
        self.profiles = profiles
        self.lex = lex
        frequency: Counter[str] = Counter()
        for p in profiles:
            for token in p.name:
                frequency[token] += len(p.ids)
        self.names = Names(frequency, lex.distinct)
        self._institutions: dict[tuple[Institution, Institution], tuple[bool, bool]] = {}
        self._positions: dict[tuple[Position, Position], bool] = {}
        self._loose: dict[tuple[Any, Any], bool] = {}

    def institutions(self, a: Institution, b: Institution) -> tuple[bool, bool]:
        if a == b:
            return True, not (a.kinds and (a.place or a.numbers))
        found = self._institutions.get((a, b))
        if found is None:
            found = institutions_compatible(a, b)
            self._institutions[(a, b)] = self._institutions[(b, a)] = found
        return found

    def positions(self, a: Position, b: Position) -> bool:
        if a == b:
            return True
        found = self._positions.get((a, b))
        if found is None:
            found = positions_compatible(a, b)
            self._positions[(a, b)] = self._positions[(b, a)] = found
        return found

    def context(self, p: Profile, q: Profile) -> int | None:
        """Number of wildcards used to match region, institution and post, or None (also when
        the titles say one is a man and the other a woman)."""
        if len(p.genders) == 1 and len(q.genders) == 1 and p.genders != q.genders:
            return None
        vague = 0
        if p.region != q.region:
            if p.region and q.region:
                return None
            vague += 1
        elif not p.region:
            vague += 1
        if p.institution is None or q.institution is None:
            vague += 1
        else:
            ok, partial = self.institutions(p.institution, q.institution)
            if not ok:
                return None
            vague += partial
        if p.position is None or q.position is None:
            vague += 1
        elif not self.positions(p.position, q.position):
            return None
        return vague

    def consistent(self, a: Facets, b: Facets) -> bool:
        """Whether two groups may be one person: every region, institution, post
        and name of one agrees with every one of the other, with doubled typo
        allowances since each may be misspelt in its own way."""
        if a.regions and b.regions and a.regions != b.regions:
            return False
        if len(a.genders) == 1 and len(b.genders) == 1 and a.genders != b.genders:
            return False
        for x in a.institutions:
            for y in b.institutions:
                if x != y and not self._lenient(x, y, institutions_compatible):
                    return False
        for x in a.positions:
            for y in b.positions:
                if x != y and not self._lenient(x, y, positions_compatible):
                    return False
        distance = self.names.distance
        for x in a.names:
            for y in b.names:
                if x != y and distance(x, y, CLUSTER_SCALE) >= FAR:
                    return False
        return True

    def _lenient(self, x: Any, y: Any, compatible: Callable[..., Any]) -> bool:
        found = self._loose.get((x, y))
        if found is None:
            result = compatible(x, y, lenient=True)
            found = result[0] if isinstance(result, tuple) else result
            self._loose[(x, y)] = self._loose[(y, x)] = found
        return found

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(wildcards, name distance, i, j) for every pair that may be one person, as arrays.

        The context verdict depends only on region, institution, post and titles, which many
        profiles share (one person's misspellings): each part is decided once per pair of
        distinct values, and a name distance once per pair of distinct names.
        """
        profiles = self.profiles
        i, j = candidate_pairs(profiles, self.names)
        region = _numbered([p.region for p in profiles], blank="")
        # The titles say a man (1), a woman (2), or nothing sure (0).
        sex = np.asarray(
            [(1 if "m" in p.genders else 2) if len(p.genders) == 1 else 0 for p in profiles],
            dtype=np.int64,
        )
        ri, rj = region[0][i], region[0][j]
        keep = (sex[i] * sex[j] != 2) & ((ri == rj) | (ri == 0) | (rj == 0))
        i, j, ri, rj = i[keep], j[keep], ri[keep], rj[keep]
        vague = ((ri == 0) | (rj == 0)).astype(np.int64)
        for values, judge in (
            ([p.institution for p in profiles], self.institutions),
            ([p.position for p in profiles], self.positions),
        ):
            numbers, distinct = _numbered(values, blank=None)
            ni, nj = numbers[i], numbers[j]
            known = (ni > 0) & (nj > 0)
            verdict = _judged(ni[known], nj[known], distinct, judge)
            ok = np.ones(len(i), dtype=bool)
            ok[known] = verdict > 0
            vague += ~known
            vague[known] += verdict == 2  # a vague institution (positions are never vague)
            i, j, vague = i[ok], j[ok], vague[ok]
        numbers, distinct = _numbered([p.name for p in profiles], blank=None)
        ni, nj = numbers[i], numbers[j]
        distance = np.zeros(len(i), dtype=np.int64)
        other = ni != nj  # a profile's name is never blank
        names = self.names.distance
        distance[other] = _judged(ni[other], nj[other], distinct, names)
        keep = (distance <= EDGE_BUDGET) | ((distance == DROPPED_NAME) & (vague == 0))
        return vague[keep], distance[keep], i[keep], j[keep]

    def clusters(self) -> list[list[int]]:
        """Union-find over the edges, one tier of wildcards at a time."""
        vague, distance, i, j = self.edges()
        merger = _Merger(self)
        for tier in unique(vague).tolist():
            pick = vague == tier
            merger.tier(tier, distance[pick], i[pick], j[pick])
        return merger.clusters()


def _numbered(values: list[Any], blank: Any) -> tuple[np.ndarray, list[Any]]:
    """A number for each value, 0 for ``blank``, and the distinct values by number."""
    numbers: dict[Any, int] = {blank: 0}
    found = np.asarray([numbers.setdefault(v, len(numbers)) for v in values], dtype=np.int64)
    return found, list(numbers)


def _judged(a: np.ndarray, b: np.ndarray, values: list[Any], judge: Callable) -> np.ndarray:
    """``judge`` of each pair of values, called once per distinct pair (lower number first),
    as an int: True 1, False 0, (True, vague) 2."""
    width = len(values)
    pairs, inverse = unique_inverse(np.minimum(a, b) * width + np.maximum(a, b))
    verdicts = []
    for key in pairs.tolist():
        found = judge(values[key // width], values[key % width])
        if isinstance(found, tuple):
            found = (2 if found[1] else 1) if found[0] else 0
        verdicts.append(int(found))
    return np.asarray(verdicts, dtype=np.int64).reshape(-1)[inverse.reshape(-1)]


class _Merger:
    """Union-find over profiles, checking the groups on both sides before each merge."""

    def __init__(self, grouper: Grouper) -> None:
        n = len(grouper.profiles)
        self.grouper = grouper
        self.parent = list(range(n))
        self.members = [[i] for i in range(n)]
        self.weight = [len(p.ids) for p in grouper.profiles]
        self.facets: list[Facets | None] = [None] * n  # built when first needed
        # Verdicts on two groups hold until one of them grows: each is kept with the groups'
        # versions (how many times each grew), in any tier.
        self.verdicts: dict[int, tuple[int, int, bool]] = {}
        self.version = [0] * n

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def facet(self, a: int) -> Facets:
        found = self.facets[a]
        if found is None:
            found = self.facets[a] = Facets(self.grouper.profiles[a])
        return found

    def mergeable(self, a: int, b: int) -> bool:
        if a > b:
            a, b = b, a
        key = a * len(self.parent) + b
        va, vb = self.version[a], self.version[b]
        found = self.verdicts.get(key)
        if found is not None and found[0] == va and found[1] == vb:
            return found[2]
        verdict = self.grouper.consistent(self.facet(a), self.facet(b))
        self.verdicts[key] = (va, vb, verdict)
        return verdict

    def allowed(self, partners: set[int]) -> set[int]:
        """The partners a vague group may join this round.

        When its partners are rival people (they cannot be merged), it joins the best supported
        one only if that one holds most of their nominations, a better than even bet; otherwise
        it waits, so as not to guess.
        """
        weight = self.weight
        ranked = sorted(partners, key=lambda r: (-weight[r], r))
        top = ranked[0]
        rivals = [r for r in ranked[1:] if not self.mergeable(top, r)]
        if not rivals:
            return partners
        if weight[top] * 2 > weight[top] + sum(weight[r] for r in rivals):
            return {r for r in partners if r not in rivals}
        return {r for r in partners if all(self.mergeable(r, o) for o in partners if o != r)}

    def tier(self, vague: int, distance: np.ndarray, i: np.ndarray, j: np.ndarray) -> None:
        """Merge along one tier's edges (distance, i, j), the closest and heaviest first."""
        find, mergeable = self.find, self.mergeable
        # No merge happens while sorting: the edges are sorted by (distance, -weight of both
        # groups, i, j), all distinct, with each profile's group as it is before the tier.
        parent = np.asarray(self.parent, dtype=np.int64)
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
        weight = np.asarray(self.weight, dtype=np.int64)
        a, b = parent[i], parent[j]
        order = np.lexsort((j, i, -(weight[a] + weight[b]), distance))
        starts = list(zip(a[order].tolist(), b[order].tolist(), strict=True))
        edges = list(zip(i[order].tolist(), j[order].tolist(), strict=True))
        options: dict[int, set[int]] | None = None
        if vague:
            partners: dict[int, set[int]] = defaultdict(set)
            for a, b in starts:
                if a != b and mergeable(a, b):
                    partners[a].add(b)
                    partners[b].add(a)
            options = {a: self.allowed(ps) for a, ps in partners.items()}
        for (x, y), (a, b) in zip(edges, starts, strict=True):
            if options is not None and (b not in options.get(a, ()) or a not in options.get(b, ())):
                continue
            x, y = find(x), find(y)
            if x != y and mergeable(x, y):
                self.union(x, y)

    def union(self, a: int, b: int) -> None:
        members = self.members
        if len(members[a]) < len(members[b]):
            a, b = b, a
        self.parent[b] = a
        members[a].extend(members[b])
        self.weight[a] += self.weight[b]
        self.facet(a).absorb(self.facet(b))
        members[b] = []
        self.version[a] += 1

    def clusters(self) -> list[list[int]]:
        return [m for i, m in enumerate(self.members) if m and self.parent[i] == i]

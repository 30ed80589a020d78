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

from nominations.arrays import pair_numbers, unique, unique_inverse
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
    """The distinct values a group of nominations gives for each field: names, institutions
    and posts by their numbers in ``Grouper`` (ints hash at once, tuples of strings do not)."""

    __slots__ = ("genders", "institutions", "names", "positions", "regions")

    def __init__(self, p: Profile, name: int, institution: int, position: int) -> None:
        self.names = {name}
        self.regions = {p.region} if p.region else set()
        self.institutions = {institution} if institution else set()
        self.positions = {position} if position else set()
        self.genders = set(p.genders)

    def take(self, p: Profile, name: int, institution: int, position: int) -> None:
        """``absorb`` of a single profile's facets, without building them."""
        self.names.add(name)
        if p.region:
            self.regions.add(p.region)
        if institution:
            self.institutions.add(institution)
        if position:
            self.positions.add(position)
        self.genders.update(p.genders)

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
        # Each field's distinct values by number (0 for blank), and the verdicts of pairs of
        # them under doubled typo allowances, keyed by (lower number) * count + higher.
        self.fields = {
            "name": _numbered([p.name for p in profiles], blank=None),
            "institution": _numbered([p.institution for p in profiles], blank=None),
            "position": _numbered([p.position for p in profiles], blank=None),
        }
        self._loose: dict[str, dict[int, bool]] = {field: {} for field in self.fields}

    # The judges of ``edges``, which asks each distinct pair of values once (``_judged``).
    @staticmethod
    def institutions(a: Institution, b: Institution) -> tuple[bool, bool]:
        if a == b:
            return True, not (a.kinds and (a.place or a.numbers))
        return institutions_compatible(a, b)

    @staticmethod
    def positions(a: Position, b: Position) -> bool:
        return a == b or positions_compatible(a, b)

    def consistent(self, a: Facets, b: Facets) -> bool:
        """Whether two groups may be one person: every region, institution, post
        and name of one agrees with every one of the other, with doubled typo
        allowances since each may be misspelt in its own way."""
        if a.regions and b.regions and a.regions != b.regions:
            return False
        if len(a.genders) == 1 and len(b.genders) == 1 and a.genders != b.genders:
            return False
        return (
            self._agree("institution", a.institutions, b.institutions)
            and self._agree("position", a.positions, b.positions)
            and self._agree("name", a.names, b.names)
        )

    def _agree(self, field: str, xs: set[int], ys: set[int]) -> bool:
        """Whether every value of one side agrees with every value of the other."""
        loose = self._loose[field]
        values = self.fields[field][1]
        width = len(values)
        for x in xs:
            for y in ys:
                if x == y:
                    continue
                key = x * width + y if x < y else y * width + x
                found = loose.get(key)
                if found is None:
                    found = loose[key] = self._lenient(field, values[x], values[y])
                if not found:
                    return False
        return True

    def _lenient(self, field: str, x: Any, y: Any) -> bool:
        if field == "institution":
            return institutions_compatible(x, y, lenient=True)[0]
        if field == "position":
            return positions_compatible(x, y, lenient=True)
        return self.names.distance(x, y, CLUSTER_SCALE) < FAR

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
        for field, judge in (("institution", self.institutions), ("position", self.positions)):
            numbers, distinct = self.fields[field]
            ni, nj = numbers[i], numbers[j]
            known = (ni > 0) & (nj > 0)
            verdict = _judged(ni[known], nj[known], distinct, judge)
            ok = np.ones(len(i), dtype=bool)
            ok[known] = verdict > 0
            vague += ~known
            vague[known] += verdict == 2  # a vague institution (positions are never vague)
            i, j, vague = i[ok], j[ok], vague[ok]
        numbers, distinct = self.fields["name"]
        ni, nj = numbers[i], numbers[j]
        distance = np.zeros(len(i), dtype=np.int64)
        other = ni != nj  # a profile's name is never blank
        names = self.names.once  # each pair of distinct names is asked once
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
    pairs, inverse = unique_inverse(pair_numbers(a, b, width))
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
        # Two single profiles an edge links always pass ``consistent``: the edge already held
        # them to the strict allowances of which ``consistent`` doubles each (a name distance
        # under the strict cap is under the doubled one too). Not for names of more than five
        # words, whose words are paired greedily: there the doubled cap may pair them worse.
        self.plain = [len(p.name) <= 5 for p in grouper.profiles]
        # Each profile's name, institution and post by number, as lists (a numpy element read
        # one at a time costs several list reads).
        self.numbers = [grouper.fields[f][0].tolist() for f in ("name", "institution", "position")]

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def facet(self, a: int) -> Facets:
        found = self.facets[a]
        if found is None:
            names, institutions, positions = self.numbers
            found = self.facets[a] = Facets(
                self.grouper.profiles[a], names[a], institutions[a], positions[a]
            )
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
        find, version, plain = self.find, self.version, self.plain

        def mergeable(a: int, b: int) -> bool:  # the groups of an edge's two profiles
            if not version[a] and not version[b] and plain[a] and plain[b]:
                return True  # two single profiles: the edge itself
            return self.mergeable(a, b)

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
        # An edge within one group stays there: its groups can only grow.
        apart = a != b
        distance, i, j, a, b = distance[apart], i[apart], j[apart], a[apart], b[apart]
        order = np.lexsort((j, i, -(weight[a] + weight[b]), distance))
        starts = list(zip(a[order].tolist(), b[order].tolist(), strict=True))
        edges = list(zip(i[order].tolist(), j[order].tolist(), strict=True))
        options: dict[int, set[int]] | None = None
        if vague:
            # Many edges join the same two groups: each pair of groups is asked once (no merge
            # happens here, and mergeable is symmetric).
            width = max(len(parent), 1)
            met = unique(pair_numbers(a, b, width))
            partners: dict[int, set[int]] = defaultdict(set)
            for a, b in zip((met // width).tolist(), (met % width).tolist(), strict=True):
                if mergeable(a, b):
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
        other = self.facets[b]
        if other is None:  # a single profile never asked about: its fields go in directly
            names, institutions, positions = self.numbers
            self.facet(a).take(self.grouper.profiles[b], names[b], institutions[b], positions[b])
        else:
            self.facet(a).absorb(other)
        members[b] = []
        self.version[a] += 1

    def clusters(self) -> list[list[int]]:
        return [m for i, m in enumerate(self.members) if m and self.parent[i] == i]

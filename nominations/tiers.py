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

    def edges(self) -> list[tuple[int, int, int, int]]:
        """(wildcards, name distance, i, j) for every pair that may be one person.

        The context verdict depends only on region, institution, post and titles, which many
        profiles share (one person's misspellings): it is decided once per pair of contexts.
        """
        profiles = self.profiles
        ids: dict[tuple[object, ...], int] = {}
        context_of = [
            ids.setdefault((p.region, p.institution, p.position, frozenset(p.genders)), len(ids))
            for p in profiles
        ]
        # Keyed by the two contexts' numbers in one int, cheaper to hash than a pair.
        verdicts: dict[int, int | None] = {}
        width = len(ids)
        # Names by number too: the distance between two of them is looked up by one int.
        numbers: dict[tuple[str, ...], int] = {}
        name_of = [numbers.setdefault(p.name, len(numbers)) for p in profiles]
        count = len(numbers)
        distances: dict[int, int] = {}
        distance = self.names.distance
        context = self.context
        verdict, known = verdicts.get, distances.get
        found = []
        append = found.append
        for i, j in candidate_pairs(profiles, self.names):
            a, b = context_of[i], context_of[j]
            key = a * width + b if a < b else b * width + a
            vague = verdict(key, -1)  # a verdict is None or a count of wildcards
            if vague == -1:
                vague = verdicts[key] = context(profiles[i], profiles[j])
            if vague is None:
                continue
            x, y = name_of[i], name_of[j]
            if x == y:
                append((vague, 0, i, j))  # a profile's name is never blank
                continue
            key = x * count + y if x < y else y * count + x
            d = known(key, -1)
            if d < 0:
                d = distances[key] = distance(profiles[i].name, profiles[j].name)
            if d <= EDGE_BUDGET or (d == DROPPED_NAME and vague == 0):
                append((vague, d, i, j))
        return found

    def clusters(self) -> list[list[int]]:
        """Union-find over the edges, one tier of wildcards at a time."""
        tiers: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for vague, distance, i, j in self.edges():
            tiers[vague].append((distance, i, j))
        merger = _Merger(self)
        for vague in sorted(tiers):
            merger.tier(vague, tiers[vague])
        return merger.clusters()


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

    def tier(self, vague: int, edges: list[tuple[int, int, int]]) -> None:
        """Merge along one tier's edges (distance, i, j), the closest and heaviest first."""
        find, weight, mergeable = self.find, self.weight, self.mergeable
        # No merge happens while sorting: each profile's group is found once, and the edges are
        # sorted as plain tuples (distance, -weight of both groups, i, j), all distinct.
        start: dict[int, int] = {}
        for _, i, j in edges:
            if i not in start:
                start[i] = find(i)
            if j not in start:
                start[j] = find(j)
        ordered = sorted([(d, -weight[start[i]] - weight[start[j]], i, j) for d, i, j in edges])
        options: dict[int, set[int]] | None = None
        if vague:
            partners: dict[int, set[int]] = defaultdict(set)
            for _, _, i, j in ordered:
                a, b = start[i], start[j]
                if a != b and mergeable(a, b):
                    partners[a].add(b)
                    partners[b].add(a)
            options = {a: self.allowed(ps) for a, ps in partners.items()}
        for _, _, i, j in ordered:
            if options is not None:
                a, b = start[i], start[j]
                if b not in options.get(a, ()) or a not in options.get(b, ()):
                    continue
            a, b = find(i), find(j)
            if a != b and mergeable(a, b):
                self.union(a, b)

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

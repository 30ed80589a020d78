"""Group nominations that name the same civil servant.

Grouping runs in two passes over the distinct *profiles* (nominations that normalise to exactly
the same name, region, institution and post are handled once):

1. ``blocking`` picks the pairs of profiles worth comparing, ``names`` compares their names
   (typos, lost spaces, a given name left out) and ``tiers`` merges those whose context agrees,
   the most certain first, never chaining two people through a vague nomination.
2. ``probable`` weighs evidence between the first pass's groups (other orthographies,
   diminutives, a title and family name only, free wording of posts and workplaces): groups
   scoring high enough merge, the probable rest goes to the managers' queue.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, NamedTuple

from nominations.lexicon import Lexicon, lexicon
from nominations.normalise import (
    fold,
    institution_key,
    name_gender,
    position_key,
    read_name,
    region_key,
)
from nominations.probable import Evidence, merge_groups
from nominations.tiers import Grouper, Profile


def _sorted_ids(ids: Iterable[Hashable]) -> list[Hashable]:
    ids = list(ids)
    try:
        return sorted(ids)
    except TypeError:  # mixed id types: still deterministic
        return sorted(ids, key=lambda i: (type(i).__name__, str(i)))


def _first_id(ids: list[Hashable]) -> Hashable:
    """``_sorted_ids(ids)[0]``, without sorting: it is asked of every profile and group."""
    try:
        return min(ids)  # type: ignore[type-var]
    except TypeError:  # mixed id types, as _sorted_ids orders them
        return min(ids, key=lambda i: (type(i).__name__, str(i)))


def _id_order(ids: list[Hashable]) -> tuple[str, str]:
    first = _first_id(ids)
    return type(first).__name__, f"{first:>20}" if isinstance(first, int) else str(first)


class _Odd(NamedTuple):
    """An unhashable value, by its text."""

    text: str


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _parse_all(values: Iterable[object], parse: Callable[[str], Any], **fold_options: bool) -> dict:
    """Parse each distinct value once; values equal once folded share the result. A value that
    is not text is read as its text."""
    by_folded: dict[str, Any] = {}
    out: dict[object, Any] = {}
    for value in set(values):
        if value is None or isinstance(value, str):
            text = fold(value, **fold_options)
        else:
            text = fold(value.text if isinstance(value, _Odd) else str(value), **fold_options)
        if text not in by_folded:
            by_folded[text] = parse(text)
        out[value] = by_folded[text]
    return out


def group_nominations(
    rows: Iterable[Mapping[str, object]],
    *,
    country: str = "",
    regions: Iterable[str] = (),
    distinct: Iterable[tuple[Hashable, Hashable]] = (),
) -> list[list[Hashable]]:
    """Partition nomination ids into one list per person.

    ``rows`` are mappings with ``id``, ``nominee_name``, ``position``,
    ``institution`` and ``region``; missing or None fields are blanks. Ids keep
    their type; each list is sorted and lists are ordered by their first id. A
    repeated id is counted once (its first row). A nomination without a usable
    name cannot be matched and stays alone.

    ``country`` (ISO 3166 alpha-2) chooses the lexicon of names, regions and abbreviations; the
    edition's ``regions`` are regions too. Without them the generic lexicon applies.
    ``distinct`` holds pairs of nomination ids a manager marked as two people.
    """
    return _analyse(rows, country, regions, distinct)[0]


def probable_matches(
    rows: Iterable[Mapping[str, object]],
    *,
    country: str = "",
    regions: Iterable[str] = (),
    distinct: Iterable[tuple[Hashable, Hashable]] = (),
) -> list[tuple[list[Hashable], list[Hashable], int]]:
    """Pairs of groups (as ``group_nominations`` returns them) that are probably one person but
    were not merged, with their evidence score, most probable first."""
    return _analyse(rows, country, regions, distinct)[1]


def _town(text: str, lex: Lexicon) -> frozenset[str]:
    """The words of a cercle or town given as the region ("Cercle de Kati"); none for a region
    or another name of one ("Nioro du Sahel")."""
    words = [w for w in text.split() if w not in lex.region_filler]
    key = " ".join(words)
    if key in lex.towns:
        return frozenset(words)
    if not key or key in lex.regions or key in lex.region_aliases:
        return frozenset()
    return frozenset(w for w in words if w not in lex.regions and w not in lex.region_aliases)


def _analyse(rows, country, regions, distinct):  # type: ignore[no-untyped-def]
    # Grouping builds millions of small tuples and sets and frees none of them in cycles: the
    # cyclic collector would only walk them again and again (a third of the time at 50,000 rows).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse_rows(rows, country, regions, distinct)
    finally:
        if enabled:
            gc.enable()


def _analyse_rows(rows, country, regions, distinct):  # type: ignore[no-untyped-def]
    lex = lexicon(country, tuple(regions))
    # Rows writing the four fields alike share everything but their ids: each distinct way of
    # writing them is read once (a campaign repeats them heavily). Odd values are read as text.
    written: dict[tuple[object, ...], list[Hashable]] = {}
    seen: set[Hashable] = set()
    for row in rows:
        get = row.get
        i = get("id")
        if i in seen:
            continue
        seen.add(i)
        key = (get("nominee_name"), get("region"), get("institution"), get("position"))
        try:
            ids = written.get(key)
        except TypeError:  # an unhashable value
            key = tuple(v if _hashable(v) else _Odd(str(v)) for v in key)
            ids = written.get(key)
        if ids is None:
            ids = written[key] = []
        ids.append(i)
    columns = list(zip(*written, strict=True)) if written else [(), (), (), ()]
    # A name's titles also say whether a man or a woman is meant; a region written as a cercle
    # or a town ("Kati" for Koulikoro) also names a locality. A value that is not text says
    # neither.
    names = _parse_all(
        columns[0],
        lambda text: read_name(text.split(), lex),
        join_apostrophes=True,
    )
    regions_of = _parse_all(columns[1], lambda text: (region_key(text, lex), _town(text, lex)))
    institutions = _parse_all(columns[2], lambda text: institution_key(text, lex))
    positions = _parse_all(columns[3], lambda text: position_key(text, lex))
    no_gender, no_town = name_gender("", lex), _town("", lex)

    profiles: dict[tuple[object, ...], Profile] = {}
    alone: list[list[Hashable]] = []
    for (raw_name, raw_region, raw_institution, raw_position), ids in written.items():
        name, gender = names[raw_name]
        if not name:
            alone.extend([i] for i in ids)
            continue
        region, town = regions_of[raw_region]
        institution = institutions[raw_institution]
        position = positions[raw_position]
        if raw_name is not None and not isinstance(raw_name, str):
            gender = no_gender
        if raw_region is not None and not isinstance(raw_region, str):
            town = no_town
        # "M. Diarra" and "Mme Diarra", both teachers at one school, are two people.
        key = (name, region, institution, position, gender)
        profile = profiles.get(key)
        if profile is None:
            profile = profiles[key] = Profile(name, region, institution, position)
            if gender:
                profile.genders.add(gender)
        profile.ids.extend(ids)
        if town:
            words = region.split()
            profile.towns.update(t for t in town if t not in words)

    # Ordered by their ids, not by row order, so that ties break the same way
    # however the rows come.
    ordered = sorted(profiles.values(), key=lambda p: _id_order(p.ids))
    first = Grouper(ordered, lex).clusters()
    evidence = []
    # The group of each nomination a manager marked (the others are not asked for).
    distinct = list(distinct)
    marked = {i for pair in distinct for i in pair}
    cluster_of: dict[Hashable, int] = {}
    memo: dict = {}
    for index, cluster in enumerate(first):
        e = Evidence()
        for k in cluster:
            p = ordered[k]
            e.add(
                p.name,
                p.region,
                p.institution,
                p.position,
                p.towns,
                lex,
                len(p.ids),
                p.genders,
                memo,
            )
            if marked:
                cluster_of.update((i, index) for i in p.ids if i in marked)
        evidence.append(e)
    apart = [
        (cluster_of[a], cluster_of[b])
        for a, b in distinct
        if a in cluster_of and b in cluster_of and cluster_of[a] != cluster_of[b]
    ]
    clusters, queue = merge_groups(evidence, apart, lex.distinct_keys)
    groups = alone + [
        _sorted_ids(i for c in cluster for k in first[c] for i in ordered[k].ids)
        for cluster in clusters
    ]
    head = {}
    for g in groups:
        for i in g:
            head[i] = g
    probable, shown = [], set()
    for score, i, j in queue:
        a = head[ordered[first[i][0]].ids[0]]
        b = head[ordered[first[j][0]].ids[0]]
        key = (a[0], b[0]) if _id_order(a) < _id_order(b) else (b[0], a[0])
        if a is not b and key not in shown:
            shown.add(key)
            probable.append((a, b, score) if _id_order(a) < _id_order(b) else (b, a, score))
    try:
        groups.sort(key=lambda g: g[0])
    except TypeError:
        groups.sort(key=lambda g: (type(g[0]).__name__, str(g[0])))
    return groups, probable

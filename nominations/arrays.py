"""Pairing by numpy: the members of each group with one another, or with another group's.

Blocking meets millions of (group, member) entries at half a million nominations; paired and
deduplicated as arrays they cost a fraction of what tuples in sets cost.
"""

from __future__ import annotations

import numpy as np


def runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each run of equal values in a sorted array."""
    cut = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    return np.concatenate(([0], cut)), np.concatenate((cut, [len(sorted_keys)]))


def spread(counts: np.ndarray) -> np.ndarray:
    """0, 1, .., count - 1 for each count in turn."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def pairs_within(groups: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of members of one group, the earlier member first; ``groups`` sorted."""
    if len(groups) < 2:
        return members[:0], members[:0]
    _, ends = runs(groups)
    later = np.repeat(ends, np.diff(np.concatenate(([0], ends)))) - 1 - np.arange(len(groups))
    left = np.repeat(np.arange(len(groups)), later)
    return members[left], members[left + 1 + spread(later)]


def pairs_across(
    keys: np.ndarray, members: np.ndarray, other_keys: np.ndarray, others: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each member with every other of its key; ``other_keys`` sorted."""
    low = np.searchsorted(other_keys, keys, "left")
    counts = np.searchsorted(other_keys, keys, "right") - low
    return np.repeat(members, counts), others[np.repeat(low, counts) + spread(counts)]


def pair_numbers(a: np.ndarray, b: np.ndarray, width: int) -> np.ndarray:
    """One number for each unordered pair, ``lower * width + higher`` (``divmod`` by ``width``
    gives it back), so that pairs are deduplicated and looked up as integers."""
    return np.minimum(a, b) * width + np.maximum(a, b)


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` by sorting: numpy 2's own takes many times
    longer on a million integers)."""
    found = np.sort(values)
    return found[np.concatenate(([True], found[1:] != found[:-1]))] if len(found) else found


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and the position of each value among them."""
    order = np.argsort(values, kind="stable")
    found = values[order]
    first = np.concatenate(([True], found[1:] != found[:-1])) if len(found) else found.astype(bool)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return found[first], inverse

"""Sets of counter values as the bits of one integer, and what choices do to them.

A counter is a variable the explorer keeps apart from the rest of a state (see explore.py). Each
combination of the counters' values is one bit index, a mixed-radix number; a set of
combinations is an integer with those bits set. Moving a counter by a constant is then a shift,
setting it a fold of bit planes, and both have exact preimages, which the search for softlocks
runs backwards.

Counters that never matter in the same scene share a digit: chapters that share no variable use
the same bits in turn, so a story twice as long keeps masks as narrow. In each scene a digit
belongs to one counter at most (its *owner* there); the others are at their starting values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs


@attrs.frozen
class Counter:
    """One counter's place in a mask's bit index, a mixed-radix number."""

    name: str
    low: int
    size: int  # how many values it takes
    stride: int
    flag: bool = False  # a truth value: 0 is false, 1 is true
    radix: int = 0  # the size of its digit, shared with counters that matter elsewhere; 0: `size`

    @property
    def digits(self) -> int:
        return self.radix or self.size

    def value(self, j: int) -> int | bool:
        """The value of index `j`."""
        return bool(j) if self.flag else self.low + j


class Layout:
    """How counter values map to bits, with the masks of every value of each counter."""

    def __init__(
        self,
        counters: tuple[Counter, ...],
        defaults: Mapping[str, object],
        owners: Sequence[tuple[int, ...]] | None = None,
    ) -> None:
        """`owners`: per region of the story (explore.py: per component of scenes), the counters
        that own their digit there; None: every counter, everywhere (no digit is shared)."""
        self.counters = counters
        self.owners = owners
        self._all = tuple(range(len(counters)))
        self.position = {c.name: i for i, c in enumerate(counters)}
        self.bits = max((c.stride * c.digits for c in counters), default=1)
        self.full = (1 << self.bits) - 1
        self.defaults = {c.name: int(defaults[c.name]) for c in counters}  # type: ignore[call-overload]
        first = {c.stride: c for c in reversed(counters)}.values()  # one counter per digit
        self.origin = self.index({c.name: self.defaults[c.name] for c in first})
        self._planes: dict[tuple[int, int], int] = {}
        self._guards: dict[tuple[int, int], int] = {}

    def owned(self, region: int) -> tuple[int, ...]:
        return self._all if self.owners is None else self.owners[region]

    def index(self, values: Mapping[str, int | bool]) -> int:
        """The bit of these counters' values (at most one counter per digit)."""
        return sum((int(values[c.name]) - c.low) * c.stride for c in self.counters if c.name in values)

    def values(self, bit: int, owners: tuple[int, ...] | None = None) -> dict[str, int | bool]:
        """The values of the counters `owners` (default: all) at `bit`; the others' are their starts."""
        chosen = range(len(self.counters)) if owners is None else owners
        return {
            self.counters[i].name: self.counters[i].value((bit // self.counters[i].stride) % self.counters[i].digits)
            for i in chosen
        }

    def plane(self, i: int, j: int) -> int:
        """The bits where counter `i` has its `j`-th value."""
        if (i, j) not in self._planes:
            c = self.counters[i]
            period = c.stride * c.digits
            repeats = ((1 << (period * (self.bits // period))) - 1) // ((1 << period) - 1)
            self._planes[i, j] = ((1 << c.stride) - 1) * repeats << (j * c.stride)
        return self._planes[i, j]

    def guard(self, i: int, delta: int) -> int:
        """The bits from which counter `i` can move by `delta` and stay in its range."""
        if (i, delta) not in self._guards:
            mask = 0
            for j in range(self.counters[i].size):
                if 0 <= j + delta < self.counters[i].size:
                    mask |= self.plane(i, j)
            self._guards[i, delta] = mask
        return self._guards[i, delta]


def _shift(mask: int, by: int) -> int:
    return mask << by if by >= 0 else mask >> -by


@attrs.frozen
class Transform:
    """What a choice does to the counters: set some to constants, then move others by constants."""

    layout: Layout = attrs.field(eq=False)
    sets: tuple[tuple[int, int], ...]  # (counter, index of its new value)
    shift: int  # the sum of each delta times its counter's stride
    guard: int  # the values the deltas keep in range (all of them, as the ranges are computed)
    to_origin: bool = False  # an ending: every value becomes one state

    @property
    def changes(self) -> bool:
        return self.to_origin or bool(self.sets) or bool(self.shift)

    def apply(self, mask: int) -> int:
        if self.to_origin:
            return 1 << self.layout.origin if mask else 0
        mask &= self.guard
        for i, target in self.sets:
            mask = self._collapse(mask, i, target)
        return _shift(mask, self.shift)

    def preimage(self, mask: int) -> int:
        """The values this transform sends into `mask`."""
        if self.to_origin:
            return self.layout.full if mask >> self.layout.origin & 1 else 0
        mask = _shift(mask, -self.shift) & self.guard
        for i, target in self.sets:
            part = mask & self.layout.plane(i, target)
            c = self.layout.counters[i]
            mask = 0
            for j in range(c.digits):
                mask |= _shift(part, (j - target) * c.stride)
        return mask & self.guard

    def _collapse(self, mask: int, i: int, target: int) -> int:
        c = self.layout.counters[i]
        result = 0
        for j in range(c.digits):  # the digit may hold another counter's value: all of them go
            part = mask & self.layout.plane(i, j)
            if part:
                result |= _shift(part, (target - j) * c.stride)
        return result


@attrs.frozen
class Clamp:
    """The normalisation of counters on entering a scene: forgotten ones reset, others clamped."""

    layout: Layout = attrs.field(eq=False)
    folds: tuple[tuple[int, int, int], ...]  # (counter, lowest kept index, highest kept index)
    outside: tuple[tuple[int, int], ...] = attrs.field(init=False)  # per fold: the values below, above
    moved: int = attrs.field(init=False)  # every value some fold moves

    def __attrs_post_init__(self) -> None:
        outside = []
        for i, low, high in self.folds:
            below = above = 0
            for j in range(self.layout.counters[i].size):
                if j < low:
                    below |= self.layout.plane(i, j)
                elif j > high:
                    above |= self.layout.plane(i, j)
            outside.append((below, above))
        object.__setattr__(self, "outside", tuple(outside))
        moved = 0
        for below, above in outside:
            moved |= below | above
        object.__setattr__(self, "moved", moved)

    def apply(self, mask: int) -> int:
        if not mask & self.moved:
            return mask
        for (i, low, high), (below, above) in zip(self.folds, self.outside, strict=False):
            stride = self.layout.counters[i].stride
            for rest, js, edge in (
                (mask & below, range(low - 1, -1, -1), low),
                (mask & above, range(high + 1, self.layout.counters[i].size), high),
            ):
                if not rest:
                    continue
                mask ^= rest
                for j in js:  # nearest first: most values sit just past the edge
                    part = rest & self.layout.plane(i, j)
                    if part:
                        mask |= _shift(part, (edge - j) * stride)
                        rest ^= part
                        if not rest:
                            break
        return mask

    def preimage(self, mask: int) -> int:
        for i, low, high in self.folds:
            c = self.layout.counters[i]
            for edge, count, direction in ((low, low, -1), (high, c.size - 1 - high, 1)):
                part = mask & self.layout.plane(i, edge)
                done = 0
                while part and done < count:  # copy the edge's values outwards, doubling each time
                    step = min(done + 1, count - done)
                    part |= _shift(part, direction * step * c.stride)
                    done += step
                mask |= part
        return mask

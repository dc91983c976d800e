"""Small helpers and records the generator passes around (calls, sessions, people)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from engine import clock


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.PARIS).astimezone(UTC)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Call:
    id: int
    scheme: str
    campaign: int
    opens_at: datetime
    closes_at: datetime
    open: bool


@dataclass
class _Session:
    id: int
    call: _Call
    state: str
    starts_at: datetime
    created_at: datetime


@dataclass
class _People:
    chair: int
    funders: dict[str, int]  # code -> funder id
    members: dict[str, list[int]]  # code -> user ids
    holders: list[tuple[int, int]]  # (organisation id, user id)
    draft_holders: list[tuple[int, int]]


def _requests(requests: dict[str, str]) -> Iterable[tuple[str, Decimal]]:
    return ((code, Decimal(amount)) for code, amount in requests.items())

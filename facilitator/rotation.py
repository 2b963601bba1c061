"""Choosing the moderator: at random, or by a fair rotation that remembers who moderated last."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime


def random_moderator(participants: Sequence[str], rng: random.Random | None = None) -> str | None:
    if not participants:
        return None
    return (rng or random.Random()).choice(list(participants))


def next_in_rotation(
    participants: Sequence[str], last_moderated: dict[str, datetime]
) -> str | None:
    """The participant who has waited longest: never moderated first, then least recently.

    Ties (e.g. several who never moderated) go by the order of the participant list,
    so the rotation is predictable and fair.
    """
    if not participants:
        return None
    order = {name: i for i, name in enumerate(participants)}

    def key(name: str) -> tuple[int, datetime, int]:
        when = last_moderated.get(name.casefold())
        return (0 if when is None else 1, when or datetime.min, order[name])

    return min(participants, key=key)

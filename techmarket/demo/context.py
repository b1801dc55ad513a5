"""State shared by the demo builders: the seeded random generator and what has been created."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from techmarket.orgs.validators import USCC_ALPHABET, make_uscc


@dataclass
class DemoContext:
    seed: int
    password: str
    rng: random.Random = field(init=False)
    orgs: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, username, organisation)
    notes: list[str] = field(default_factory=list)
    experts: list[Any] = field(default_factory=list)
    # Each organisation's fields (demo sector keys): its needs, achievements and experts follow from them.
    sectors: dict[int, frozenset[str]] = field(default_factory=dict)
    # An enterprise's main product (a topic subject): its needs are about it.
    products: dict[int, str] = field(default_factory=dict)
    _usccs: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def person_name(self) -> str:
        from .vocab import GIVEN, SURNAMES

        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def uscc(self, region_code: str, kind_prefix: str = "91") -> str:
        """A synthetic but valid 统一社会信用代码 for the region (unique within this run)."""
        while True:
            body = "".join(self.rng.choice(USCC_ALPHABET[:10] + "ABCDEFGH") for _ in range(9))
            code = make_uscc(kind_prefix + region_code + body)
            if code not in self._usccs:
                self._usccs.add(code)
                return code

"""Test helpers for techmatch: a tiny deterministic fake encoder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from techmatch.analysis import Analyzer


class FakeEncoder:
    """Hashes character bigrams into a small dense space (implements the Encoder protocol)."""

    dim = 32

    def _enc(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), np.float32)
        for r, t in enumerate(texts):
            for g in Analyzer.bigrams(t):
                h = int(hashlib.sha256(g.encode()).hexdigest()[:8], 16)
                out[r, h % self.dim] += 1.0 if (h >> 8) % 2 else -1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-12)

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._enc(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._enc(texts)


import pytest  # noqa: E402

from techmatch.documents import Document  # noqa: E402

ACHIEVEMENTS = [
    Document(
        "a1",
        "achievement",
        "磷酸铁锂电池正极材料的制备方法",
        "提出一种磷酸铁锂正极材料的固相合成工艺，提高倍率性能。",
        ["磷酸铁锂", "正极材料"],
        industries=["C3841"],
        disciplines=["430"],
        trl=6,
        owner="lab1",
        modes=["转让"],
    ),
    Document(
        "a2",
        "achievement",
        "锂离子电池硅碳负极材料",
        "硅碳复合负极材料的制备及循环性能研究。",
        ["硅碳", "负极"],
        industries=["C38"],
        disciplines=["430"],
        trl=4,
        owner="lab1",
    ),
    Document(
        "a3",
        "achievement",
        "污泥低温干化装置",
        "利用热泵余热对市政污泥进行低温干化，降低能耗与异味。",
        ["污泥", "干化"],
        industries=["N77"],
        disciplines=["610"],
        trl=7,
        owner="lab2",
    ),
    Document(
        "a4",
        "achievement",
        "立方氮化硼单晶合成",
        "高温高压合成高韧性立方氮化硼单晶的触媒配方。",
        ["氮化硼"],
        industries=["C30"],
        disciplines=["430"],
        trl=5,
        owner="lab3",
    ),
    Document(
        "a5",
        "achievement",
        "石墨烯超级电容器电极",
        "石墨烯基多孔碳电极材料用于高能量密度超级电容器。",
        ["石墨烯"],
        industries=["C38"],
        disciplines=["430"],
        trl=3,
        owner="lab4",
    ),
    Document(
        "a6",
        "achievement",
        "农村生活垃圾分选技术",
        "生活垃圾机械分选与资源化利用，塑料清洗造粒。",
        ["垃圾分选"],
        industries=["N77"],
        disciplines=["610"],
        trl=6,
        owner="lab5",
    ),
]


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def achievements() -> list[Document]:
    return [Document.from_json(d.to_json()) for d in ACHIEVEMENTS]

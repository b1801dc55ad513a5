"""Small text helpers for messages built in Python, so they read like the pages in either language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext


def word_list(items: Iterable[Any]) -> str:
    """ "甲、乙、丙" in Chinese, "A, B, C" in English: the enumeration comma is translated with the words."""
    return pgettext("list separator", "、").join(str(i) for i in items)

"""Walking a decoded JSON value without recursion (a document may nest as deep as the limits allow)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def leaves(value: Any) -> Iterator[Any]:
    """Every value in ``value`` that is not a dict or a list (exactly those types), in no set order.

    >>> sorted(map(str, leaves({"a": [1, {"b": None}], "c": (2,)})))
    ['(2,)', '1', 'None']
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        else:
            yield item

"""Spreading a few items over a whole list (held-out checks, calibration
text, the embedded data set's `limit`)."""


def evenly_spaced(items, limit):
    """`limit` items spread evenly over all of `items` (all if fewer), so a
    slice of a file sorted by anything keeps its whole range."""
    if limit >= len(items):
        return list(items)
    return [items[i * len(items) // limit] for i in range(limit)]

"""Touch gestures through the Chrome DevTools protocol (Playwright has no multi-touch drag)."""

from __future__ import annotations


def _touch(client, kind: str, points: list[tuple[float, float]]) -> None:
    client.send("Input.dispatchTouchEvent", {
        "type": kind,
        "touchPoints": [{"x": x, "y": y, "id": i, "radiusX": 4, "radiusY": 4, "force": 1} for i, (x, y) in enumerate(points)],
    })


def drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    """One finger from ``start`` to ``end`` (CSS pixels)."""
    client = page.context.new_cdp_session(page)
    _touch(client, "touchStart", [start])
    for i in range(1, steps + 1):
        u = i / steps
        _touch(client, "touchMove", [(start[0] + (end[0] - start[0]) * u, start[1] + (end[1] - start[1]) * u)])
    _touch(client, "touchEnd", [])
    client.detach()


def pinch(page, centre: tuple[float, float], from_gap: float, to_gap: float, steps: int = 12) -> None:
    """Two fingers moving apart (``to_gap > from_gap``: zoom in) or together, horizontally."""
    client = page.context.new_cdp_session(page)
    cx, cy = centre

    def points(gap):
        return [(cx - gap / 2, cy), (cx + gap / 2, cy)]

    _touch(client, "touchStart", points(from_gap))
    for i in range(1, steps + 1):
        _touch(client, "touchMove", points(from_gap + (to_gap - from_gap) * i / steps))
    _touch(client, "touchEnd", [])
    client.detach()


def two_finger_pan(page, start: tuple[float, float], shift: tuple[float, float], gap: float = 120, steps: int = 12) -> None:
    """Two fingers moving together by ``shift`` pixels."""
    client = page.context.new_cdp_session(page)
    x, y = start

    def points(u):
        dx, dy = shift[0] * u, shift[1] * u
        return [(x - gap / 2 + dx, y + dy), (x + gap / 2 + dx, y + dy)]

    _touch(client, "touchStart", points(0))
    for i in range(1, steps + 1):
        _touch(client, "touchMove", points(i / steps))
    _touch(client, "touchEnd", [])
    client.detach()

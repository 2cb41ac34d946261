"""A flow drawn as a diagram: its applets as boxes in layers (the first applet on top, each applet one
layer below the nearest applet that leads to it) and its branches as labelled arrows. The geometry is
computed here in plain numbers; ``templates/_flow_diagram.html`` draws it as inline SVG, and the list
of applets under it says the same in text (the diagram's accessible fallback).

Forward arrows run from a box's bottom to the target's top, arrows within a layer from side to side,
and arrows back up (a menu that repeats, a box to itself) curve round the right-hand side, so loops
stay readable.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from trunkline.domain.flows.definition import Applet, Flow

BOX_W, BOX_H = 170, 50
GAP_X, GAP_Y = 50, 70
MARGIN = 20
LOOP_OUT = 70
"""How far right of a box a backward arrow bulges."""


@dataclass(frozen=True, slots=True)
class Box:
    applet: Applet
    x: float
    y: float
    is_start: bool
    hangs_up: bool
    """No applet follows: the call ends here."""

    @property
    def center_x(self) -> float:
        return self.x + BOX_W / 2


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    path: str
    """An SVG path ``d``."""
    label_x: float
    label_y: float


@dataclass(frozen=True, slots=True)
class Diagram:
    width: float
    height: float
    boxes: list[Box]
    edges: list[Edge]
    box_w: int = BOX_W
    box_h: int = BOX_H


def exits(applet: Applet) -> list[tuple[str, str]]:
    """Where an applet can send the call, as (label, target applet), in a stable order."""
    found: list[tuple[str, str]] = []
    for key, target in applet.branches.items():
        found.append((f"press {key}", target))
    for label, maybe in (
        ("no key", applet.default),
        ("success", applet.on_success),
        ("failure", applet.on_failure),
        ("no answer", applet.on_no_answer),
        ("then", applet.next),
    ):
        if maybe is not None:
            found.append((label, maybe))
    return found


def _layers(flow: Flow) -> dict[str, int]:
    depth = {flow.start: 0}
    queue = deque([flow.start])
    while queue:
        current = queue.popleft()
        for _, target in exits(flow.applets[current]):
            if target not in depth:
                depth[target] = depth[current] + 1
                queue.append(target)
    unreached = max(depth.values(), default=0) + 1
    for applet_id in flow.applets:  # applets no path reaches still show, in a last layer
        depth.setdefault(applet_id, unreached)
    return depth


def diagram(flow: Flow) -> Diagram:
    depth = _layers(flow)
    rows: dict[int, list[str]] = {}
    for applet_id in flow.applets:  # document order within a layer
        rows.setdefault(depth[applet_id], []).append(applet_id)
    widest = max(len(ids) for ids in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + LOOP_OUT
    boxes: dict[str, Box] = {}
    for layer, ids in sorted(rows.items()):
        row_w = len(ids) * BOX_W + (len(ids) - 1) * GAP_X
        left = MARGIN + (widest * BOX_W + (widest - 1) * GAP_X - row_w) / 2
        for i, applet_id in enumerate(ids):
            x = left + i * (BOX_W + GAP_X)
            y = MARGIN + layer * (BOX_H + GAP_Y)
            applet = flow.applets[applet_id]
            boxes[applet_id] = Box(applet, x, y, applet_id == flow.start, not exits(applet))
    height = MARGIN * 2 + (max(rows) + 1) * BOX_H + max(rows) * GAP_Y
    edges: list[Edge] = []
    for box in boxes.values():
        labels: dict[str, list[str]] = {}
        for label, target in exits(box.applet):
            labels.setdefault(target, []).append(label)
        for target, names in labels.items():
            edges.append(_edge(box, boxes[target], ", ".join(names)))
    return Diagram(width, height, list(boxes.values()), edges)


def _edge(source: Box, target: Box, label: str) -> Edge:
    if target.y > source.y:  # forward: bottom to top
        x1, y1 = source.center_x, source.y + BOX_H
        x2, y2 = target.center_x, target.y
        bend = (y2 - y1) / 2
        path = f"M{x1:g},{y1:g} C{x1:g},{y1 + bend:g} {x2:g},{y2 - bend:g} {x2:g},{y2:g}"
        return Edge(source.applet.id, target.applet.id, label, path, (x1 + x2) / 2 + 4, y1 + bend)
    if target.y == source.y and target.x != source.x:  # within a layer: side to facing side
        y = source.y + BOX_H / 2
        x1 = source.x + BOX_W if target.x > source.x else source.x
        x2 = target.x if target.x > source.x else target.x + BOX_W
        path = f"M{x1:g},{y:g} L{x2:g},{y:g}"
        return Edge(source.applet.id, target.applet.id, label, path, min(x1, x2) + 4, y - 6)
    # back up, or to itself: round the right-hand side
    x1, y1 = source.x + BOX_W, source.y + BOX_H * 0.65
    x2, y2 = target.x + BOX_W, target.y + BOX_H * 0.35
    out = max(x1, x2) + LOOP_OUT
    path = f"M{x1:g},{y1:g} C{out:g},{y1:g} {out:g},{y2:g} {x2:g},{y2:g}"
    return Edge(source.applet.id, target.applet.id, label, path, out - LOOP_OUT / 4 + 2, (y1 + y2) / 2)

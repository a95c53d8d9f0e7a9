"""Diagrams of fully connected networks, drawn with matplotlib (no image files)."""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import Circle


def node_positions(layer_sizes: Sequence[int], spacing: float = 1.6) -> list[list[tuple[float, float]]]:
    """(x, y) of every node: layers left to right, each layer centred vertically,
    node 0 at the top."""
    return [[(3.0 * layer, spacing * ((size - 1) / 2 - node)) for node in range(size)]
            for layer, size in enumerate(layer_sizes)]


def draw_network(layer_sizes: Sequence[int],
                 node_labels: Sequence[Sequence[str]] | None = None,
                 edge_labels: Mapping[tuple[int, int, int], str] | None = None,
                 bias_labels: Sequence[Sequence[str]] | None = None,
                 ax=None, title: str | None = None):
    """Draw a fully connected network.

    ``node_labels[layer][node]`` is written in each node; ``edge_labels[(layer, i, j)]``
    on the edge from node i of ``layer`` to node j of ``layer + 1``;
    ``bias_labels[layer - 1][node]`` beside each node after the input layer.
    """
    ax = ax if ax is not None else plt.gca()
    positions = node_positions(layer_sizes)
    radius = 0.38
    for layer in range(len(layer_sizes) - 1):
        for i, (x0, y0) in enumerate(positions[layer]):
            for j, (x1, y1) in enumerate(positions[layer + 1]):
                ax.annotate("", xy=(x1 - radius, y1), xytext=(x0 + radius, y0),
                            arrowprops={"arrowstyle": "-|>", "color": "0.35", "lw": 1.2})
                label = (edge_labels or {}).get((layer, i, j))
                if label:
                    t = 0.28          # near the source, where edges are furthest apart
                    ax.text(x0 + radius + t * (x1 - x0 - 2 * radius), y0 + t * (y1 - y0),
                            label, fontsize=12, ha="center", va="center",
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    for layer, nodes in enumerate(positions):
        for node, (x, y) in enumerate(nodes):
            colour = "#dbe9f6" if layer == 0 else ("#fde0c5" if layer == len(positions) - 1 else "#e5f5e0")
            ax.add_patch(Circle((x, y), radius, facecolor=colour, edgecolor="black", zorder=2))
            if node_labels:
                ax.text(x, y, node_labels[layer][node], fontsize=12, ha="center",
                        va="center", zorder=3)
            if bias_labels and layer > 0:
                ax.text(x, y + radius + 0.18, bias_labels[layer - 1][node], fontsize=11,
                        ha="center", va="bottom")
    xs = [x for nodes in positions for x, _ in nodes]
    ys = [y for nodes in positions for _, y in nodes]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax

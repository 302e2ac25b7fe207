"""A cell of a building's floor plan (core/_floorplan.html), as the app that draws it
fills it in: the door, its state (a colour of site.css), where a tap leads, and a note."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    door: str
    state: str
    url: str
    note: str = ""

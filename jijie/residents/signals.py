"""What the registry tells the apps above it, which it may not import.

`households_added` is sent inside the transaction that registers households (one by
one on the registry's pages, or a slice at a time by an import), with `counts`: the
number of households added to each building, by building id. An app that keeps totals
of households (screening's coverage counters) adds them to its own in the same
transaction, so its totals never wait for a rebuild. The registry offers no way to move
or remove a household; a change that did would send its own signal here.
"""

from __future__ import annotations

from django.dispatch import Signal

households_added = Signal()

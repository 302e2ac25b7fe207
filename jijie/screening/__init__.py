"""Screening campaigns (扫楼行动): door-to-door and phone sweeps of a response over an
area, the visits and what they found, the revisit queue, and coverage counters kept per
building and day so that every level of the tree sees who is not yet reached."""

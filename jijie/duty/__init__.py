"""Duty (吹哨报到): the posts a community asks for, the shifts generated from a demand,
members claiming or being assigned to shifts, their attendance and hours, and the roster
proposed by the optimiser."""

"""Emergency responses (应急响应): activated over an area with a level, closed when the
emergency ends. Operational records belong to a response; closing it starts the clock
on purging its sensitive personal data."""

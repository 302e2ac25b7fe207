"""Recognition: members' service records from verified sources, approved by their units."""

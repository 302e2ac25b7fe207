"""Users, role assignments (role × area), login, API tokens, and the append-only,
hash-chained audit log."""

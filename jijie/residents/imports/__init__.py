"""Importing the ledgers community workers already keep: read (reader), find the
columns (columns), check every row and plan the writes (plan), then write it all or
nothing (commit)."""

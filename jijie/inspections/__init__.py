"""Inspections (督查): unannounced visits drawn at random, findings, rectification."""

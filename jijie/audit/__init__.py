"""The audit chain: who did what, to which record, where and why; hash-chained."""

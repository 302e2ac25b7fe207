"""Care (关爱服务): home isolation and observation cases with their daily follow-ups and
alerts, errands (代办) run for households that cannot go out, and the care plans and
visits (慰问) of hardship households."""

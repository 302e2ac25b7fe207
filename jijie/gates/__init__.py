"""Gates and checkpoints (卡口): their rules per response, passes (通行证) with signed QR
codes a guard's phone verifies offline, printable cards, and the scan ledger (出入登记)
that a flaky phone may replay without doubling a row."""

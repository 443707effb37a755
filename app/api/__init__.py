"""HTTP layer: one router per resource; nothing here runs user programs."""

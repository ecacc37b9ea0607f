"""Research tools: sweeps, common random numbers, shards, executors, comparisons."""

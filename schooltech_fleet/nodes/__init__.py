"""Execution nodes: getting a school's node ready to run its jobs (``schooltech node setup``)."""

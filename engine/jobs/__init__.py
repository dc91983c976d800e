"""The scheduler's jobs (tasks.py: each one calls a service) and its leader election (leader.py)."""

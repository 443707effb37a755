"""What the service tells the people running it: metrics, structured logs, request context.

Framework-free (prometheus_client and the standard library): the web process feeds it from the
pool and from an ASGI middleware in `app/api/observability.py`; workers only send a one-line
summary of each answer (`events.outcome_of`), so every number is counted in the web process that
serves `/metrics`.
"""

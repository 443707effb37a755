"""Capture of what autograd did: graph, backward trace, timeline, Jacobian, JSON encoding.

Framework-free: nothing here imports FastAPI or pydantic.
"""

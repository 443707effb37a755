"""The playground language: an allow-listed, interpreted subset of Python + PyTorch.

Framework-free: nothing here imports FastAPI or pydantic.
"""

"""The built-in teaching examples (English and Korean), as plain data."""

from app.examples.catalog import EXAMPLES, get_example
from app.examples.example import Example

__all__ = ["EXAMPLES", "Example", "get_example"]

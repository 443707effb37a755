"""Parts of the torch surface: the safe wrapper values and the special-cased calls."""

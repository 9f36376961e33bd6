"""Commands that decide claims and bounds: ``verify``, ``claim``, ``bound``."""

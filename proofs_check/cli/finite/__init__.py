"""Commands on finite-width networks: ``entk``, ``simulate``, ``scaling``, ``experiment``,
``export``."""

"""Commands on finite-width networks: ``entk``, ``masks``, ``simulate``, ``scaling``,
``experiment``, ``export``."""

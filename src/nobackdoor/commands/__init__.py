"""One module per sub-command; each defines ``register(subparsers)`` and sets ``func``."""

"""The exception CLI handlers raise for user mistakes (kept apart to avoid import cycles)."""


class CommandError(Exception):
    """A user mistake: printed as one line, exit status 2, never a traceback."""

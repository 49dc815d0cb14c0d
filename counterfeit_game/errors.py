"""Errors that reach a person as one clear line instead of a traceback."""


class UserFacingError(Exception):
    """A problem the user can fix (bad file, bad option); the CLI prints it and exits with 2."""

    exit_code = 2


class DataError(UserFacingError):
    """A dataset file is missing, corrupt or not what its name says."""


class CheckpointError(UserFacingError):
    """A checkpoint cannot be read or does not fit the current model."""


class ConfigError(UserFacingError):
    """A configuration file has an unknown key or a bad value."""

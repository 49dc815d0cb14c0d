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


def read_bytes(path, error: type[UserFacingError], what: str = "file") -> bytes:
    """A file's bytes, or ``error`` with one line that says which of the usual three things went wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None

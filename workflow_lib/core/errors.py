"""The error of an input a job cannot use: a file (corrupt, foreign, misplaced, without a column)
or a value. Its message names the file or key and says what is wrong, in one line, so a job
reports it as that line (workflow.runtime.one_line_errors), not as a traceback of this code."""


class BadInput(ValueError):
    """An input file or value a job cannot use; the message names it."""


class ConfigError(BadInput):
    """One problem with the workflow's config, naming the key (workflow.config validates)."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name if it has none): third-party
    errors wrapped into a one-line BadInput can carry several lines."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class MissingSimulator(ImportError):
    """The optional simulator package of a host-stepped env is not installed."""

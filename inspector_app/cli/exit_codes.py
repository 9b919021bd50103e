"""Exit codes of ``inspector``; documented in ``docs/cli.md``, relied on by scripts."""

from __future__ import annotations

from enum import IntEnum

from inspector_protocol.errors import EnvironmentProblem, InspectorError


class ExitCode(IntEnum):
    OK = 0
    #: The request was refused: invalid input, unknown officer, wrong state.
    REFUSED = 1
    #: Command-line usage error (argparse's own code).
    USAGE = 2
    #: ``verify`` found the ledger not intact.
    INTEGRITY = 3
    #: The frequency rule fired and no justification was given.
    JUSTIFICATION_REQUIRED = 4
    #: Wrong passphrase, or locked out after repeated wrong passphrases.
    AUTH = 5
    #: The environment is in the way: disk, permissions, database, network.
    ENVIRONMENT = 6
    #: ``sync`` left events unsent because of an error.
    UNSENT = 7
    #: ``sync``: an answer was not signed by the pinned central endpoint; nothing changed.
    NOT_CENTRAL = 8
    #: Interrupted by the user.
    CANCELLED = 130
    #: A bug: an unexpected exception, logged with its traceback.
    BUG = 70


_BY_CODE_PREFIX = {
    "frequency.": ExitCode.JUSTIFICATION_REQUIRED,
    "auth.": ExitCode.AUTH,
    "integrity.": ExitCode.INTEGRITY,
}


def exit_code_for(error: InspectorError) -> ExitCode:
    for prefix, code in _BY_CODE_PREFIX.items():
        if error.code.startswith(prefix):
            return code
    if isinstance(error, EnvironmentProblem):
        return ExitCode.ENVIRONMENT
    return ExitCode.REFUSED

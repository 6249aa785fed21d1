"""The exceptions a user can meet. Each carries a message in plain words, fit to show as is."""


class ConfideError(Exception):
    """Base class: `str(error)` is a complete sentence a caseworker can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class VaultNotFound(ConfideError):
    pass


class VaultExists(ConfideError):
    pass


class VaultFileInvalid(ConfideError):
    pass


class WrongCredentials(ConfideError):
    def __init__(self, message: str = "That user name and passphrase do not match. Check Caps Lock and try again."):
        super().__init__(message)


class TooManyAttempts(ConfideError):
    def __init__(self, wait_seconds: int):
        self.wait_seconds = wait_seconds
        super().__init__(
            f"Too many wrong passphrases. Wait {wait_seconds} seconds before trying again."
        )


class CredentialStoreUnavailable(ConfideError):
    pass


class DeviceSecretMissing(ConfideError):
    pass


class DeviceKeyFileExposed(ConfideError):
    """The device key file is readable by other accounts: fixed with chmod, not with recovery."""


class WrongRecoveryKey(ConfideError):
    def __init__(self):
        super().__init__(
            "That recovery key does not open this vault. Check each group of characters against "
            "the recovery sheet."
        )


class DatabaseDamaged(ConfideError):
    pass


class SchemaTooNew(ConfideError):
    pass


class SchemaTooOld(ConfideError):
    pass


class MigrationFailed(ConfideError):
    pass


class PermissionDenied(ConfideError):
    pass


class ReadLimitReached(PermissionDenied):
    """An account read as many different people as its role may in the time window."""


class ValidationError(ConfideError):
    """Bad input in a form or on the command line; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PassphraseChangeRequired(ConfideError):
    pass


class BackupInvalid(ConfideError):
    pass


class DatabaseBusy(ConfideError):
    """Another window or the command line kept writing while a copy of the file was started."""


class OutputFolderMissing(ConfideError, FileNotFoundError):
    """The folder chosen for an export does not exist. Also an OSError, for callers that
    handle file errors together; `folder` names it."""

    def __init__(self, message: str, folder: str):
        super().__init__(message)
        self.folder = folder


class Locked(ConfideError):
    def __init__(self):
        super().__init__("Confide is locked. Unlock it to continue.")


class NotEligible(ConfideError):
    """R3: casework refused for someone who is neither the child nor holds parental responsibility."""


class NotFound(ConfideError):
    pass


class StaleEdit(ConfideError):
    def __init__(self):
        super().__init__("Someone changed this record while you were editing it. Reopen it to see "
                         "their change; your text is still in the form.")


class ConsentMissing(ConfideError):
    """R5/R6: no live consent covers this disclosure or records request. The message names
    what is missing; the way on is a consent, or an override with a lawful reason."""

"""The one exception type that carries a plain, user-facing message.

Raise :class:`UserError` for anything a person got wrong (an unknown stage, a
file that cannot be written, a scan that is not a scan). The CLI turns it into
exit status 2 and one sentence on stderr; the app shows the sentence and falls
back to a safe default.
"""


class UserError(Exception):
    """A problem with the user's input, described in one plain sentence."""

"""The one exception type the build reports to the user."""


class BuildError(Exception):
    """A problem the user can fix; ``build.py`` prints its message as one line and exits 1.

    Messages name the problem and the fix, e.g.
    ``BuildError("--model ./ckpt: no config.json there; pass a GPT-2 checkpoint directory")``.
    """

"""Refuse JupyterLab or Voila options that would switch the login token off.

``make lab`` runs this on ``LAB_ARGS`` before it starts JupyterLab, and
``make demo`` (with ``--target=demo`` first) on ``DEMO_ARGS`` before it starts
Voila. Without a token, anyone who can reach the port (a lecture hall's
Wi-Fi) can run code on the laptop. Other options (a port, ``--no-browser``, a
token of your own) pass through.
"""

from __future__ import annotations

import re
import sys

# token / password options of ServerApp, NotebookApp and IdentityProvider.
_AUTH_OPTION = re.compile(r"^--[A-Za-z]+\.(token|password)$")
_DISABLING = re.compile(
    r"^--[A-Za-z]+\.(token|password)=(''|\"\")?$"
    r"|^--[A-Za-z]+\.(disable_check_xsrf|allow_unauthenticated_access)(=(True|true|1))?$"
    r"|^--[A-Za-z]+\.auto_token=(False|false|0)$"  # Voila's generated token
    r"|^--token=(''|\"\")?$"  # Voila's own short option for its token
)
# make target: (its variable, the server, how to give a token of your own)
_TARGETS = {
    "lab": ("LAB_ARGS", "JupyterLab", "--IdentityProvider.token=mysecret"),
    "demo": ("DEMO_ARGS", "Voila", "--token=mysecret"),
}


def problems(args: list[str]) -> list[str]:
    """The options in ``args`` that would disable authentication."""
    found = []
    for index, arg in enumerate(args):
        following = args[index + 1] if index + 1 < len(args) else None
        if _DISABLING.match(arg):
            found.append(arg)
        elif _AUTH_OPTION.match(arg) and following in ("", "''", '""'):
            found.append(f"{arg} {following!r}")
    return found


def main(argv: list[str]) -> int:
    target = "lab"
    if argv and argv[0].startswith("--target="):
        target, argv = argv[0].removeprefix("--target="), argv[1:]
    variable, server, own_token = _TARGETS[target]
    refused = problems(argv)
    if refused:
        print(
            f"make {target}: {variable} would switch {server}'s token off "
            f"({', '.join(refused)}). The course keeps it on: anyone on the network "
            "could otherwise run code on this machine. Leave that option out, or give "
            f"a token of your own, e.g. {variable}={own_token}.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

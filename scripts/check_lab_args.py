"""Refuse JupyterLab options that would switch its login token off.

``make lab`` runs this on ``LAB_ARGS`` before it starts JupyterLab. Without a
token, anyone who can reach the port (a lecture hall's Wi-Fi) can run code
on the laptop. Other options (a port, ``--no-browser``, a token of your own)
pass through.
"""

from __future__ import annotations

import re
import sys

# token / password options of ServerApp, NotebookApp and IdentityProvider.
_AUTH_OPTION = re.compile(r"^--[A-Za-z]+\.(token|password)$")
_DISABLING = re.compile(
    r"^--[A-Za-z]+\.(token|password)=(''|\"\")?$"
    r"|^--[A-Za-z]+\.(disable_check_xsrf|allow_unauthenticated_access)(=(True|true|1))?$"
)


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
    refused = problems(argv)
    if refused:
        print(
            "make lab: LAB_ARGS would switch JupyterLab's token off "
            f"({', '.join(refused)}). The course keeps it on: anyone on the network "
            "could otherwise run code on this machine. Leave that option out, or give "
            "a token of your own, e.g. LAB_ARGS=--IdentityProvider.token=mysecret.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

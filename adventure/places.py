"""Where the game keeps files on this machine: the per-user data and cache folders.

It sits beside the layers, below `story` and `saves`, which both need it and may not import each
other. On Linux and the BSDs the folders follow the XDG Base Directory specification, read here
directly: `$XDG_DATA_HOME` or `~/.local/share`, `$XDG_CACHE_HOME` or `~/.cache`, a relative value
ignored as the specification says. Elsewhere platformdirs knows each platform's conventions;
importing it costs a start more than anything else the game needs, so XDG systems do without it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from adventure.core import APP

_XDG = {"data": ("XDG_DATA_HOME", ".local/share"), "cache": ("XDG_CACHE_HOME", ".cache")}
_XDG_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd", "dragonfly")


def user_folder(kind: Literal["data", "cache"], environment: Mapping[str, str] | None = None) -> Path:
    """The game's own folder of that kind for this user, as each platform names it."""
    if sys.platform.startswith(_XDG_PLATFORMS):
        variable, fallback = _XDG[kind]
        base = (os.environ if environment is None else environment).get(variable, "")
        if not os.path.isabs(base):
            base = os.path.join(os.path.expanduser("~"), fallback)
        return Path(base) / APP
    import platformdirs

    if kind == "data":
        return platformdirs.user_data_path(APP, appauthor=False)
    return platformdirs.user_cache_path(APP, appauthor=False)

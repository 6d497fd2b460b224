from __future__ import annotations

import sys
from pathlib import Path

import pytest

from adventure.core import APP
from adventure.places import user_folder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG folders are Linux's")


def test_the_xdg_variables_name_the_folders(tmp_path: Path) -> None:
    environment = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert user_folder("data", environment) == tmp_path / "data" / APP
    assert user_folder("cache", environment) == tmp_path / "cache" / APP


@pytest.mark.parametrize("value", [None, "", "relative/cache"])
def test_without_an_absolute_xdg_folder_the_home_folder_s_defaults_are_used(
    value: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The specification: an unset, empty or relative value is as if it were not there."""
    monkeypatch.setenv("HOME", str(tmp_path))
    environment = {} if value is None else {"XDG_DATA_HOME": value, "XDG_CACHE_HOME": value}
    assert user_folder("data", environment) == tmp_path / ".local" / "share" / APP
    assert user_folder("cache", environment) == tmp_path / ".cache" / APP


@pytest.mark.parametrize("value", [None, "/somewhere/else"])
def test_the_folders_are_those_platformdirs_names(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The game read its folders through platformdirs before: saves and endings stay where they were."""
    import platformdirs

    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, f"{value}/{variable}")
    assert user_folder("data") == platformdirs.user_data_path(APP, appauthor=False)
    assert user_folder("cache") == platformdirs.user_cache_path(APP, appauthor=False)


def test_a_game_starts_without_importing_platformdirs(tmp_path: Path) -> None:
    """It costs a start more than any other import: where XDG names the folders, it is not needed."""
    import os
    import subprocess

    environment = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "adventure", "play", "--saves", str(tmp_path / "saves")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert ran.returncode == 0 and "Goodbye" in ran.stdout
    assert "adventure.cli.main" in ran.stderr and "platformdirs" not in ran.stderr
    assert (tmp_path / "cache" / APP / "stories").is_dir()

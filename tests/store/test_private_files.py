"""A new deployment's data is private: the home folder 0700, the SQLite database (which
holds source names and password hashes) and its WAL files 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tearline import workflow as wf
from tearline.settings import load_settings
from tests.conftest import seed_users


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_and_database_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which would give 0644 files
    try:
        home = tmp_path / "deployment" / "home"
        app = wf.App(load_settings({"home": str(home)}, environ={}))
        try:
            seed_users(app)  # a write: SQLite opens its -wal and -shm files
            database = home / "tearline.db"
            assert _mode(home) == 0o700
            assert _mode(database) == 0o600
            for extra in (home / "tearline.db-wal", home / "tearline.db-shm"):
                if extra.exists():
                    assert _mode(extra) == 0o600, extra
        finally:
            app.close()
    finally:
        os.umask(old)


def test_an_existing_folder_keeps_the_mode_its_owner_gave_it(tmp_path: Path) -> None:
    home = tmp_path / "shared"
    home.mkdir(mode=0o750)
    home.chmod(0o750)
    app = wf.App(load_settings({"home": str(home)}, environ={}))
    app.close()
    assert _mode(home) == 0o750
    assert _mode(home / "tearline.db") == 0o600

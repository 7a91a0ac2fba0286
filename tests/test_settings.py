"""Settings are data, come from flags, environment or TOML, and are all documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tearline.errors import ConfigError
from tearline.settings import SETTINGS, load_settings

README = Path(__file__).parent.parent / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text()
    missing = [s.env for s in SETTINGS if s.env not in readme]
    assert missing == [], f"undocumented settings: {missing}"


def test_readme_documents_no_setting_that_does_not_exist() -> None:
    names = {s.env for s in SETTINGS} | {
        "TEARLINE_PASSWORD",
        "TEARLINE_NEW_PASSWORD",
        "TEARLINE_CONFIG",
        "TEARLINE_TEST_POSTGRES_URL",
        "TEARLINE_REQUIRE_POSTGRES",
        "TEARLINE_REQUIRE_JAVA",
        "TEARLINE_REQUIRE_XMLSEC1",
        "TEARLINE_REQUIRE_CADDY",
        "TEARLINE_REQUIRE_DOVECOT",
        "TEARLINE_SKIP_BROWSER_TESTS",
        "TEARLINE_BENCH_POSTGIS_URL",  # read by bench/targeting.py, not by the program
    }
    mentioned = set(re.findall(r"TEARLINE_[A-Z0-9_]+", README.read_text()))
    assert mentioned <= names, mentioned - names


def test_precedence_flag_over_env_over_toml(tmp_path: Path) -> None:
    (tmp_path / "tearline.toml").write_text("imminence_days = 5\nsender = 'from toml'\n")
    env = {"TEARLINE_IMMINENCE_DAYS": "9"}
    s = load_settings({"home": str(tmp_path)}, environ=env)
    assert (s.imminence_days, s.sender) == (9, "from toml")
    s = load_settings({"home": str(tmp_path), "imminence_days": 2}, environ=env)
    assert s.imminence_days == 2


def test_default_database_is_sqlite_in_home(tmp_path: Path) -> None:
    s = load_settings({"home": str(tmp_path)}, environ={})
    assert s.database == f"sqlite:///{tmp_path.resolve() / 'tearline.db'}"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TEARLINE_IMMINENCE_DAYS": "soon"}, "TEARLINE_IMMINENCE_DAYS"),
        ({"TEARLINE_DELIVERY_MAX_ATTEMPTS": "0"}, "positive"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"home": str(tmp_path)}, environ=env)


def test_unknown_toml_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tearline.toml").write_text("imminance_days = 5\n")
    with pytest.raises(ConfigError, match=r"unknown setting.*imminance_days"):
        load_settings({"home": str(tmp_path)}, environ={})


def test_broken_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tearline.toml").write_text("imminence_days = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"home": str(tmp_path)}, environ={})

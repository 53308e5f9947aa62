"""Every string a person sees exists in Italian, French and Spanish (English is the source)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["it", "fr", "es"]
SOURCE_DIRS = [
    "contactcenter",
    "tickets",
    "operators",
    "channels_app",
    "faq",
    "reports",
    "api",
    "privacy",
    "templates",
]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    po = catalogue(language)
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
    for entry in catalogue(language).translated_entries():
        wanted = set(pattern.findall(entry.msgid))
        got = set(pattern.findall(entry.msgstr)) if entry.msgstr else wanted
        assert wanted == got, f"{language}: {entry.msgid!r} -> {entry.msgstr!r}"


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    """Extract the strings afresh from a copy of the sources and compare with the committed catalogue."""
    for name in [*SOURCE_DIRS, "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "it" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "i18n_settings.py").write_text(
        f"from contactcenter.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(tmp_path / 'locale')!r}]\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "DJANGO_SETTINGS_MODULE": "i18n_settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "it",
            "--no-location",
            "--no-obsolete",
            "--ignore=i18n_settings.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "it" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in catalogue("it") if not e.obsolete}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed)
    assert not missing, f"{len(missing)} strings missing from locale/it (run `make makemessages`): {missing[:10]}"

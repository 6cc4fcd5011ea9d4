"""layers/provenance.py: SHA-256 of inputs, cached by file stamp, workspace paths."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from gaoxin.layers.provenance import (
    cache_file,
    digests,
    digests_in_background,
    sha256,
    workspace_paths,
)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAOXIN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "sha256.json"


def test_cache_file_follows_the_environment(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    assert cache_file() == tmp_path / "cache" / "sha256.json"
    monkeypatch.delenv("GAOXIN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_file() == tmp_path / "xdg" / "gaoxin" / "sha256.json"


def test_sha256_of_a_file_and_of_a_folder_in_name_order(tmp_path: Path) -> None:
    a = tmp_path / "gdb" / "a.dat"
    b = tmp_path / "gdb" / "b.dat"
    a.parent.mkdir()
    a.write_bytes(b"alpha")
    b.write_bytes(b"beta")
    assert sha256(a) == hashlib.sha256(b"alpha").hexdigest()
    expected = hashlib.sha256()
    for name, data in (("a.dat", b"alpha"), ("b.dat", b"beta")):
        expected.update(name.encode())
        expected.update(hashlib.sha256(data).hexdigest().encode())
    assert sha256(a.parent) == expected.hexdigest()


def test_an_unchanged_file_is_taken_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "layer.gpkg"
    path.write_bytes(b"one")
    cache: dict[str, dict[str, str]] = {}
    first = sha256(path, cache)
    cache[str(path.resolve())]["sha256"] = "remembered"  # what a cache hit returns
    assert sha256(path, cache) == "remembered"
    path.write_bytes(b"changed")  # a new size: the stamp no longer matches
    assert sha256(path, cache) == hashlib.sha256(b"changed").hexdigest() != first


def test_digests_in_order_without_duplicates_and_none_for_missing(tmp_path: Path,
                                                                   own_cache: Path) -> None:
    one, two = tmp_path / "1.csv", tmp_path / "2.csv"
    one.write_bytes(b"1")
    two.write_bytes(b"2")
    got = digests([two, one, two, tmp_path / "gone.csv"])
    assert got == [{"path": str(two), "sha256": hashlib.sha256(b"2").hexdigest()},
                   {"path": str(one), "sha256": hashlib.sha256(b"1").hexdigest()},
                   {"path": str(tmp_path / "gone.csv"), "sha256": None}]
    saved = json.loads(own_cache.read_text(encoding="utf-8"))
    assert set(saved) == {str(one.resolve()), str(two.resolve())}
    assert digests_in_background([one]).result(timeout=30) == got[1:2]


def test_an_unwritable_cache_does_not_fail_the_digests(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("GAOXIN_CACHE_DIR", str(blocker / "cache"))  # below a file
    assert digests([blocker])[0]["sha256"] == hashlib.sha256(b"x").hexdigest()


def test_workspace_paths_resolve_relative_to_the_workspace(tmp_path: Path) -> None:
    toml = tmp_path / "ws" / "gaoxin.toml"
    toml.parent.mkdir()
    toml.write_text('[layers.zones]\npath = "z.gpkg"\n[layers.dem]\npath = "/data/dem.tif"\n'
                    '[requests.r1]\npath = "req/r1.txt"\nzone = "Z"\n[workspace]\nname = "x"\n',
                    encoding="utf-8")
    assert workspace_paths(toml) == [toml, toml.parent / "z.gpkg", Path("/data/dem.tif"),
                                     toml.parent / "req" / "r1.txt"]
    broken = tmp_path / "broken.toml"
    broken.write_text("[layers\n", encoding="utf-8")
    assert workspace_paths(broken) == [] and workspace_paths(tmp_path / "none.toml") == []

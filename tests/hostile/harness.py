"""One hostile case: its inputs, the command line, and the contract the run must keep.

A case's builder writes its inputs into ``IN`` (a fresh folder); in ``argv`` a token starting
``IN/`` or ``OUT/`` names a path in the input or output folder. Everything under the case's
folder except ``out/`` and ``tmp/`` (gaoxin's temporary files go there) is an input: it is
hashed before and after the run, symlinks and folders included, and must not change.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gaoxin.cli import main

# Not inputs: outputs, and gaoxin's temporary files.
_NOT_INPUTS = ("out", "tmp")


@dataclass(frozen=True)
class Case:
    """One hostile input and what gaoxin must do with it.

    Parameters
    ----------
    name
        The test id.
    build
        Writes the inputs into the folder it is given (``IN``); may also write beside it,
        e.g. a victim file a zip-slip member points at.
    argv
        The command line; tokens ``IN/…`` and ``OUT/…`` are paths in the input/output folder.
    code
        The exit code, or the codes allowed ("refused (2) or reported (0)").
    mentions
        Texts the error message must contain (file, member, feature id, rule …); on exit 0,
        texts the output (stdout, stderr or summary.json) must contain.
    absent
        Texts that must appear nowhere in stdout or stderr (a temp path, raw SQL, advice to
        call Python, a raw HTML tag …).
    area_m2
        For valid-but-odd inputs read by ``area --json``: the reference total area (m²) by
        pyproj.Geod, matched within 1e-6 relative.
    check
        Any further check of the outputs: called with the output folder.
    """

    name: str
    build: Callable[[Path], object]
    argv: tuple[str, ...]
    code: int | tuple[int, ...] = 2
    mentions: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    area_m2: Callable[[], float] | None = None
    check: Callable[[Path], None] | None = None


def snapshot(root: Path) -> dict[str, str]:
    """Every input entry under ``root``: relative path → content digest / link target."""
    entries: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == root:
            dirnames[:] = [d for d in dirnames if d not in _NOT_INPUTS]
        for name in dirnames + filenames:
            path = here / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                entries[rel] = "link → " + os.readlink(path)
            elif path.is_dir():
                entries[rel] = "folder"
            else:
                entries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def _expand(token: str, inputs: Path, outputs: Path) -> str:
    for prefix, folder in (("IN/", inputs), ("OUT/", outputs)):
        if token.startswith(prefix):
            return str(folder / token[len(prefix):])
    return token


def strict_json(text: str) -> object:
    """``json.loads`` that refuses NaN and ±Infinity, which JSON does not have."""
    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def run_case(case: Case, root: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> None:
    """Build ``case`` under ``root``, run it in-process, and check the whole contract."""
    inputs, outputs, scratch = root / "in", root / "out", root / "tmp"
    for folder in (inputs, outputs, scratch):
        folder.mkdir()
    case.build(inputs)
    # Temporary files land in the case's folder: never an input, and a zip-slip member
    # "../../x/…" resolves from tmp/<gaoxin's temp folder>/ to <root>/x/, a watched input.
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(outputs)
    before = snapshot(root)
    argv = [_expand(token, inputs, outputs) for token in case.argv]
    try:
        code = main(argv)
    except BaseException as exc:  # the contract: main() reports, it never raises
        pytest.fail(f"main() raised {type(exc).__name__}: {exc}")
    out, err = capsys.readouterr()
    problems = _broken_promises(case, code, out, err, outputs)
    if snapshot(root) != before:
        problems.append("an input changed (a file, folder or link under the case's folder)")
    assert not problems, "\n".join(problems) + f"\n--- stdout:\n{out}\n--- stderr:\n{err}"


def _broken_promises(case: Case, code: int, out: str, err: str, outputs: Path) -> list[str]:
    """Every way the run broke the contract (empty when it kept it)."""
    problems = []
    everything = out + err
    problems += [f"{bad!r} shown" for bad in ("Traceback", "internal error") if bad in everything]
    problems += [f"{text!r} must not be shown" for text in case.absent if text in everything]
    allowed = case.code if isinstance(case.code, tuple) else (case.code,)
    if code not in allowed:
        problems.append(f"exit {code}, expected {case.code}")
    errors = [line for line in err.splitlines() if line.startswith("error")]
    if code == 2:
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines, expected exactly one")
        message = " ".join(errors)
        if "Fix:" not in message:
            problems.append("the message has no 'Fix:'")
        problems += [f"{text!r} not in the message" for text in case.mentions
                     if text not in message]
        return problems
    if errors:
        problems.append("an error line on a successful run")
    summaries = list(outputs.rglob("summary.json"))
    shown = everything + "".join(p.read_text(encoding="utf-8") for p in summaries)
    problems += [f"{text!r} not in the output" for text in case.mentions if text not in shown]
    for summary in summaries:
        try:
            strict_json(summary.read_text(encoding="utf-8"))
        except ValueError as exc:
            problems.append(f"{summary.name} is not strict JSON ({exc})")
    if "--json" in case.argv:
        try:
            strict_json(out)
        except ValueError as exc:
            problems.append(f"stdout is not strict JSON ({exc})")
    if case.area_m2 is not None:
        try:
            total = sum(row["area_m2"] for row in strict_json(out))  # type: ignore[union-attr]
        except ValueError as exc:
            return [*problems, f"stdout is not strict JSON ({exc})"]
        expected = case.area_m2()
        if not math.isclose(total, expected, rel_tol=1e-6):
            problems.append(f"area {total} m², pyproj.Geod {expected} m² "
                            f"(relative error {abs(total / expected - 1):.2e})")
    if case.check is not None:
        try:
            case.check(outputs)
        except AssertionError as exc:
            problems.append(f"output check: {exc}")
    return problems

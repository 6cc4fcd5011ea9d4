"""The Chinese user guide (docs/guide-zh.md) stays true of the code.

Every command ``gaoxin --help`` lists has a section and every command line the guide shows
parses; every TOML block is accepted by the workspace loader and its rule overrides by the
rule sets (blocks naming the sample's files are loaded with the sample layers); every rule
key, land-status code, canonical field, output file and workbook sheet the guide names is one
the code has, and every output file and sheet the code writes is named; README links it.
"""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from functools import cache
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from gaoxin.analysis.ruleset import load_ruleset, rule_sets
from gaoxin.cli import app
from gaoxin.kinds import KINDS, LAND_STATUS_CODES
from gaoxin.layers.workspace import load_workspace
from gaoxin.layers.write import RUN_MANIFEST
from gaoxin.report.labels import LABELS
from gaoxin.workflows.check import check_rows
from tests.helpers import shared_sample

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide-zh.md"
OUTPUT_NAME = re.compile(r"[\w.-]+\.(?:json|gpkg|xlsx|html|txt|csv)")


@cache
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def section(title_start: str) -> str:
    """The text of the ``## `` section whose title starts with ``title_start``."""
    parts = re.split(r"^## ", guide(), flags=re.M)
    found = [p for p in parts if p.startswith(title_start)]
    assert len(found) == 1, f"the guide has no single section '## {title_start}'"
    return found[0]


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", guide(), flags=re.M | re.S)


def backticked(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def cli_group() -> TyperGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return group


def listed_commands() -> list[str]:
    """The commands ``gaoxin --help`` lists."""
    group = cli_group()
    return [name for name, cmd in group.commands.items() if not cmd.hidden]


# ---------------------------------------------------------------- commands


def test_every_command_gaoxin_help_lists_has_a_section() -> None:
    headings = set(re.findall(r"^### `gaoxin ([\w-]+)`$", guide(), flags=re.M))
    commands = set(listed_commands())
    assert len(commands) >= 11
    assert commands - headings == set(), "commands without a section in the guide"
    assert headings - commands == set(), "guide sections for commands that do not exist"


def test_every_section_shows_a_runnable_example_and_what_it_writes() -> None:
    for command in listed_commands():
        body = re.split(rf"^### `gaoxin {re.escape(command)}`$", guide(), flags=re.M)[1]
        body = re.split(r"^##", body, flags=re.M)[0]
        assert re.search(rf"^gaoxin {re.escape(command)}\b", body, flags=re.M), command
        assert "用途" in body and "写出" in body, command


def guide_command_lines() -> list[list[str]]:
    lines = []
    for block in code_blocks("bash"):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("gaoxin "):
                lines.append(shlex.split(line)[1:])
    return lines


def test_every_command_line_in_the_guide_parses() -> None:
    """Each `gaoxin …` line names a real command with options and arguments it takes."""
    group = cli_group()
    lines = guide_command_lines()
    assert len(lines) >= 20
    for args in lines:
        at = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
        group_opts, rest = args[:at], args[at + 1:]
        if "--help" in group_opts:
            continue
        line = f"gaoxin {shlex.join(args)}"
        try:
            group.make_context("gaoxin", args[:at + 1]).close()
            name = args[at]
            assert name in group.commands, f"unknown command in: {line}"
            if "--help" not in rest:
                group.commands[name].make_context(name, rest).close()
        except typer.exceptions.TyperException as exc:
            pytest.fail(f"{line}: {exc}")


def test_command_line_check_refuses_an_unknown_option() -> None:
    """The parse check above is a real check: a misspelt option does not parse."""
    # typer vendors click: its usage errors are TyperExceptions.
    with pytest.raises(typer.exceptions.TyperException, match="--strikt"):
        cli_group().commands["expansion"].make_context(
            "expansion", ["r.txt", "--zone", "G510001", "--strikt"])


# ---------------------------------------------------------------- the workspace file


def sample_layer_paths(block: dict[str, object], sample: Path) -> bool:
    layers = block.get("layers", {})
    assert isinstance(layers, dict)
    return bool(layers) and all((sample / str(entry["path"])).exists()
                                for entry in layers.values())


def test_every_toml_block_is_accepted_by_the_loader(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    blocks = code_blocks("toml")
    assert len(blocks) >= 5
    sample = shared_sample(tmp_path_factory).parent
    loaded_with_layers = 0
    for i, text in enumerate(blocks):
        data = tomllib.loads(text)
        folder = tmp_path / f"block{i}"
        folder.mkdir()
        if sample_layer_paths(data, sample):
            # The sample's files beside the block, so its relative paths name them.
            for entry in sample.iterdir():
                if entry.name != "gaoxin.toml":
                    (folder / entry.name).symlink_to(entry)
        toml = folder / "gaoxin.toml"
        toml.write_text(text, encoding="utf-8")
        ws = load_workspace(toml)
        for name, overrides in ws.rules.items():
            load_ruleset(name, overrides, origin=toml)
        if sample_layer_paths(data, sample):
            rows, blocking = check_rows(ws)
            assert not blocking, [r for r in rows if r["status"] == "refused"]
            assert {r["kind"] for r in rows} >= set(ws.layers)
            loaded_with_layers += 1
    assert loaded_with_layers >= 1, "the full workspace example is not loaded with layers"


def test_every_section_key_the_loader_accepts_is_documented() -> None:
    from gaoxin.layers import workspace

    text = section("4.")
    for key in (*workspace._LAYER_KEYS, *workspace._REQUEST_KEYS):
        assert f"`{key}`" in text, key
    for name in ("[workspace]", "[layers.<类型>]", "[requests.<申请名>]", "[rules.<规则集>]",
                 "[tianditu]"):
        assert f"`{name}`" in text, name
    for name in rule_sets():
        assert f"`{name}`" in text, name


def test_database_keys_the_sink_and_the_cluster_are_documented() -> None:
    from gaoxin.layers import workspace

    text = section("4.")
    for key in (*workspace._DATABASE_KEYS, *workspace._SINK_KEYS):
        assert f"`{key}`" in text, key
    assert "`[sink]`" in text
    cluster = section("12.")
    lines = [" ".join(args) for args in guide_command_lines()]
    for name, command in cli_group().commands.items():
        options = {o for p in command.params for o in p.opts}
        if "--cluster" in options:
            assert f"`{name}`" in cluster, f"{name} takes --cluster: say so in section 12"
    for shown in ("--cluster local:", "--cluster tcp://", "--out postgresql://"):
        assert any(shown in line for line in lines), shown


def test_every_layer_kind_and_canonical_field_is_named() -> None:
    text = section("4.") + section("6.")
    for kind in KINDS.values():
        if kind.name == "requests":
            continue
        assert f"`{kind.name}`" in text, kind.name
        for fld in kind.fields:
            assert f"`{fld.name}`" in text, f"{kind.name}.{fld.name}"


def test_enterprise_fields_are_given_with_their_units() -> None:
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", section("6."),
                                                        flags=re.M)}
    for fld in KINDS["enterprises"].fields:
        assert fld.name in rows, fld.name
        if fld.unit:
            assert fld.unit in rows[fld.name].split("|")[-2], fld.name


def test_land_status_codes_are_those_of_the_code() -> None:
    pairs: dict[str, str] = {}
    for line in section("5.").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("代码", "---"):
            pairs[cells[0]], pairs[cells[2]] = cells[1], cells[3]
    assert pairs == LAND_STATUS_CODES


# ---------------------------------------------------------------- rules


@cache
def shipped_rule_keys() -> set[str]:
    return {key for name in rule_sets() for key in load_ruleset(name).rules}


def named_rule_keys() -> list[str]:
    """Backticked dotted names in the guide whose first part starts a shipped rule key."""
    starts = {key.split(".")[0] for key in shipped_rule_keys()}
    return [span for span in backticked(guide())
            if "." in span and span.split(".")[0] in starts
            and not OUTPUT_NAME.fullmatch(span)]


def test_every_rule_key_the_guide_names_exists() -> None:
    keys = shipped_rule_keys()
    prefixes = {".".join(k.split(".")[:i]) for k in keys for i in range(1, k.count(".") + 1)}
    named = named_rule_keys()
    assert len(named) >= 30
    unknown = [k for k in named if k not in keys and k not in prefixes]
    assert unknown == []


def test_every_expansion_check_threshold_is_documented() -> None:
    named = set(named_rule_keys())
    assert set(load_ruleset("expansion").rules) - named == set()


# ---------------------------------------------------------------- outputs


def written_file_names() -> set[str]:
    """File names the workflows and the demo write: `folder / "name.ext"` in their code."""
    names = {RUN_MANIFEST}
    for path in [*(ROOT / "gaoxin" / "workflows").glob("*.py"), ROOT / "gaoxin" / "demo.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
                    and isinstance(node.right, ast.Constant)
                    and isinstance(node.right.value, str)
                    and OUTPUT_NAME.fullmatch(node.right.value)):
                names.add(node.right.value)
    return names


def test_output_files_named_are_those_the_code_writes() -> None:
    table = section("9.")
    documented = set(re.findall(r"^\| `([^`]+)`", table, flags=re.M))
    written = written_file_names()
    assert len(written) >= 15
    assert documented - written == set(), "the guide names outputs gaoxin does not write"
    assert written - documented == set(), "outputs gaoxin writes that the guide omits"


def test_every_file_a_command_section_says_it_writes_exists() -> None:
    written = written_file_names()
    commands = section("3.")
    for line in commands.splitlines():
        if line.startswith("写出"):
            for span in backticked(line):
                if OUTPUT_NAME.fullmatch(span) and span != "gaoxin.toml":
                    assert span in written, span


def test_workbook_sheets_named_are_those_the_code_writes() -> None:
    sheets = {zh for key, (zh, _en) in LABELS.items() if key.startswith("sheet.")}
    named = {span for line in section("9.").splitlines() if "工作表" in line
             for span in backticked(line.split("工作表", 1)[1])}
    assert len(sheets) >= 15
    assert named == sheets


# ---------------------------------------------------------------- exit codes, README


def test_exit_codes_are_those_of_the_command_line() -> None:
    import gaoxin.cli

    doc = gaoxin.cli.__doc__ or ""
    sentence = "Exit codes:" + doc.split("Exit codes:", 1)[1].split("\n\n")[0]
    in_code = set(re.findall(r"[:;]\s+(\d) ", sentence))
    in_guide = set(re.findall(r"^\| (\d) \|", section("10."), flags=re.M))
    assert in_code == in_guide == {"0", "1", "2", "3"}


def test_readme_links_the_guide_at_the_top_and_in_the_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [m.start() for m in re.finditer(r"\]\(docs/guide-zh\.md\)", readme)]
    assert links, "README does not link docs/guide-zh.md"
    assert readme[:links[0]].count("\n") < 12, "the guide is not linked near the top"
    commands_at = readme.index("## Using your own data")
    assert any(at > commands_at for at in links), "no link in the command section"

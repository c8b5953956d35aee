"""Read and write YAML/JSON documents, loading strictly.

The YAML loader follows YAML 1.2 where YAML 1.1 surprises people: ``22:00`` is
the text "22:00" (not the base-60 number 1320) and ``no``/``off``/``on``/``yes``
are text (only ``true``/``false`` are booleans). A key given twice in one
mapping is an error, in YAML and in JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ingenio.domain import N_, DomainError, Issue, said
from ingenio.limits import MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NODES, MAX_NESTING, check_size

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)


try:  # libyaml's parser and emitter when PyYAML was built with it: several times faster
    from yaml import CSafeDumper as _SafeDumper
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """SafeLoader with YAML 1.2 booleans and numbers and no duplicate keys."""


_YAML11_SURPRISES = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_SURPRISES]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_YAML12_SCALARS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9_]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
)
for _tag, _rx, _first in _YAML12_SCALARS:
    _Loader.add_implicit_resolver(_tag, re.compile(_rx), list(_first))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Dumper(_SafeDumper):
    """SafeDumper writing short lists of scalars in flow style: ``days: [mon, tue]``.

    It also knows the loader's YAML 1.2 scalars, so it quotes any text that
    either YAML 1.1 or 1.2 would read as something else (``"1e3"``, ``"no"``).
    """


for _tag, _rx, _first in _YAML12_SCALARS:
    _Dumper.add_implicit_resolver(_tag, re.compile(_rx), list(_first))


def _represent_list(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str | int | float | bool) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    style = "'" if _CLOCK_TEXT.match(data) else None  # always "06:00", never 06:00
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_CLOCK_TEXT = re.compile(r"^[0-9]{1,2}:[0-9]{2}$")
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _too_big(source: str, nodes: int | None = None) -> DomainError:
    what = (
        said(N_("%(count)s values"), count=f"{nodes:,}")
        if nodes is not None
        else said(N_("too many values"))
    )
    msg = said(
        N_(
            "the document expands to %(what)s (aliases included); the limit is "
            "%(limit)s (see docs/limits.md)"
        ),
        what=what,
        limit=f"{MAX_DOCUMENT_NODES:,}",
    )
    return DomainError([Issue.of("(file)", msg)], source)


def _value_error(text: str, source: str, e: ValueError, kind: str) -> DomainError:
    """A value Python cannot hold (a number of more than 4300 digits), with its line."""
    long = re.search(r"\d{4301,}", text)
    if long is not None:
        line = text.count("\n", 0, long.start()) + 1
        digits = long.end() - long.start()
        msg = said(
            N_("a number of %(digits)s digits; numbers may have at most 4300"), digits=digits
        )
        return DomainError([Issue.of(f"line {line}", msg, long.group()[:20] + "...")], source)
    msg = said(N_("%(kind)s error: %(error)s"), kind=kind, error=str(e)[:200])
    return DomainError([Issue.of("(file)", msg)], source)


def _too_deep(source: str) -> DomainError:
    msg = said(
        N_("nested more than %(limit)s levels deep; the limit is %(limit)s"), limit=MAX_NESTING
    )
    return DomainError([Issue.of("(file)", msg)], source)


def _expanded_size(root: yaml.Node, source: str) -> int:
    """Values in the composed YAML graph once every alias is expanded (bounded work).

    Aliases share nodes in the graph, so a bomb is measured without expanding it:
    each node's size is computed once and reused. Refuses beyond the limits.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    on_path: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if depth > MAX_NESTING:
            raise _too_deep(source)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_DOCUMENT_NODES:
                raise _too_big(source)
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:  # a recursive alias (&a [*a]): refuse, never expand
            line = node.start_mark.line + 1
            msg = said(N_("an alias refers to itself"))
            raise DomainError([Issue.of(f"line {line}", msg)], source)
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _load_yaml_bounded(text: str, source: str) -> object:
    """``yaml.load`` with the loader below, refusing documents that expand too far."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, source)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_tree(data: object, source: str) -> None:
    """Refuse parsed data nested deeper or larger than the limits (JSON has no aliases)."""
    count = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_NESTING:
            raise _too_deep(source)
        if count > MAX_DOCUMENT_NODES:
            raise _too_big(source)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def parse_text(text: str, suffix: str, source: str) -> object:
    """Parse YAML or JSON text (by file ``suffix``) into plain Python data.

    Raises
    ------
    DomainError
        With the line (and column) of a syntax error or a duplicate key.
    """
    if suffix in YAML_SUFFIXES:
        try:
            return _load_yaml_bounded(text, source)
        except DomainError:
            raise
        except ValueError as e:  # an integer of more than 4300 digits, ...
            raise _value_error(text, source, e, "YAML") from e
        except RecursionError as e:
            msg = said(N_("nested too deeply (the limit is %(limit)s levels)"), limit=MAX_NESTING)
            raise DomainError([Issue.of("(file)", msg)], source) from e
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else "(file)"
            problem = getattr(e, "problem", None) or str(e)
            msg = (
                said(
                    N_("YAML syntax error: %(problem)s (column %(column)s)"),
                    problem=problem,
                    column=mark.column + 1,
                )
                if mark is not None
                else said(N_("YAML syntax error: %(problem)s"), problem=problem)
            )
            raise DomainError([Issue.of(where, msg)], source) from e
    if suffix in JSON_SUFFIXES:
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except RecursionError as e:
            msg = said(N_("nested too deeply (the limit is %(limit)s levels)"), limit=MAX_NESTING)
            raise DomainError([Issue.of("(file)", msg)], source) from e
        except json.JSONDecodeError as e:
            msg = said(
                N_("JSON syntax error: %(problem)s (column %(column)s)"),
                problem=e.msg,
                column=e.colno,
            )
            raise DomainError([Issue.of(f"line {e.lineno}", msg)], source) from e
        except ValueError as e:
            raise _value_error(text, source, e, "JSON") from e
        _check_tree(data, source)
        return data
    msg = said(N_("unsupported file type; use .yaml, .yml or .json"))
    raise DomainError([Issue.of("(file)", msg, suffix)], source)


def read_document(path: Path, suffix: str | None = None) -> object:
    """Read and parse a ``.yaml``, ``.yml`` or ``.json`` file.

    Parameters
    ----------
    path
        The file.
    suffix
        Syntax to read it as (``".json"``, ...); by default the file's own suffix.

    Raises
    ------
    DomainError
        If the file cannot be read, is not UTF-8, or is not valid YAML/JSON.
    """
    suffix = (suffix or path.suffix).lower()
    if suffix not in YAML_SUFFIXES + JSON_SUFFIXES:
        parse_text("", suffix, path.name)  # raises the "unsupported file type" issue
    check_size(path, MAX_DOCUMENT_BYTES)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DomainError([Issue.of("(file)", said(N_("not UTF-8 text")))], path.name) from e
    except OSError as e:
        msg = said(N_("cannot read the file: %(error)s"), error=str(e.strerror or e))
        raise DomainError([Issue.of("(file)", msg)], path.name) from e
    return parse_text(text, suffix, path.name)


def document_text(doc: object, suffix: str) -> str:
    """Serialise ``doc`` as YAML (``.yaml``/``.yml``) or indented JSON (``.json``).

    Raises
    ------
    ValueError
        For any other suffix.
    """
    suffix = suffix.lower()
    if suffix in YAML_SUFFIXES:
        return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if suffix in JSON_SUFFIXES:
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unsupported file type {suffix!r}; use .yaml, .yml or .json")

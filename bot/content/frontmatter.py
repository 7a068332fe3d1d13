"""YAML front matter, read as ``yaml.load(source, Loader=CSafeLoader)`` would, only faster.

Three ways, the first that applies:

1. ``_plain_lines``: front matter made only of ``key: value`` lines, comments and
   nested blocks of them (the Academic theme's long, mostly commented templates) is
   read line by line. Values are quoted strings without escapes, ``[]``, ``{}`` or plain
   scalars, typed by PyYAML's own resolver and constructors (``false``, dates, numbers).
   Anything else on any line (lists, flow collections, block scalars, anchors, tags,
   tabs, comments after a value, characters YAML refuses) hands the whole text on.
2. ``_construct``: libyaml composes the nodes; maps, lists, strings and nulls are built
   here without PyYAML's generic bookkeeping (the rest of the scalars by its constructors).
3. ``yaml.load`` itself, for anchors and aliases, merge keys and explicit tags.

All three give equal values and the same errors; only the time differs.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MAP, _SEQ = (_TAG + t for t in ("str", "null", "map", "seq"))
_SCALARS = {
    _TAG + t: SafeConstructor.yaml_constructors[_TAG + t]
    for t in ("bool", "int", "float", "timestamp")
}
_MAP_KEY_TAGS = frozenset((_TAG + "merge", _TAG + "value"))


def load_yaml(source: str) -> object:
    """The front matter's data; raises ``yaml.YAMLError`` as ``yaml.load`` does."""
    data = _plain_lines(source)
    if data is not _NOT_PLAIN:
        return data
    if "&" in source:  # anchors (and so aliases): PyYAML shares the objects
        return yaml.load(source, Loader=YAML_LOADER)
    loader = YAML_LOADER(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _construct(node, loader)
        except (_Unusual, RecursionError):
            return loader.construct_document(node)
    finally:
        loader.dispose()


# -- 1. line by line -----------------------------------------------------------

_NOT_PLAIN: Any = object()
# Characters outside what YAML reads as printable, plus tabs, CR and the other line
# breaks (NEL, LS, PS) that would split lines differently, and the BOM.
_NOT_PRINTABLE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_KEY_LINE = re.compile(r"( *)([A-Za-z0-9_][A-Za-z0-9_-]*):(?: +(.*))?")
_DOUBLE_QUOTED = re.compile(r'"[^"\\]*"')
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_PLAIN_VALUES: dict[str, object] = {}  # plain scalar -> its (immutable) value


def _plain_lines(source: str) -> object:
    """The data, or ``_NOT_PLAIN`` when a line is more than ``key: value``."""
    if _NOT_PRINTABLE.search(source):
        return _NOT_PLAIN
    root: dict[object, object] = {}
    stack: list[tuple[int, dict[object, object]]] = [(0, root)]
    pending: tuple[int, dict[object, object], object] | None = None  # a key with no value
    seen = False
    for raw in source.split("\n"):
        line = raw.rstrip(" ")
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            continue
        match = _KEY_LINE.fullmatch(line)
        if match is None:
            return _NOT_PLAIN
        seen = True
        indent = len(match.group(1))
        if pending is not None:
            if indent > pending[0]:  # the key's value is this nested block
                child: dict[object, object] = {}
                pending[1][pending[2]] = child
                stack.append((indent, child))
            pending = None
        while indent < stack[-1][0]:
            stack.pop()
        if indent != stack[-1][0]:
            return _NOT_PLAIN
        mapping = stack[-1][1]
        key = _plain(match.group(2))
        text = match.group(3)
        if key is _NOT_PLAIN:
            return _NOT_PLAIN
        if not text:
            mapping[key] = None
            pending = (indent, mapping, key)
            continue
        value = _value(text)
        if value is _NOT_PLAIN:
            return _NOT_PLAIN
        mapping[key] = value
    return root if seen else None


def _value(text: str) -> object:
    first = text[0]
    if first in _INDICATORS:
        if first == '"' and _DOUBLE_QUOTED.fullmatch(text):
            return text[1:-1]
        if first == "'" and _SINGLE_QUOTED.fullmatch(text):
            return text[1:-1]
        if text == "[]":
            return []
        if text == "{}":
            return {}
        return _NOT_PLAIN
    if ": " in text or " #" in text or text[-1] == ":":
        return _NOT_PLAIN
    return _plain(text)


def _plain(text: str) -> object:
    """A plain scalar's value, typed as PyYAML types it."""
    try:
        return _PLAIN_VALUES[text]
    except KeyError:
        pass
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    value: object
    if tag == _STR:
        value = text
    elif tag == _NULL:
        value = None
    elif tag in _SCALARS:
        value = _SCALARS[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    else:
        return _NOT_PLAIN  # "=", "<<": PyYAML has its own rules for those
    if len(_PLAIN_VALUES) < 8192:
        _PLAIN_VALUES[text] = value
    return value


# -- 2. from libyaml's nodes ---------------------------------------------------


class _Unusual(Exception):
    """A YAML node ``_construct`` leaves to PyYAML's own constructor."""


def _construct(node: yaml.Node, loader: Any) -> object:
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag in _SCALARS:
            return loader.yaml_constructors[tag](loader, node)
    elif isinstance(node, yaml.MappingNode) and tag == _MAP:
        data = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in _MAP_KEY_TAGS:
                raise _Unusual
            data[_construct(key_node, loader)] = _construct(value_node, loader)
        return data
    elif isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [_construct(child, loader) for child in node.value]
    raise _Unusual

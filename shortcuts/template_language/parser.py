"""Lexer and parser: template source to a tree of nodes, or a TemplateSyntaxError.

Grammar (Handlebars-like, deliberately tiny; nothing here can execute code):

    {{path}}                               a value from the context, e.g. {{customer.firstName}}
    {{../path}}                            the same, one scope up (inside a block)
    {{dateFormat path format="ll" locale="en-gb" timezone="America/Los_Angeles"}}
    {{#ifCond a "op" b}} ... {{else}} ... {{/ifCond}}
    {{! a comment }}
    [[sn.snippet_name]]                    a translated snippet, inserted as data
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .dates import DateFormatError, resolve_locale, resolve_timezone, validate_format
from .errors import TemplateSyntaxError
from .nodes import DateFormat, IfCond, Literal, Node, Operand, Path, Snippet, Text, Variable

MAX_TEMPLATE_LENGTH = 100_000
MAX_DEPTH = 20
OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">="})
DATE_OPTIONS = ("format", "locale", "timezone")

_OPEN_RE = re.compile(r"\{\{|\}\}|\[\[sn\.")
_SEGMENT = r"(?:[A-Za-z_$][A-Za-z0-9_$\-]*|[0-9]+)"
_PATH_RE = re.compile(rf"^((?:\.\./)*)({_SEGMENT}(?:\.{_SEGMENT})*)$")
_SNIPPET_RE = re.compile(r"[A-Za-z0-9_\-.]{1,100}")
_ARG_RE = re.compile(
    r"""\s*(?:
        (?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<kvalue>"[^"]*"|'[^']*'|[^\s"'=]+)
      | (?P<string>"[^"]*"|'[^']*')
      | (?P<word>[^\s"']+)
    )""",
    re.VERBOSE,
)
_NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass
class _Arg:
    text: str
    offset: int
    quoted: bool
    key: str | None = None


@dataclass
class _Frame:
    """An open ``{{#ifCond}}``: where it started and the nodes collected so far."""

    offset: int
    left: Operand
    op: str
    right: Operand
    then: list[Node] = field(default_factory=list)
    otherwise: list[Node] | None = None


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def error(self, message: str, offset: int) -> TemplateSyntaxError:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return TemplateSyntaxError(message, line=index + 1, column=offset - self.line_starts[index] + 1)

    def parse(self) -> tuple[Node, ...]:
        source = self.source
        if len(source) > MAX_TEMPLATE_LENGTH:
            raise self.error(f"template is longer than {MAX_TEMPLATE_LENGTH} characters", MAX_TEMPLATE_LENGTH)
        root: list[Node] = []
        stack: list[_Frame] = []
        pos = 0
        while True:
            match = _OPEN_RE.search(source, pos)
            end = match.start() if match else len(source)
            if end > pos:
                self.current(root, stack).append(Text(source[pos:end]))
            if match is None:
                break
            start = match.start()
            marker = match.group()
            if marker == "}}":
                # Literal text, as in Handlebars: CSS in an email template ends nested blocks
                # with "}}" (@media ... { a { ... }}).
                self.current(root, stack).append(Text("}}"))
                pos = start + 2
                continue
            if marker == "[[sn.":
                close = source.find("]]", start)
                name = source[start + 5 : close] if close != -1 else ""
                if close == -1 or not _SNIPPET_RE.fullmatch(name):
                    raise self.error("snippets are written [[sn.name]]", start)
                self.current(root, stack).append(Snippet(name))
                pos = close + 2
                continue
            close = source.find("}}", start + 2)
            if close == -1:
                raise self.error("'{{' is never closed with '}}'", start)
            nested = source.find("{{", start + 2, close)
            if nested != -1:
                raise self.error("'{{' is never closed with '}}'", start)
            self.tag(source[start + 2 : close], start, root, stack)
            pos = close + 2
        if stack:
            raise self.error("{{#ifCond}} is never closed with {{/ifCond}}", stack[-1].offset)
        return tuple(root)

    @staticmethod
    def current(root: list[Node], stack: list[_Frame]) -> list[Node]:
        if not stack:
            return root
        frame = stack[-1]
        return frame.then if frame.otherwise is None else frame.otherwise

    def tag(self, body: str, start: int, root: list[Node], stack: list[_Frame]) -> None:
        if body.startswith("!"):
            return  # a comment
        stripped = body.strip()
        if not stripped:
            raise self.error("empty '{{ }}'", start)
        content_offset = start + 2 + (len(body) - len(body.lstrip()))
        if stripped[0] in "#/" or stripped == "else":
            self.block_tag(stripped, content_offset, root, stack)
            return
        args = self.arguments(stripped, content_offset)
        head = args[0]
        if head.quoted or head.key is not None:
            raise self.error("expected a field name or a helper", head.offset)
        if head.text == "dateFormat":
            self.current(root, stack).append(self.date_format(args, start))
            return
        if len(args) > 1:
            raise self.error(f"unknown helper {head.text!r}", head.offset)
        self.current(root, stack).append(Variable(self.path(head)))

    def block_tag(self, stripped: str, offset: int, root: list[Node], stack: list[_Frame]) -> None:
        if stripped == "else":
            if not stack:
                raise self.error("{{else}} outside a {{#ifCond}} block", offset)
            if stack[-1].otherwise is not None:
                raise self.error("a second {{else}} in one {{#ifCond}} block", offset)
            stack[-1].otherwise = []
            return
        if stripped[0] == "/":
            if stripped[1:].strip() != "ifCond":
                raise self.error(f"unknown closing tag {stripped!r}", offset)
            if not stack:
                raise self.error("{{/ifCond}} without an open {{#ifCond}}", offset)
            frame = stack.pop()
            node = IfCond(frame.left, frame.op, frame.right, tuple(frame.then), tuple(frame.otherwise or ()))
            self.current(root, stack).append(node)
            return
        args = self.arguments(stripped[1:], offset + 1)
        if args[0].text != "ifCond" or args[0].quoted:
            raise self.error(f"unknown block helper {args[0].text!r}", offset)
        if len(stack) >= MAX_DEPTH:
            raise self.error(f"blocks are nested deeper than {MAX_DEPTH}", offset)
        if len(args) != 4 or any(a.key is not None for a in args):
            raise self.error('ifCond takes three arguments: {{#ifCond a "==" b}}', offset)
        op = args[2]
        if not op.quoted or op.text not in OPERATORS:
            raise self.error(f"unknown operator {op.text!r}; use one of == != < <= > >=", op.offset)
        stack.append(_Frame(offset - 2, self.operand(args[1]), op.text, self.operand(args[3])))

    def date_format(self, args: list[_Arg], start: int) -> DateFormat:
        if len(args) < 2 or args[1].key is not None or args[1].quoted:
            raise self.error("dateFormat needs a field: {{dateFormat customer.createdAt}}", start)
        options: dict[str, Operand] = {}
        for arg in args[2:]:
            if arg.key is None:
                raise self.error('dateFormat takes options as name="value"', arg.offset)
            if arg.key not in DATE_OPTIONS:
                raise self.error(f"unknown dateFormat option {arg.key!r}", arg.offset)
            if arg.key in options:
                raise self.error(f"dateFormat option {arg.key!r} is given twice", arg.offset)
            value = self.operand(arg)
            if isinstance(value, Literal):
                self.check_date_option(arg.key, str(value.value), arg.offset)
            options[arg.key] = value
        return DateFormat(
            self.path(args[1]),
            options.get("format", Literal("LL")),
            options.get("locale", Literal("en-us")),
            options.get("timezone", Literal("UTC")),
        )

    def check_date_option(self, key: str, value: str, offset: int) -> None:
        try:
            if key == "format":
                validate_format(value)
            elif key == "locale":
                resolve_locale(value)
            else:
                resolve_timezone(value)
        except DateFormatError as exc:
            raise self.error(str(exc), offset) from None

    def arguments(self, text: str, offset: int) -> list[_Arg]:
        args: list[_Arg] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            match = _ARG_RE.match(text, pos)
            if match is None or match.end() == pos:
                raise self.error("cannot read this argument", offset + pos)
            if match.group("key"):
                arg_offset = offset + match.start("key")
                raw = match.group("kvalue")
                args.append(_Arg(_unquote(raw), arg_offset, raw[0] in "\"'", match.group("key")))
            elif match.group("string"):
                arg_offset = offset + match.start("string")
                args.append(_Arg(_unquote(match.group("string")), arg_offset, True))
            else:
                arg_offset = offset + match.start("word")
                args.append(_Arg(match.group("word"), arg_offset, False))
            pos = match.end()
            if pos < len(text) and not text[pos].isspace():
                raise self.error("arguments must be separated by spaces", offset + pos)
        return args

    def path(self, arg: _Arg) -> Path:
        match = _PATH_RE.match(arg.text)
        if arg.quoted or match is None:
            raise self.error(f"{arg.text!r} is not a field name", arg.offset)
        return Path(len(match.group(1)) // 3, tuple(match.group(2).split(".")), arg.text)

    def operand(self, arg: _Arg) -> Operand:
        if arg.quoted:
            return Literal(arg.text)
        if _NUMBER_RE.match(arg.text):
            return Literal(float(arg.text) if "." in arg.text else int(arg.text))
        return self.path(arg)


def _unquote(raw: str) -> str:
    return raw[1:-1] if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0] else raw


def parse(source: str) -> tuple[Node, ...]:
    """Parse ``source`` into a node tree; raise TemplateSyntaxError with a line and column."""
    return _Parser(source).parse()

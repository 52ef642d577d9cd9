import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from shortcuts.template_language import (
    MAX_OUTPUT_LENGTH,
    CompiledTemplate,
    TemplateRenderError,
    TemplateSyntaxError,
    compile_template,
)

# Printable text biased towards the characters the grammar cares about.
TEMPLATE_PIECES = st.sampled_from(
    [
        "{{",
        "}}",
        "[[sn.",
        "]]",
        "#ifCond",
        "/ifCond",
        "else",
        "dateFormat",
        " ",
        '"',
        "'",
        "=",
        "==",
        ">=",
        "../",
        ".",
        "a",
        "b.c",
        "1",
        "format=",
        "locale=",
        "timezone=",
        '"ll"',
        '"fr"',
        "!",
        "\n",
        "__class__",
        "#each",
        "x",
    ]
)
TEMPLATES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200),
    st.lists(TEMPLATE_PIECES, max_size=40).map("".join),
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**4000), 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.datetimes(timezones=st.one_of(st.just(dt.UTC), st.timezones())),
    st.datetimes(),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "c", "0", "1"]), children, max_size=4),
    ),
    max_leaves=20,
)
CONTEXTS = st.dictionaries(st.sampled_from(["a", "b", "x", "customer"]), VALUES, max_size=4)

WELL_FORMED = compile_template(
    '{{a}} {{b.c}} {{x.0}} {{#ifCond a ">=" b}}[{{../a}}]{{else}}{{b}}{{/ifCond}} '
    '{{#ifCond x "==" "1"}}{{dateFormat a format="LLLL z"}}{{/ifCond}} {{dateFormat b locale="ja"}} [[sn.s]] '
    '{{dateFormat a timezone="Pacific/Kiritimati"}} {{dateFormat x.0 format="Do LTS" timezone="Etc/GMT+12"}}'
)


@settings(max_examples=200, deadline=None)
@given(TEMPLATES)
def test_it_compiles_or_raises_a_syntax_error(source: str) -> None:
    try:
        template = compile_template(source)
    except TemplateSyntaxError as error:
        assert error.line >= 1
        assert error.column >= 1
    else:
        assert isinstance(template, CompiledTemplate)


@settings(max_examples=200, deadline=None)
@given(TEMPLATES, CONTEXTS)
def test_it_renders_any_compiled_template_against_any_context(
    source: str, context: dict[str, object]
) -> None:
    try:
        template = compile_template(source)
    except TemplateSyntaxError:
        return
    result = template.render(context, snippets=lambda name, language: None)
    assert len(result.text) <= MAX_OUTPUT_LENGTH
    assert all(isinstance(name, str) for name in result.unknown)


@settings(max_examples=200, deadline=None)
@given(CONTEXTS, st.sampled_from(["html", "text"]))
def test_it_renders_random_contexts_within_the_bound(context: dict[str, object], escape: str) -> None:
    try:
        result = WELL_FORMED.render(context, escape=escape, snippets=lambda name, language: "<s>")  # type: ignore[arg-type]
    except TemplateRenderError:
        return
    assert len(result.text) <= MAX_OUTPUT_LENGTH


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_it_outputs_any_value_without_evaluating_it(value: str) -> None:
    result = compile_template("{{a}}").render({"a": value}, escape="text")
    assert result.text == value

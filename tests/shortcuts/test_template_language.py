import datetime as dt
from collections.abc import Mapping

import pytest

from shortcuts.template_language import (
    MAX_OUTPUT_LENGTH,
    CompiledTemplate,
    TemplateRenderError,
    TemplateSyntaxError,
    compile_template,
)

RESERVATION = dt.datetime(2019, 1, 18, tzinfo=dt.UTC)


def seed_context(**custom: object) -> dict[str, object]:
    return {
        "customer": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "custom": {"reservationDateAt": RESERVATION, **custom},
        },
        "conversation": {"custom": {"isBoolValueBool": True}},
    }


def render(source: str, context: Mapping[str, object] | None = None, **kwargs: object) -> str:
    return compile_template(source).render(seed_context() if context is None else context, **kwargs).text  # type: ignore[arg-type]


def syntax_error(source: str) -> TemplateSyntaxError:
    with pytest.raises(TemplateSyntaxError) as excinfo:
        compile_template(source)
    return excinfo.value


# -- variables ------------------------------------------------------------------------------------


def test_it_compiles_to_a_reusable_template() -> None:
    template = compile_template("Hi {{customer.firstName}}")
    assert isinstance(template, CompiledTemplate)
    assert template.render({"customer": {"firstName": "Ada"}}).text == "Hi Ada"
    assert template.render({"customer": {"firstName": "Bob"}}).text == "Hi Bob"


def test_it_keeps_plain_text_as_is() -> None:
    assert render("<p>Hello & welcome</p>") == "<p>Hello & welcome</p>"


def test_it_inserts_a_nested_path() -> None:
    assert render("{{customer.lastName}}, {{customer.firstName}}") == "Lovelace, Ada"


def test_it_allows_spaces_inside_braces() -> None:
    assert render("{{ customer.firstName }}") == "Ada"


def test_it_walks_list_indexes() -> None:
    assert render("{{tags.1}}", {"tags": ["a", "b"]}) == "b"


def test_it_joins_a_list_of_scalars() -> None:
    assert (
        render("{{conversation.channels}}", {"conversation": {"channels": ["email", "chat"]}})
        == "email, chat"
    )


def test_it_prints_numbers_and_booleans_like_handlebars() -> None:
    context = {"n": 3, "f": 2.0, "g": 2.5, "t": True, "no": False, "none": None}
    assert render("{{n}} {{f}} {{g}} {{t}} {{no}} [{{none}}]", context) == "3 2 2.5 true false []"


def test_it_prints_a_datetime_with_the_seed_default() -> None:
    assert render("{{customer.custom.reservationDateAt}}") == "January 18, 2019 12:00 AM"


def test_it_renders_an_unknown_variable_empty_and_reports_it() -> None:
    result = compile_template("Hi {{customer.nickname}}!").render(seed_context())
    assert result.text == "Hi !"
    assert result.unknown == ["customer.nickname"]


def test_it_reports_each_unknown_variable_once() -> None:
    result = compile_template("{{a}}{{a}}{{b.c}}").render({})
    assert result.unknown == ["a", "b.c"]


def test_it_reports_a_mapping_value_as_unknown() -> None:
    result = compile_template("{{customer}}").render(seed_context())
    assert result.text == ""
    assert result.unknown == ["customer"]


def test_it_ignores_comments() -> None:
    assert render("a{{! a note for admins }}b") == "ab"


# -- safety probes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["{{__class__}}", "{{customer.__dict__}}", "{{constructor.constructor}}", "{{customer.password}}"],
)
def test_it_renders_probes_empty_and_reports_them(source: str) -> None:
    result = compile_template(source).render(seed_context())
    assert result.text == ""
    assert result.unknown == [source[2:-2]]


def test_it_never_reads_attributes_of_objects() -> None:
    class Secret:
        password = "hunter2"

    result = compile_template("{{customer.password}}{{obj.password}}").render(
        {"customer": Secret(), "obj": Secret()}
    )
    assert result.text == ""
    assert result.unknown == ["customer.password", "obj.password"]


def test_it_does_not_find_dunder_keys_even_when_present() -> None:
    result = compile_template("{{__class__}}").render({"__class__": "x"})
    assert result.text == ""


def test_it_never_evaluates_a_value_as_a_template() -> None:
    context = {"customer": {"firstName": "{{secret}}"}, "secret": "s3cret"}
    assert render("{{customer.firstName}}", context) == "{{secret}}"


def test_it_never_evaluates_a_snippet_as_a_template() -> None:
    result = compile_template("[[sn.hello]]").render(
        {"secret": "x"}, snippets=lambda name, lang: "{{secret}}"
    )
    assert result.text == "{{secret}}"


# -- escaping -------------------------------------------------------------------------------------


def test_it_escapes_values_for_html() -> None:
    context = {"customer": {"firstName": "<script>alert('x')</script>"}}
    assert render("<b>{{customer.firstName}}</b>", context) == (
        "<b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</b>"
    )


def test_it_does_not_escape_for_text_channels() -> None:
    context = {"customer": {"firstName": "Tom & <Jerry>"}}
    assert render("Hi {{customer.firstName}}", context, escape="text") == "Hi Tom & <Jerry>"


def test_it_escapes_snippet_text_for_html() -> None:
    result = compile_template("[[sn.a]]").render({}, snippets=lambda name, lang: "<i>R&D</i>")
    assert result.text == "&lt;i&gt;R&amp;D&lt;/i&gt;"


def test_it_rejects_an_unknown_escape_mode() -> None:
    with pytest.raises(ValueError):
        compile_template("x").render({}, escape="sql")  # type: ignore[arg-type]


# -- ifCond ---------------------------------------------------------------------------------------

BOOL_EXAMPLE = (
    '{{#ifCond conversation.custom.isBoolValueBool "==" "1"}} This boolean is set!! '
    "{{else}} this boolean is false {{/ifCond}}"
)
TIER_EXAMPLE = (
    '{{#ifCond customer.custom.userBillingTierStr "==" "Diamond"}} Our return policy is 60 days for Diamond '
    "users. {{else}} Our return policy is 30 days for Platinum users. {{/ifCond}}"
)
COUNT_EXAMPLE = (
    '{{#ifCond customer.custom.orderCountNum ">=" "1"}} I\'m sorry you\'re having issues with your order. '
    "{{else}} Hmm, I don't see your order in our system, do you mind sending me the order number? {{/ifCond}}"
)
VIP_EXAMPLE = (
    '{{#ifCond customer.custom.subscriptionTier ">=" "Platinum"}} Welcome to the VIP club, '
    "{{../customer.firstName}}! {{else}} Welcome to the club, {{../customer.firstName}}! {{/ifCond}}"
)


def test_it_takes_the_seed_boolean_true_branch() -> None:
    assert render(BOOL_EXAMPLE) == " This boolean is set!! "


def test_it_takes_the_seed_boolean_false_branch() -> None:
    context = seed_context()
    context["conversation"] = {"custom": {"isBoolValueBool": False}}
    assert render(BOOL_EXAMPLE, context) == " this boolean is false "


def test_it_takes_the_seed_string_equals_branch() -> None:
    assert render(TIER_EXAMPLE, seed_context(userBillingTierStr="Diamond")) == (
        " Our return policy is 60 days for Diamond users. "
    )


def test_it_takes_the_seed_string_else_branch() -> None:
    assert render(TIER_EXAMPLE, seed_context(userBillingTierStr="Platinum")) == (
        " Our return policy is 30 days for Platinum users. "
    )


def test_it_takes_the_seed_number_branch() -> None:
    assert render(COUNT_EXAMPLE, seed_context(orderCountNum=3)) == (
        " I'm sorry you're having issues with your order. "
    )


def test_it_takes_the_seed_number_else_branch_for_zero() -> None:
    assert render(COUNT_EXAMPLE, seed_context(orderCountNum=0)) == (
        " Hmm, I don't see your order in our system, do you mind sending me the order number? "
    )


def test_it_reads_the_outer_scope_with_dot_dot_in_the_seed_example() -> None:
    assert render(VIP_EXAMPLE, seed_context(subscriptionTier="Platinum")) == " Welcome to the VIP club, Ada! "
    assert render(VIP_EXAMPLE, seed_context(subscriptionTier="Gold")) == " Welcome to the club, Ada! "


def test_it_resolves_plain_paths_inside_a_block_against_the_outer_context() -> None:
    source = '{{#ifCond 1 "==" 1}}{{customer.firstName}}={{../customer.firstName}}{{/ifCond}}'
    assert render(source) == "Ada=Ada"


def test_it_clamps_dot_dot_at_the_root() -> None:
    assert render("{{../../customer.firstName}}") == "Ada"


def test_it_renders_nothing_when_false_without_else() -> None:
    assert render('a{{#ifCond x "==" "1"}}b{{/ifCond}}c', {"x": "2"}) == "ac"


def test_it_nests_blocks() -> None:
    source = '{{#ifCond a "==" "1"}}A{{#ifCond b "==" "1"}}B{{else}}b{{/ifCond}}{{else}}-{{/ifCond}}'
    assert render(source, {"a": 1, "b": 0}) == "Ab"
    assert render(source, {"a": 1, "b": 1}) == "AB"
    assert render(source, {"a": 0, "b": 1}) == "-"


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        (True, "==", "1", True),
        (False, "==", "0", True),
        (False, "==", "", True),
        (True, "==", "0", False),
        ("10", ">", "9", True),  # both numeric: compared as numbers
        ("10", ">", "9a", False),  # otherwise as text
        (2.5, "<=", "2.5", True),
        ("abc", "<", "abd", True),
        ("Diamond", "==", "diamond", False),  # case-sensitive
        ("x", "!=", "y", True),
        (3, ">=", "3", True),
        (3, "<", "3", False),
        (None, "==", "", True),
    ],
)
def test_it_compares_like_the_seed(left: object, op: str, right: str, expected: bool) -> None:
    source = f'{{{{#ifCond v "{op}" "{right}"}}}}yes{{{{else}}}}no{{{{/ifCond}}}}'
    assert render(source, {"v": left}) == ("yes" if expected else "no")


def test_it_compares_two_paths_and_bare_numbers() -> None:
    source = '{{#ifCond a "<" b}}lt{{/ifCond}}{{#ifCond a "==" 1}}one{{/ifCond}}'
    assert render(source, {"a": 1, "b": 2}) == "ltone"


def test_it_reports_an_unknown_operand_and_treats_it_as_empty() -> None:
    result = compile_template('{{#ifCond missing "==" ""}}empty{{/ifCond}}').render({})
    assert result.text == "empty"
    assert result.unknown == ["missing"]


# -- dateFormat -----------------------------------------------------------------------------------


def test_it_formats_the_seed_date_by_default() -> None:
    assert render("{{dateFormat customer.custom.reservationDateAt}}") == "January 18, 2019"


def test_it_formats_the_seed_date_with_a_format() -> None:
    assert render('{{dateFormat customer.custom.reservationDateAt format="ll"}}') == "Jan 18, 2019"


def test_it_formats_the_seed_date_with_a_locale() -> None:
    assert render('{{dateFormat customer.custom.reservationDateAt locale="en-gb"}}') == "18 January 2019"


def test_it_formats_the_seed_date_with_a_timezone() -> None:
    source = '{{dateFormat customer.custom.reservationDateAt format="LL z" timezone="America/Los_Angeles"}}'
    assert render(source) == "January 17, 2019 PST"


def test_it_formats_an_iso_string_and_epoch_values() -> None:
    context = {"iso": "2019-01-18T00:00:00Z", "secs": 1547769600, "ms": 1547769600000}
    source = '{{dateFormat iso format="ll"}}|{{dateFormat secs format="ll"}}|{{dateFormat ms format="ll"}}'
    assert render(source, context) == "Jan 18, 2019|Jan 18, 2019|Jan 18, 2019"


def test_it_takes_date_options_from_the_context() -> None:
    context = {"d": RESERVATION, "lang": "fr"}
    assert render("{{dateFormat d locale=lang}}", context) == "18 janvier 2019"


def test_it_falls_back_to_defaults_for_bad_options_from_the_context() -> None:
    result = compile_template("{{dateFormat d locale=lang}}").render({"d": RESERVATION, "lang": "xx-yy"})
    assert result.text == "January 18, 2019"
    assert len(result.unknown) == 1


def test_it_reports_a_value_that_is_not_a_date() -> None:
    result = compile_template("{{dateFormat customer.firstName}}").render(seed_context())
    assert result.text == ""
    assert result.unknown == ["customer.firstName"]


def test_it_escapes_bracketed_date_text_for_html() -> None:
    assert render('{{dateFormat d format="[<b>]YYYY"}}', {"d": RESERVATION}) == "&lt;b&gt;2019"


# -- snippets -------------------------------------------------------------------------------------

SNIPPETS = {("greeting", "en"): "Hello", ("greeting", "fr"): "Bonjour", ("bye", "en"): "Bye"}


def lookup(name: str, language: str) -> str | None:
    return SNIPPETS.get((name, language))


def test_it_inserts_a_snippet_in_the_recipients_language() -> None:
    result = compile_template("[[sn.greeting]], Ada").render({}, snippets=lookup, language="fr")
    assert result.text == "Bonjour, Ada"


def test_it_falls_back_to_the_default_language_for_a_snippet() -> None:
    result = compile_template("[[sn.bye]]").render({}, snippets=lookup, language="fr", default_language="en")
    assert result.text == "Bye"
    assert result.unknown == []


def test_it_uses_the_default_language_when_none_is_given() -> None:
    assert compile_template("[[sn.greeting]]").render({}, snippets=lookup).text == "Hello"


def test_it_renders_a_missing_snippet_empty_and_reports_it() -> None:
    result = compile_template("a[[sn.org_order_issue]]b").render({}, snippets=lookup, language="fr")
    assert result.text == "ab"
    assert result.unknown == ["sn.org_order_issue"]


def test_it_reports_snippets_when_no_lookup_is_given() -> None:
    assert compile_template("[[sn.greeting]]").render({}).unknown == ["sn.greeting"]


def test_it_keeps_other_double_brackets_as_text() -> None:
    assert render("[[not a snippet]]", {}) == "[[not a snippet]]"


def test_a_closing_pair_alone_is_text_as_in_handlebars() -> None:
    """CSS in an email template closes nested blocks with '}}'."""
    css = "@media (max-width: 600px) { .col { width: 100% }}"
    assert render(css + " {{customer.firstName}}", {"customer": {"firstName": "Ada"}}) == css + " Ada"


# -- syntax errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "fragment"),
    [
        ("Hi {{customer.firstName", 1, 4, "never closed"),
        ("a\n{{/ifCond}}", 2, 3, "without an open"),
        ("ab {{else}}", 1, 6, "outside"),
        ('{{#ifCond a "==" "1"}}\nx\n  {{else}}y{{else}}{{/ifCond}}', 3, 14, "second"),
        ('x\n  {{#ifCond a "==" "1"}} open', 2, 3, "never closed"),
        ("{{#each items}}x{{/each}}", 1, 3, "unknown block helper"),
        ("{{foo bar}}", 1, 3, "unknown helper"),
        ("{{/each}}", 1, 3, "unknown closing tag"),
        ('{{#ifCond a "=~" "1"}}{{/ifCond}}', 1, 13, "unknown operator"),
        ("{{#ifCond a == 1}}{{/ifCond}}", 1, 13, "unknown operator"),
        ('{{#ifCond a "=="}}{{/ifCond}}', 1, 3, "three arguments"),
        ("{{ }}", 1, 1, "empty"),
        ('{{"quoted"}}', 1, 3, "field name"),
        ("{{customer..name}}", 1, 3, "not a field name"),
        ("{{dateFormat}}", 1, 1, "needs a field"),
        ('{{dateFormat d colour="red"}}', 1, 16, "unknown dateFormat option"),
        ('{{dateFormat d format="ll" format="LL"}}', 1, 28, "twice"),
        ('{{dateFormat d "ll"}}', 1, 16, "name="),
        ('{{dateFormat d locale="xx-zz"}}', 1, 16, "unknown locale"),
        ('{{dateFormat d timezone="Mars/Olympus"}}', 1, 16, "unknown time zone"),
        ("[[sn.bad name]]", 1, 1, "[[sn.name]]"),
        ("{{a {{b}}", 1, 1, "never closed"),
    ],
)
def test_it_reports_syntax_errors_with_a_position(source: str, line: int, column: int, fragment: str) -> None:
    error = syntax_error(source)
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)


def test_it_rejects_a_format_over_200_characters() -> None:
    error = syntax_error('{{dateFormat d format="' + "Y" * 201 + '"}}')
    assert "longer than 200" in error.message
    assert (error.line, error.column) == (1, 16)


def test_it_accepts_a_format_of_200_characters() -> None:
    compile_template('{{dateFormat d format="' + "Y" * 200 + '"}}')


def test_it_rejects_nesting_deeper_than_20() -> None:
    source = '{{#ifCond a "==" "1"}}' * 21 + "{{/ifCond}}" * 21
    error = syntax_error(source)
    assert "deeper than 20" in error.message
    assert (error.line, error.column) == (1, 20 * 22 + 3)


def test_it_accepts_nesting_of_20() -> None:
    source = '{{#ifCond a "==" "1"}}' * 20 + "deep" + "{{/ifCond}}" * 20
    assert render(source, {"a": 1}) == "deep"


def test_it_rejects_a_template_over_100000_characters() -> None:
    error = syntax_error("x" * 100_001)
    assert "longer than 100000" in error.message
    assert (error.line, error.column) == (1, 100_001)


def test_it_accepts_a_template_of_100000_characters() -> None:
    compile_template("x" * 100_000)


# -- bounds ---------------------------------------------------------------------------------------


def test_it_raises_when_output_exceeds_the_bound() -> None:
    template = compile_template("{{a}}{{a}}{{a}}")
    with pytest.raises(TemplateRenderError):
        template.render({"a": "x" * (MAX_OUTPUT_LENGTH // 3 + 1)})


def test_it_allows_output_at_the_bound() -> None:
    result = compile_template("{{a}}").render({"a": "x" * MAX_OUTPUT_LENGTH})
    assert len(result.text) == MAX_OUTPUT_LENGTH


def test_it_counts_escaped_length_against_the_bound() -> None:
    with pytest.raises(TemplateRenderError):
        compile_template("{{a}}").render({"a": "<" * (MAX_OUTPUT_LENGTH // 4 + 1)})


def test_it_survives_huge_integers() -> None:
    source = '{{big}}|{{#ifCond big ">" 1}}more{{/ifCond}}|{{dateFormat big}}'
    result = compile_template(source).render({"big": 10**5000})
    assert result.text == "|more|"
    assert result.unknown == ["big"]


def test_it_survives_cyclic_data() -> None:
    cyclic: list[object] = []
    cyclic.append(cyclic)
    result = compile_template("{{a}}").render({"a": cyclic})
    assert result.text == ""

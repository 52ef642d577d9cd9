"""What the agent sees: sanitised HTML, remote images held back, quotes folded."""

from __future__ import annotations

from messaging.html import body_html, split_text_quote


def test_it_strips_scripts_styles_and_handlers() -> None:
    html = body_html(
        html_part='<p onclick="x()">Hi<script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">x</a></p>',
        text_part="",
        cid_urls={},
    )
    assert "script" not in html and "onclick" not in html and "javascript" not in html and "style" not in html


def test_it_holds_back_remote_images() -> None:
    html = body_html(html_part='<img src="https://t.example/p.gif?u=1&amp;x=2">', text_part="", cid_urls={})
    assert 'data-remote-src="https://t.example/p.gif?u=1&amp;x=2"' in html
    assert " src=" not in html


def test_protocol_relative_images_are_remote_too() -> None:
    html = body_html(html_part='<img src="//cdn.example/p.gif">', text_part="", cid_urls={})
    assert 'data-remote-src="https://cdn.example/p.gif"' in html and " src=" not in html


def test_relative_urls_never_point_at_the_application() -> None:
    html = body_html(
        html_part='<a href="/settings/users/">x</a><img src="/static/x.png" alt="i"><a href="https://ok.example">y</a>',
        text_part="",
        cid_urls={},
    )
    assert "/settings/users/" not in html and "/static/x.png" not in html
    assert 'href="https://ok.example"' in html


def test_it_rewrites_cid_images_and_drops_unknown_ones() -> None:
    html = body_html(
        html_part='<img src="cid:a@x" alt="a"><img src="cid:missing@x" alt="b">',
        text_part="",
        cid_urls={"a@x": "/attachments/7/"},
    )
    assert '<img src="/attachments/7/" alt="a">' in html
    assert '<img alt="b">' in html
    assert "cid:" not in html


def test_it_does_not_keep_a_forged_data_remote_src() -> None:
    html = body_html(
        html_part='<img data-remote-src="javascript:alert(1)" alt="x">', text_part="", cid_urls={}
    )
    assert "javascript" not in html


def test_it_folds_a_trailing_html_quote_with_its_attribution() -> None:
    html = body_html(
        html_part="<div><p>Thanks!</p><div>On Mon, Jane wrote:<br></div>"
        "<blockquote>old text</blockquote></div>",
        text_part="",
        cid_urls={},
    )
    assert html.index("Thanks!") < html.index("<details")
    assert html.index("<summary>Show quoted text</summary>") < html.index("On Mon, Jane wrote:")
    assert "old text" in html


def test_it_folds_an_outlook_html_quote() -> None:
    html = body_html(
        html_part="<div><p>Sounds good.</p></div><hr>"
        "<div><b>From:</b> Acme Support<br><b>Sent:</b> Monday</div><div>Earlier text</div>",
        text_part="",
        cid_urls={},
    )
    assert html.index("Sounds good.") < html.index("<details") < html.index("From:")


def test_it_leaves_a_message_that_is_only_a_quote_open() -> None:
    html = body_html(html_part="<blockquote>forwarded</blockquote>", text_part="", cid_urls={})
    assert "<details" not in html


def test_it_folds_a_plain_text_quote() -> None:
    reply, quoted = split_text_quote("Thanks!\n\nOn Mon, Jane wrote:\n> old\n> text\n")
    assert reply == "Thanks!"
    assert quoted.startswith("On Mon, Jane wrote:")


def test_it_folds_an_outlook_style_quote() -> None:
    reply, quoted = split_text_quote("Fine.\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold")
    assert reply == "Fine."
    assert quoted.startswith("-----Original Message-----")


def test_it_keeps_text_without_a_quote_whole() -> None:
    assert split_text_quote("Just this.\nFrom: my phone") == ("Just this.\nFrom: my phone", "")


def test_it_appends_notes() -> None:
    assert '<p class="email-note">“big.zip” was not kept</p>' in body_html(
        html_part="", text_part="Hi", cid_urls={}, notes=["“big.zip” was not kept"]
    )

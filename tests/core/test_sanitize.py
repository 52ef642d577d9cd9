from core.sanitize import html_to_text, sanitize_editor_html, sanitize_html, text_to_html


def test_it_drops_scripts_handlers_and_javascript_urls() -> None:
    dirty = '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p>'
    clean = sanitize_html(dirty)
    assert "script" not in clean
    assert "onclick" not in clean
    assert "javascript:" not in clean
    assert "Hi" in clean


def test_it_keeps_editor_formatting_and_mentions() -> None:
    html = '<p><b>Bold</b> <span class="mention" data-mention-type="user" data-mention-id="3">@Sam</span></p>'
    assert sanitize_editor_html(html) == html


def test_it_adds_safe_rel_to_links() -> None:
    assert 'rel="noopener noreferrer nofollow"' in sanitize_html('<a href="https://example.com">x</a>')


def test_plain_text_turns_blocks_into_lines_and_no_break_spaces_into_spaces() -> None:
    assert html_to_text("<p>One&nbsp;two</p><p>Three<br>Four</p>") == "One two\nThree\nFour"


def test_text_becomes_escaped_paragraphs() -> None:
    assert text_to_html("a <b>\n\nsecond") == "<p>a &lt;b&gt;</p><p>second</p>"


def test_the_editor_keeps_a_mentions_class_and_no_other() -> None:
    """Posted HTML cannot borrow the app's own styles (a span dressed as a button)."""
    mention = '<span class="mention" data-mention-type="user" data-mention-id="3">@Ada</span>'
    assert sanitize_editor_html(mention) == mention
    assert sanitize_editor_html('<span class="button button-danger">Delete</span>') == "<span>Delete</span>"
    assert sanitize_editor_html('<span class="mention button">x</span>') == "<span>x</span>"

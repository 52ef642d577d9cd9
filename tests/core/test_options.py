"""`{% options %}`: a select's options, the chosen ones marked, every label escaped."""

from __future__ import annotations

from dataclasses import dataclass

from django.template import Context, Template


@dataclass
class Team:
    pk: int
    name: str


def render(source: str, **context: object) -> str:
    return Template("{% load options %}" + source).render(Context(context))


def test_objects_with_one_chosen() -> None:
    html = render("{% options teams 2 %}", teams=[Team(1, "Billing"), Team(2, "Returns")])
    assert html == '<option value="1">Billing</option><option value="2" selected>Returns</option>'


def test_pairs_with_several_chosen() -> None:
    html = render("{% options pairs chosen %}", pairs=[(1, "Low"), (2, "High"), (3, "Top")], chosen={1, 3})
    assert html == (
        '<option value="1" selected>Low</option><option value="2">High</option>'
        '<option value="3" selected>Top</option>'
    )


def test_nothing_chosen() -> None:
    assert render("{% options teams %}", teams=[Team(1, "Billing")]) == '<option value="1">Billing</option>'
    assert render("{% options teams none %}", teams=[Team(1, "Billing")], none=None) == (
        '<option value="1">Billing</option>'
    )


def test_labels_and_values_are_escaped() -> None:
    html = render("{% options pairs %}", pairs=[('"><script>', "<b>Ops & Co</b>")])
    assert "<script>" not in html
    assert "<b>" not in html
    assert html == '<option value="&quot;&gt;&lt;script&gt;">&lt;b&gt;Ops &amp; Co&lt;/b&gt;</option>'

"""Shortcuts: name, share and message rules, attachments, visibility, categories, and the
Settings > Workspace > Shortcuts pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Team, User
from core.models import AuditEntry
from shortcuts import services
from shortcuts.models import Shortcut, ShortcutAttachment, ShortcutCategory
from shortcuts.selectors import category_tree, shortcuts_manageable_by, shortcuts_visible_to
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
MB = 1024 * 1024
LIST_URL = reverse("shortcuts:shortcut_list")
ADD_URL = reverse("shortcuts:shortcut_create")
CATEGORIES_URL = reverse("shortcuts:category_list")
Share = Shortcut.Share


@pytest.fixture
def content_admin(db: None) -> User:
    return UserFactory(email="content@example.com", sets=["Content Administrator"])


def _shortcut(name: str = "return_policy", **kwargs: object) -> Shortcut:
    return services.shortcut_create(actor=kwargs.pop("actor", None), name=name, **kwargs)  # type: ignore[arg-type]


def _update(shortcut: Shortcut, **kwargs: object) -> Shortcut:
    fields: dict[str, object] = {"name": shortcut.name, "share": shortcut.share} | kwargs
    return services.shortcut_update(actor=None, shortcut=shortcut, **fields)  # type: ignore[arg-type]


def _file(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="application/octet-stream")


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def _edit_url(shortcut: Shortcut) -> str:
    return reverse("shortcuts:shortcut_edit", args=[shortcut.pk])


def _delete_url(shortcut: Shortcut) -> str:
    return reverse("shortcuts:shortcut_delete", args=[shortcut.pk])


# --- names -----------------------------------------------------------------------------------


class TestShortcutName:
    def test_it_refuses_a_name_with_a_space(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _shortcut("return policy")
        assert _errors(excinfo)["name"] == ["A shortcut name can't contain spaces."]
        assert not Shortcut.objects.exists()

    def test_it_refuses_a_name_of_65_characters(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _shortcut("a" * 65)
        assert _errors(excinfo)["name"] == ["Use at most 64 characters."]

    def test_it_accepts_a_name_of_64_characters(self) -> None:
        assert _shortcut("a" * 64).name == "a" * 64

    def test_it_refuses_a_duplicate_name_ignoring_case(self) -> None:
        _shortcut("Return_Policy")
        with pytest.raises(ValidationError) as excinfo:
            _shortcut("return_policy")
        assert _errors(excinfo)["name"] == ["A shortcut named “Return_Policy” already exists."]

    def test_it_keeps_its_own_name_with_another_case(self) -> None:
        shortcut = _shortcut("refund")
        assert _update(shortcut, name="Refund").name == "Refund"

    def test_it_makes_the_creator_the_owner(self, agent: User) -> None:
        assert _shortcut(actor=agent).owner == agent


# --- message -----------------------------------------------------------------------------------


class TestShortcutMessage:
    def test_it_reports_a_syntax_error_with_line_and_column_and_saves_nothing(self) -> None:
        shortcut = _shortcut()
        with pytest.raises(ValidationError) as excinfo:
            _update(shortcut, message="Hello\n    {{#if x}}", message_format="text")
        assert _errors(excinfo)["message"] == ["Line 2, column 7: unknown block helper 'if'"]
        shortcut.refresh_from_db()
        assert shortcut.message_html == ""

    def test_it_refuses_a_new_shortcut_with_a_bad_message(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _shortcut(message="Hi {{customer.firstName")
        assert _errors(excinfo)["message"] == ["Line 1, column 4: '{{' is never closed with '}}'"]
        assert not Shortcut.objects.exists()

    def test_it_stores_plain_text_as_paragraphs(self) -> None:
        shortcut = _update(_shortcut(), message="Hi {{customer.firstName}}", message_format="text")
        assert shortcut.message_html == "<p>Hi {{customer.firstName}}</p>"

    def test_it_sanitises_the_html(self) -> None:
        shortcut = _update(_shortcut(), message='<p onclick="x()">Hi</p><script>alert(1)</script>')
        assert shortcut.message_html == "<p>Hi</p>"


# --- attachments ---------------------------------------------------------------------------------


class TestShortcutAttachments:
    def test_it_stores_an_attachment(self) -> None:
        shortcut = _update(_shortcut(), new_attachments=[_file("policy.pdf", 10)])
        attachment = shortcut.attachments.get()
        assert (attachment.filename, attachment.size) == ("policy.pdf", 10)
        assert attachment.file.read() == b"x" * 10

    def test_it_refuses_a_file_of_6_mb(self) -> None:
        shortcut = _shortcut()
        with pytest.raises(ValidationError) as excinfo:
            _update(shortcut, new_attachments=[_file("big.pdf", 6 * MB)])
        assert _errors(excinfo)["attachments"] == ["“big.pdf” is larger than 5 MB, the most a file can be."]
        assert not ShortcutAttachment.objects.exists()

    def test_it_refuses_an_exe(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _update(_shortcut(), new_attachments=[_file("setup.exe", 10)])
        assert _errors(excinfo)["attachments"][0].startswith("“setup.exe” is not an allowed type; use .pdf")

    def test_it_refuses_more_than_9_5_mb_in_total(self) -> None:
        shortcut = _update(_shortcut(), new_attachments=[_file("a.pdf", 5 * MB)])
        with pytest.raises(ValidationError) as excinfo:
            _update(shortcut, new_attachments=[_file("b.zip", int(4.5 * MB) + 1)])
        assert _errors(excinfo)["attachments"] == [
            "The attachments add up to more than 9.5 MB, the most a shortcut can carry."
        ]

    def test_it_accepts_9_5_mb_in_total(self) -> None:
        shortcut = _update(
            _shortcut(), new_attachments=[_file("a.pdf", 5 * MB), _file("b.mp4", int(4.5 * MB))]
        )
        assert shortcut.attachments.count() == 2

    def test_it_deletes_the_stored_files_with_the_shortcut(self, django_capture_on_commit_callbacks) -> None:
        shortcut = _update(_shortcut(), new_attachments=[_file("a.pdf", 10)])
        attachment = shortcut.attachments.get()
        storage, name = attachment.file.storage, attachment.file.name
        with django_capture_on_commit_callbacks(execute=True):
            services.shortcut_delete(actor=None, shortcut=shortcut)
        assert not storage.exists(name)

    def test_it_removes_an_attachment(self) -> None:
        shortcut = _update(_shortcut(), new_attachments=[_file("a.pdf", 10)])
        _update(shortcut, remove_attachments=list(shortcut.attachments.all()))
        assert not ShortcutAttachment.objects.exists()


# --- share access --------------------------------------------------------------------------------


class TestShareAccess:
    def test_it_refuses_a_limited_shortcut_without_teams_or_users(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            _shortcut(share=Share.LIMITED)
        assert _errors(excinfo)["share"] == ["Choose at least one team or user to share this shortcut with."]
        assert not Shortcut.objects.exists()

    def test_it_keeps_the_chosen_teams_and_users_of_a_limited_shortcut(self, agent: User) -> None:
        team = TeamFactory()
        shortcut = _shortcut(share=Share.LIMITED, teams=[team], users=[agent])
        assert list(shortcut.limited_teams.all()) == [team]
        assert list(shortcut.limited_users.all()) == [agent]

    def test_it_drops_teams_and_users_when_made_public(self, agent: User) -> None:
        shortcut = _shortcut(share=Share.LIMITED, users=[agent])
        _update(shortcut, share=Share.PUBLIC, users=[agent])
        assert not shortcut.limited_users.exists()


# --- visibility ------------------------------------------------------------------------------------


class TestVisibility:
    def test_it_shows_public_shortcuts_to_everyone(self, agent: User) -> None:
        shortcut = _shortcut(share=Share.PUBLIC)
        assert list(shortcuts_visible_to(agent)) == [shortcut]

    def test_it_shows_a_private_shortcut_to_its_owner(self, agent: User) -> None:
        shortcut = _shortcut(share=Share.PRIVATE, actor=agent)
        assert list(shortcuts_visible_to(agent)) == [shortcut]

    def test_it_hides_another_users_private_shortcut(self, agent: User, admin_user: User) -> None:
        _shortcut(share=Share.PRIVATE, actor=admin_user)
        assert not shortcuts_visible_to(agent).exists()

    def test_it_shows_a_limited_shortcut_to_a_named_user(self, agent: User, manager: User) -> None:
        shortcut = _shortcut(share=Share.LIMITED, users=[agent])
        assert list(shortcuts_visible_to(agent)) == [shortcut]
        assert not shortcuts_visible_to(manager).exists()

    def test_it_shows_a_limited_shortcut_to_members_of_a_named_team(self, agent: User, manager: User) -> None:
        team = TeamFactory()
        team.members.add(agent, manager)
        shortcut = _shortcut(share=Share.LIMITED, teams=[team], users=[agent])
        assert list(shortcuts_visible_to(agent)) == [shortcut]  # named twice, listed once
        assert list(shortcuts_visible_to(manager)) == [shortcut]

    def test_it_hides_a_limited_shortcut_from_other_teams(self, agent: User) -> None:
        other: Team = TeamFactory()
        other.members.add(UserFactory())
        _shortcut(share=Share.LIMITED, teams=[other])
        assert not shortcuts_visible_to(agent).exists()

    def test_it_leaves_another_users_private_shortcut_out_of_the_settings_list(
        self, owner: User, admin_user: User
    ) -> None:
        _shortcut("mine", share=Share.PRIVATE, actor=admin_user)
        theirs = _shortcut("theirs", share=Share.PRIVATE, actor=owner)
        assert [s.name for s in shortcuts_manageable_by(admin_user)] == ["mine"]
        assert theirs not in shortcuts_manageable_by(admin_user)


# --- categories ------------------------------------------------------------------------------------


class TestCategories:
    def test_it_nests_categories_in_order_with_their_depth(self) -> None:
        billing = services.category_create(actor=None, name="Billing")
        refunds = services.category_create(actor=None, name="Refunds", parent=billing)
        services.category_create(actor=None, name="Card", parent=refunds)
        services.category_create(actor=None, name="Account")
        assert [(n.path, n.depth) for n in category_tree()] == [
            ("Account", 0),
            ("Billing", 0),
            ("Billing › Refunds", 1),
            ("Billing › Refunds › Card", 2),
        ]

    def test_it_refuses_a_fourth_level(self) -> None:
        a = services.category_create(actor=None, name="A")
        b = services.category_create(actor=None, name="B", parent=a)
        c = services.category_create(actor=None, name="C", parent=b)
        with pytest.raises(ValidationError) as excinfo:
            services.category_create(actor=None, name="D", parent=c)
        assert "at most 3 levels" in _errors(excinfo)["parent"][0]

    def test_it_refuses_a_duplicate_sibling_name_ignoring_case(self) -> None:
        billing = services.category_create(actor=None, name="Billing")
        services.category_create(actor=None, name="Refunds", parent=billing)
        with pytest.raises(ValidationError) as excinfo:
            services.category_create(actor=None, name="refunds", parent=billing)
        assert _errors(excinfo)["name"] == ["A category named “refunds” already exists in “Billing”."]

    def test_it_allows_the_same_name_under_another_parent(self) -> None:
        services.category_create(actor=None, name="Refunds")
        billing = services.category_create(actor=None, name="Billing")
        assert services.category_create(actor=None, name="Refunds", parent=billing).parent == billing

    def test_it_renames_a_category(self) -> None:
        category = services.category_create(actor=None, name="Biling")
        assert services.category_rename(actor=None, category=category, name="Billing").name == "Billing"

    def test_it_refuses_deleting_a_category_with_shortcuts(self) -> None:
        billing = services.category_create(actor=None, name="Billing")
        _shortcut(category=billing)
        with pytest.raises(ValidationError):
            services.category_delete(actor=None, category=billing)
        assert ShortcutCategory.objects.filter(pk=billing.pk).exists()

    def test_it_refuses_deleting_a_category_with_subcategories(self) -> None:
        billing = services.category_create(actor=None, name="Billing")
        services.category_create(actor=None, name="Refunds", parent=billing)
        with pytest.raises(ValidationError) as excinfo:
            services.category_delete(actor=None, category=billing)
        assert excinfo.value.messages == ["Delete or move its subcategories first."]

    def test_it_deletes_an_empty_category(self) -> None:
        billing = services.category_create(actor=None, name="Billing")
        services.category_delete(actor=None, category=billing)
        assert not ShortcutCategory.objects.exists()


# --- audit -------------------------------------------------------------------------------------------


class TestAudit:
    def test_it_records_the_creation(self, admin_user: User) -> None:
        shortcut = _shortcut(actor=admin_user)
        entry = AuditEntry.objects.get(object_type="shortcuts.shortcut", object_id=str(shortcut.pk))
        assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, admin_user)
        assert entry.after["share"] == "public"

    def test_it_records_an_update_with_before_and_after(self) -> None:
        shortcut = _shortcut()
        _update(shortcut, message="Hello", message_format="text")
        entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_type="shortcuts.shortcut")
        assert (entry.before["message_html"], entry.after["message_html"]) == ("", "<p>Hello</p>")

    def test_it_records_the_deletion(self) -> None:
        shortcut = _shortcut()
        pk = shortcut.pk
        services.shortcut_delete(actor=None, shortcut=shortcut)
        assert not Shortcut.objects.exists()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, object_id=str(pk)).exists()

    def test_it_records_category_changes(self) -> None:
        category = services.category_create(actor=None, name="Billing")
        services.category_delete(actor=None, category=category)
        actions = AuditEntry.objects.filter(object_type="shortcuts.shortcutcategory").values_list(
            "action", flat=True
        )
        assert sorted(actions) == sorted([AuditEntry.Action.CREATE, AuditEntry.Action.DELETE])


# --- views -------------------------------------------------------------------------------------------


class TestAccess:
    @pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
    @pytest.mark.parametrize(
        "method,url",
        [
            ("get", LIST_URL),
            ("post", ADD_URL),
            ("get", "edit"),
            ("post", "edit"),
            ("post", "delete"),
            ("get", CATEGORIES_URL),
            ("post", CATEGORIES_URL),
            ("post", "rename"),
            ("post", "category_delete"),
        ],
    )
    def test_it_refuses_without_manage_shortcuts(
        self, persona: str, method: str, url: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        shortcut = _shortcut()
        category = services.category_create(actor=None, name="Billing")
        url = {
            "edit": _edit_url(shortcut),
            "delete": _delete_url(shortcut),
            "rename": reverse("shortcuts:category_rename", args=[category.pk]),
            "category_delete": reverse("shortcuts:category_delete", args=[category.pk]),
        }.get(url, url)
        client = client_for(request.getfixturevalue(persona))
        response = getattr(client, method)(url, {"name": "changed"} if method == "post" else None)
        assert response.status_code == 403
        assert Shortcut.objects.get().name == "return_policy"
        assert ShortcutCategory.objects.get().name == "Billing"

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        response = Client().get(LIST_URL)
        assert response.status_code == 302
        assert "login" in response["Location"]

    @pytest.mark.parametrize("persona", ["content_admin", "admin_user"])
    def test_it_lets_content_administrators_and_admins_in(
        self, persona: str, request: pytest.FixtureRequest, client_for: ClientFor
    ) -> None:
        assert client_for(request.getfixturevalue(persona)).get(LIST_URL).status_code == 200

    def test_it_answers_404_for_another_users_private_shortcut(
        self, owner: User, admin_user: User, client_for: ClientFor
    ) -> None:
        shortcut = _shortcut(share=Share.PRIVATE, actor=owner)
        assert client_for(admin_user).get(_edit_url(shortcut)).status_code == 404
        assert client_for(admin_user).post(_delete_url(shortcut)).status_code == 404
        assert Shortcut.objects.filter(pk=shortcut.pk).exists()

    def test_it_shows_shortcuts_in_the_workspace_settings_menu(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        response = client_for(content_admin).get(LIST_URL)
        assert f'href="{LIST_URL}"' in response.content.decode()


class TestListView:
    def test_it_shows_an_empty_state(self, content_admin: User, client_for: ClientFor) -> None:
        response = client_for(content_admin).get(LIST_URL)
        assert "No shortcuts yet." in response.content.decode()

    def test_it_searches_names_and_messages(self, content_admin: User, client_for: ClientFor) -> None:
        _shortcut("refund")
        _update(_shortcut("greeting"), message="We will refund you", message_format="text")
        _shortcut("goodbye")
        page = client_for(content_admin).get(LIST_URL, {"q": "REFUND"}).content.decode()
        assert "<code>refund</code>" in page
        assert "<code>greeting</code>" in page
        assert "<code>goodbye</code>" not in page

    def test_it_filters_by_a_category_and_its_subcategories(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        billing = services.category_create(actor=None, name="Billing")
        refunds = services.category_create(actor=None, name="Refunds", parent=billing)
        _shortcut("in_billing", category=billing)
        _shortcut("in_refunds", category=refunds)
        _shortcut("elsewhere")
        page = client_for(content_admin).get(LIST_URL, {"category": billing.pk}).content.decode()
        assert "<code>in_billing</code>" in page
        assert "<code>in_refunds</code>" in page
        assert "<code>elsewhere</code>" not in page

    def test_it_shows_the_share_with_its_teams_and_users(
        self, content_admin: User, agent: User, client_for: ClientFor
    ) -> None:
        _shortcut(share=Share.LIMITED, teams=[TeamFactory(name="Tier 2")], users=[agent])
        page = client_for(content_admin).get(LIST_URL).content.decode()
        assert "Limited" in page
        assert "Tier 2, Alex Agent" in page

    def test_it_answers_htmx_with_the_list_fragment(self, content_admin: User, client_for: ClientFor) -> None:
        _shortcut()
        response = client_for(content_admin).get(LIST_URL, {"q": "return"}, headers={"HX-Request": "true"})
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="shortcut-list">')
        assert "<html" not in body

    def test_it_uses_the_same_queries_for_1_and_20_shortcuts(
        self, content_admin: User, agent: User, client_for: ClientFor
    ) -> None:
        client = client_for(content_admin)
        category = services.category_create(actor=None, name="Billing")
        team = TeamFactory()

        def make(n: int) -> None:
            shortcut = _shortcut(f"s{n}", share=Share.LIMITED, teams=[team], users=[agent], category=category)
            _update(
                shortcut, category=category, teams=[team], users=[agent], new_attachments=[_file("a.txt", 1)]
            )

        make(0)
        client.get(LIST_URL)  # warm the session and caches
        with CaptureQueriesContext(connection) as one:
            client.get(LIST_URL)
        for n in range(1, 20):
            make(n)
        with CaptureQueriesContext(connection) as twenty:
            response = client.get(LIST_URL)
        assert response.content.decode().count('id="shortcut-row-') == 20
        assert len(twenty) == len(one)


class TestAddView:
    def test_it_creates_and_opens_the_edit_page(
        self, content_admin: User, agent: User, client_for: ClientFor
    ) -> None:
        team = TeamFactory()
        response = client_for(content_admin).post(
            ADD_URL, {"name": "refund", "share": "limited", "teams": [team.pk], "users": [agent.pk]}
        )
        shortcut = Shortcut.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _edit_url(shortcut)
        assert (shortcut.owner, shortcut.share) == (content_admin, Share.LIMITED)
        assert list(shortcut.limited_teams.all()) == [team]

    def test_it_keeps_what_was_typed_on_an_error(self, content_admin: User, client_for: ClientFor) -> None:
        response = client_for(content_admin).post(ADD_URL, {"name": "my refund", "share": "private"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "A shortcut name can&#x27;t contain spaces." in page
        assert 'value="my refund"' in page
        assert not Shortcut.objects.exists()


class TestEditView:
    def test_it_shows_categories_indented_and_the_rich_editor(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        billing = services.category_create(actor=None, name="Billing")
        services.category_create(actor=None, name="Refunds", parent=billing)
        page = client_for(content_admin).get(_edit_url(_shortcut())).content.decode()
        assert "\u00a0\u00a0\u00a0\u00a0Refunds</option>" in page or "&nbsp;&nbsp;&nbsp;&nbsp;Refunds" in page
        assert "data-rich-editor" in page
        assert "Save Changes" in page

    def test_it_saves_changes(self, content_admin: User, client_for: ClientFor) -> None:
        shortcut = _shortcut()
        category = services.category_create(actor=None, name="Billing")
        response = client_for(content_admin).post(
            _edit_url(shortcut),
            {
                "name": "return_policy_v2",
                "share": "public",
                "category": category.pk,
                "message": "<p>Within 30 days, {{customer.firstName}}.</p>",
                "body_format": "html",
                "attachments": [_file("policy.pdf", 10)],
            },
        )
        assert response.status_code == 302
        shortcut.refresh_from_db()
        assert (shortcut.name, shortcut.category) == ("return_policy_v2", category)
        assert shortcut.message_html == "<p>Within 30 days, {{customer.firstName}}.</p>"
        assert shortcut.attachments.get().filename == "policy.pdf"

    def test_it_reports_a_message_error_and_keeps_the_message(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        shortcut = _shortcut()
        response = client_for(content_admin).post(
            _edit_url(shortcut),
            {"name": "return_policy", "share": "public", "message": "Hi\nab {{/if}}", "body_format": "text"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Line 2, column 6: unknown closing tag &#x27;/if&#x27;" in page
        assert "Hi\nab {{/if}}</textarea>" in page
        shortcut.refresh_from_db()
        assert shortcut.message_html == ""

    def test_it_refuses_an_exe_upload(self, content_admin: User, client_for: ClientFor) -> None:
        shortcut = _shortcut()
        response = client_for(content_admin).post(
            _edit_url(shortcut),
            {"name": "return_policy", "share": "public", "attachments": [_file("run.exe", 10)]},
        )
        assert "is not an allowed type" in response.content.decode()
        assert not ShortcutAttachment.objects.exists()


class TestDeleteView:
    def test_it_asks_for_confirmation(self, content_admin: User, client_for: ClientFor) -> None:
        shortcut = _shortcut()
        response = client_for(content_admin).get(_delete_url(shortcut))
        assert 'id="shortcut-delete"' in response.content.decode()
        assert Shortcut.objects.exists()

    def test_it_deletes(self, content_admin: User, client_for: ClientFor) -> None:
        response = client_for(content_admin).post(_delete_url(_shortcut()))
        assert response["Location"] == LIST_URL
        assert not Shortcut.objects.exists()


class TestCategoryViews:
    def test_it_adds_a_category_under_a_parent(self, content_admin: User, client_for: ClientFor) -> None:
        billing = services.category_create(actor=None, name="Billing")
        response = client_for(content_admin).post(CATEGORIES_URL, {"name": "Refunds", "parent": billing.pk})
        assert response.status_code == 302
        assert ShortcutCategory.objects.get(name="Refunds").parent == billing

    def test_it_keeps_the_name_on_an_error(self, content_admin: User, client_for: ClientFor) -> None:
        services.category_create(actor=None, name="Billing")
        response = client_for(content_admin).post(CATEGORIES_URL, {"name": "billing"})
        page = response.content.decode()
        assert "already exists at the top level" in page
        assert 'value="billing"' in page

    def test_it_renames(self, content_admin: User, client_for: ClientFor) -> None:
        category = services.category_create(actor=None, name="Biling")
        url = reverse("shortcuts:category_rename", args=[category.pk])
        client_for(content_admin).post(url, {"name": "Billing"})
        category.refresh_from_db()
        assert category.name == "Billing"

    def test_it_refuses_deleting_a_category_in_use(self, content_admin: User, client_for: ClientFor) -> None:
        category = services.category_create(actor=None, name="Billing")
        _shortcut(category=category)
        url = reverse("shortcuts:category_delete", args=[category.pk])
        response = client_for(content_admin).post(url, follow=True)
        assert "Move its shortcuts to another category first." in response.content.decode()
        assert ShortcutCategory.objects.exists()

    def test_it_uses_the_same_queries_for_1_and_20_categories(
        self, content_admin: User, client_for: ClientFor
    ) -> None:
        client = client_for(content_admin)
        parent = services.category_create(actor=None, name="c0")
        client.get(CATEGORIES_URL)
        with CaptureQueriesContext(connection) as one:
            client.get(CATEGORIES_URL)
        for n in range(1, 20):
            services.category_create(actor=None, name=f"c{n}", parent=parent if n % 2 else None)
        with CaptureQueriesContext(connection) as twenty:
            client.get(CATEGORIES_URL)
        assert len(twenty) == len(one)


class TestTemplateSyntaxSurvivesSaving:
    """The cleaner must not turn a condition's operators or quotes into HTML entities."""

    @pytest.mark.parametrize(
        "message,context,expected",
        [
            (
                '{{#ifCond customer.custom.orderCountNum ">=" "1"}}Sorry about your order.'
                "{{else}}Could you send the order number?{{/ifCond}}",
                {"customer": {"custom": {"orderCountNum": 3}}},
                "Sorry about your order.",
            ),
            (
                '{{#ifCond conversation.custom.isBoolValueBool "==" "1"}}set{{else}}not set{{/ifCond}}',
                {"conversation": {"custom": {"isBoolValueBool": False}}},
                "not set",
            ),
        ],
    )
    def test_it_renders_what_was_saved_as_it_was_written(
        self, owner: User, message: str, context: dict, expected: str
    ) -> None:
        from shortcuts.template_language import compile_template

        for message_format in ("text", "html"):
            name = f"cond_{message_format}_{len(message)}"
            shortcut = services.shortcut_create(
                actor=owner, name=name, message=message, message_format=message_format
            )
            assert "&gt;" not in shortcut.message_html
            assert "&quot;" not in shortcut.message_html
            rendered = compile_template(shortcut.message_html).render(context, escape="html")
            assert expected in rendered.text

"""core.db.CompiledQuery: the rows its queryset gives, from SQL built once per process."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from conversations.models import Attachment, ConversationEvent, Message
from conversations.services.messages import save_attachments
from core.db import CompiledQuery
from core.models import AuditEntry
from tests.conversations.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _messages(conversation_id: int) -> Any:
    return Message.objects.filter(conversation_id=conversation_id).annotate(
        has_attachments=Exists(Attachment.objects.filter(message=OuterRef("pk")))
    )


def _fields(message: Message) -> dict[str, Any]:
    return {field.attname: getattr(message, field.attname) for field in Message._meta.concrete_fields}


def test_it_gives_the_querysets_rows_fields_and_annotations() -> None:
    conversation, other = ConversationFactory(), ConversationFactory()
    with_file = MessageFactory(conversation=conversation, to=["a@example.com"], cc=["b@example.com"])
    save_attachments([SimpleUploadedFile("a.pdf", b"x")], uploaded_by=None, message=with_file)
    MessageFactory(conversation=conversation)
    MessageFactory(conversation=other)
    compiled = CompiledQuery(_messages)

    for conversation_id in (conversation.pk, other.pk, conversation.pk):
        expected = list(_messages(conversation_id))
        found = compiled(conversation_id)
        assert [_fields(m) for m in found] == [_fields(m) for m in expected]
        assert [m.has_attachments for m in found] == [m.has_attachments for m in expected]  # type: ignore[attr-defined]
    assert [m.has_attachments for m in compiled(conversation.pk)] == [True, False]  # type: ignore[attr-defined]
    assert compiled(conversation.pk)[0].to == ["a@example.com"]  # JSON comes back as Python values


def test_constant_parameters_stay_and_only_the_id_changes() -> None:
    conversation = ConversationFactory()
    ConversationEvent.objects.create(conversation=conversation, kind=ConversationEvent.Kind.STATUS, data={})
    ConversationEvent.objects.create(conversation=conversation, kind=ConversationEvent.Kind.MESSAGE, data={})
    compiled = CompiledQuery(
        lambda pk: ConversationEvent.objects.filter(
            conversation_id=pk, kind__in=[ConversationEvent.Kind.STATUS]
        )
    )
    assert [e.kind for e in compiled(conversation.pk)] == ["status"]
    assert compiled(ConversationFactory().pk) == []


def test_an_id_kept_as_text_is_replaced_as_text() -> None:
    customer = CustomerFactory()
    AuditEntry.objects.create(object_type="customers.customer", object_id=str(customer.pk), action="update")
    compiled = CompiledQuery(
        lambda pk: AuditEntry.objects.filter(object_type="customers.customer", object_id=str(pk))
    )
    assert len(compiled(customer.pk)) == 1
    assert compiled(customer.pk + 1000) == []


def test_it_builds_the_sql_once_and_runs_one_query_a_call(django_assert_num_queries: Any) -> None:
    built: list[int] = []

    def build(pk: int) -> Any:
        built.append(pk)
        return _messages(pk)

    compiled = CompiledQuery(build)
    conversation = ConversationFactory()
    MessageFactory(conversation=conversation)
    with django_assert_num_queries(3):
        for _ in range(3):
            compiled(conversation.pk)
    assert len(built) == 1


def test_the_id_is_a_parameter_not_text_in_the_sql() -> None:
    compiled = CompiledQuery(_messages)
    with CaptureQueriesContext(connection) as captured:
        compiled(5)
    assert "987654321987" not in captured[0]["sql"]


def test_select_related_is_refused() -> None:
    compiled = CompiledQuery(
        lambda pk: Message.objects.filter(conversation_id=pk).select_related("conversation")
    )
    with pytest.raises(ValueError, match="select_related"):
        compiled(1)


def test_a_query_without_the_id_is_refused() -> None:
    compiled = CompiledQuery(lambda pk: Message.objects.filter(subject="constant"))
    with pytest.raises(ValueError, match="stand-in id"):
        compiled(1)

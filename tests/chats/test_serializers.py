from __future__ import annotations

import pytest

from chats.serializers import MessageSerializer, message_data
from chats.services.authors import Author
from chats.services.messages import message_create


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["visitor", "operator", "system"])
def test_fast_message_data_matches_the_documented_serializer(conversation, agent, visitor, kind):
    author = {
        "visitor": Author.of_contact(visitor[0].contact),
        "operator": Author.of_operator(agent),
        "system": Author.system(),
    }[kind]
    message, _ = message_create(
        conversation_id=conversation.pk, author=author, body="Привет", client_id="x1"
    )
    for row in (message, type(message).objects.get(pk=message.pk)):
        assert message_data(row) == dict(MessageSerializer(row).data)

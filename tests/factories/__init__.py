"""factory_boy factories for the domain, and helpers that go through the services."""

from __future__ import annotations

from typing import Any

import factory

from chats.models import Contact, Conversation, Inbox, Message
from chats.services import authors, messages, visitors
from operators.models import Operator, Role, Status, Team

PASSWORD = "correct-horse-battery-9"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"operator{n}")
    name = factory.Sequence(lambda n: f"Operator {n}")
    role = Role.AGENT
    status = Status.ONLINE
    max_chats = 5
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create:
            self.save()
            if extracted:
                self.teams.set(extracted)


class InboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inbox

    name = factory.Sequence(lambda n: f"Inbox {n}")
    channel = "web"
    team = factory.SubFactory(TeamFactory)
    inbox_key = factory.Sequence(lambda n: f"inbox-key-{n}")
    identity_secret = factory.Sequence(lambda n: f"identity-secret-{n}")
    allowed_origins = factory.LazyFunction(list)
    greeting = "Hello!"
    routing = "manual"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


def visitor_for(inbox: Inbox, contact: Contact | None = None) -> tuple[object, str]:
    """A visitor of `inbox` and its plain token."""
    session = visitors.visitor_session_start(
        inbox=inbox, visitor_token=None, locale="en", page={}, identity=None
    )
    if contact is not None:
        session.visitor.contact = contact
        session.visitor.save(update_fields=["contact"])
    return session.visitor, session.token


def operator_says(
    conversation: Conversation,
    operator: Operator,
    body: str = "Hi!",
    *,
    private: bool = False,
    **kwargs: Any,
) -> Message:
    """A message (or, with `private`, a note) by `operator`, through the service."""
    message, _created = messages.message_create(
        conversation_id=conversation.pk,
        author=authors.Author.of_operator(operator),
        body=body,
        private=private,
        **kwargs,
    )
    return message


def visitor_says(conversation: Conversation, body: str = "Hello?") -> Message:
    """A message by the conversation's contact, through the service."""
    contact = Conversation.objects.select_related("contact").get(pk=conversation.pk).contact
    message, _created = messages.message_create(
        conversation_id=conversation.pk, author=authors.Author.of_contact(contact), body=body
    )
    return message

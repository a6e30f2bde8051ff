"""Who writes a message: an operator, a contact (the visitor), or the system."""

from __future__ import annotations

from dataclasses import dataclass

from chats.models import AuthorKind, Contact
from operators.models import Operator


@dataclass(frozen=True, slots=True)
class Author:
    kind: str
    operator: Operator | None = None
    contact: Contact | None = None

    @classmethod
    def of_operator(cls, operator: Operator) -> Author:
        return cls(kind=AuthorKind.OPERATOR, operator=operator)

    @classmethod
    def of_contact(cls, contact: Contact) -> Author:
        return cls(kind=AuthorKind.VISITOR, contact=contact)

    @classmethod
    def system(cls) -> Author:
        return cls(kind=AuthorKind.SYSTEM)

    @property
    def sender_key(self) -> str:
        if self.operator is not None:
            return f"o{self.operator.pk}"
        if self.contact is not None:
            return f"c{self.contact.pk}"
        return "s"

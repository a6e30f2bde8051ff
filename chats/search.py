"""PostgreSQL full-text search over message bodies, in Russian and English at once.

Both expressions are backed by GIN indexes (migration `0002_search_indexes`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, QuerySet

from chats.models import Message


def message_search_subquery(text: str) -> QuerySet[Any]:
    """The ids of conversations with a message matching `text` in either language."""
    return (
        Message.objects.annotate(
            doc_ru=SearchVector("body", config="russian"),
            doc_en=SearchVector("body", config="english"),
        )
        .filter(
            Q(doc_ru=SearchQuery(text, config="russian", search_type="websearch"))
            | Q(doc_en=SearchQuery(text, config="english", search_type="websearch"))
        )
        .values("conversation_id")
    )

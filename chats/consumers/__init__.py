from chats.consumers.console import ConsoleConsumer
from chats.consumers.widget import WidgetConsumer

__all__ = ["ConsoleConsumer", "WidgetConsumer"]

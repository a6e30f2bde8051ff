/** The console's RU/EN catalogues and Intl formatting. Every string the console shows comes
 * from here; the Russian catalogue is typed against the English one, so a missing key does not
 * compile. The language is the operator's choice (kept in this browser), else the browser's. */

export type Locale = "en" | "ru";
export const LOCALES: Locale[] = ["en", "ru"];

const en = {
  "app.title": "Console",
  "app.brand": "Helpdesk",
  "app.loading": "Loading…",
  "app.retry": "Retry",
  "app.close": "Close",
  "app.cancel": "Cancel",
  "app.save": "Save",
  "app.saved": "Saved",
  "app.error": "Something went wrong: {message}",
  "app.admin": "Administration",
  "app.logout": "Log out",
  "app.language": "Language",
  "app.notificationsEnable": "Enable desktop notifications",
  "app.notificationsBlocked": "Desktop notifications are blocked in this browser",
  "app.shortcuts": "Keyboard shortcuts",
  "locale.en": "English",
  "locale.ru": "Русский",
  "connection.connecting": "Connecting…",
  "connection.offline": "Connection lost. Reconnecting…",
  "connection.unauthorized": "Your session has ended. Please sign in again.",
  "connection.noAccess": "You have access to no inbox yet. Ask an admin to add you to a team.",
  "folder.mine": "Mine",
  "folder.unassigned": "Unassigned",
  "folder.all": "All",
  "folder.resolved": "Resolved",
  "folder.conversations": "Conversations",
  "folder.teams": "Teams",
  "folder.labels": "Labels",
  "folder.operators": "Operators",
  "folder.team": "Team: {name}",
  "folder.label": "Label: {name}",
  "filter.status": "Status",
  "filter.open": "Open",
  "filter.pending": "Pending",
  "filter.all": "All statuses",
  "list.empty": "No conversations here.",
  "list.emptyHint": "New chats appear here as soon as visitors write.",
  "list.loadMore": "Load more",
  "list.outgoing": "Answered by the team",
  "list.note": "Note: ",
  "list.noMessages": "No messages yet",
  "list.queue": "In queue: #{position}",
  "search.placeholder": "Search messages and contacts",
  "search.conversations": "Conversations",
  "search.contacts": "Contacts",
  "search.none": "Nothing found for “{query}”.",
  "search.clear": "Clear search",
  "status.open": "Open",
  "status.pending": "Pending",
  "status.resolved": "Resolved",
  "priority.label": "Priority",
  "priority.none": "No priority",
  "priority.low": "Low",
  "priority.medium": "Medium",
  "priority.high": "High",
  "priority.urgent": "Urgent",
  "presence.online": "Online",
  "presence.away": "Away",
  "presence.offline": "Offline",
  "presence.label": "Your status",
  "conversation.none": "Select a conversation",
  "conversation.noneHint": "Pick a conversation on the left, or wait for a new one: it appears here live.",
  "conversation.resolve": "Resolve",
  "conversation.reopen": "Reopen",
  "conversation.markPending": "Mark as pending",
  "conversation.markOpen": "Mark as open",
  "conversation.moreActions": "More actions",
  "conversation.assign": "Assign",
  "conversation.assignee": "Assignee",
  "conversation.unassigned": "Unassigned",
  "conversation.team": "Team",
  "conversation.noTeam": "No team",
  "conversation.inbox": "Inbox",
  "conversation.gone": "This conversation is no longer visible to you (it moved to {team}).",
  "conversation.loadingMessages": "Loading messages…",
  "conversation.earlier": "Show earlier messages",
  "conversation.number": "Conversation #{id}",
  "conversation.started": "Started {time}",
  "assign.title": "Assign conversation",
  "assign.toMe": "Assign to me",
  "assign.operators": "Operators",
  "assign.teams": "Teams",
  "assign.toTeam": "Transfer to {name}",
  "assign.backToQueue": "Return to the team's queue",
  "assign.note": "Handoff note (private, optional)",
  "assign.filter": "Find an operator or a team",
  "assign.done": "Assigned to {name}",
  "assign.load": "{count} open",
  "message.note": "Private note",
  "message.sending": "Sending…",
  "message.failed": "Not sent: {reason}",
  "message.retry": "Retry",
  "message.discard": "Discard",
  "message.seen": "Seen",
  "message.system": "System",
  "message.visitor": "Visitor",
  "composer.reply": "Reply",
  "composer.note": "Private note",
  "composer.replyPlaceholder": "Type a reply… “/” for canned responses",
  "composer.notePlaceholder": "Write a private note… “@” to mention a colleague. The visitor never sees it.",
  "composer.noteWarning": "Private note: only operators see it",
  "composer.send": "Send",
  "composer.addNote": "Add note",
  "composer.hint": "Enter to send · Shift+Enter for a new line",
  "composer.canned": "Canned responses",
  "composer.cannedNone": "No canned response matches “/{query}”.",
  "composer.cannedPersonal": "Personal",
  "composer.cannedTeam": "Team",
  "composer.mentions": "Mention a colleague",
  "composer.willNotify": "Will notify: {names}",
  "composer.resolvedHint": "This conversation is resolved. Replying reopens it for the visitor.",
  "typing.one": "{name} is typing…",
  "typing.note": "{name} is writing a note…",
  "contact.title": "Contact",
  "contact.name": "Name",
  "contact.email": "Email",
  "contact.phone": "Phone",
  "contact.vip": "VIP",
  "contact.vipHint": "VIP customer",
  "contact.notes": "Notes",
  "contact.notesPlaceholder": "Notes about this contact, for the team",
  "contact.page": "Current page",
  "contact.pageUnknown": "Not known",
  "contact.past": "Past conversations",
  "contact.pastNone": "No other conversations.",
  "contact.conversation": "Conversation",
  "contact.labels": "Labels",
  "contact.addLabel": "Add a label",
  "contact.removeLabel": "Remove label {name}",
  "contact.noLabels": "No labels",
  "contact.unnamed": "Unnamed visitor",
  "contact.edit": "Edit",
  "notifications.title": "Notifications",
  "notifications.none": "No notifications yet.",
  "notifications.mention": "{name} mentioned you in conversation #{id}",
  "notifications.assigned": "{name} assigned conversation #{id} to you",
  "notifications.teamTransfer": "{name} transferred conversation #{id} to your team",
  "notifications.keyAccount": "Your key account is waiting in conversation #{id}",
  "notifications.reassigned": "Conversation #{id} went to a colleague: it had no answer from you",
  "notifications.other": "Something new in conversation #{id}",
  "notifications.markRead": "Mark as read",
  "alert.newConversation": "New conversation",
  "alert.newMessage": "New message from {name}",
  "alert.mention": "{name} mentioned you",
  "alert.assigned": "{name} assigned a conversation to you",
  "alert.teamTransfer": "A conversation was transferred to your team",
  "alert.keyAccount": "Your key account is waiting",
  "alert.reassigned": "A conversation went to a colleague",
  "shortcut.next": "Next conversation",
  "shortcut.previous": "Previous conversation",
  "shortcut.focusComposer": "Write a reply",
  "shortcut.focusNote": "Write a private note",
  "shortcut.resolve": "Resolve or reopen",
  "shortcut.search": "Search",
  "shortcut.help": "Show these shortcuts",
  "shortcut.send": "Send the message",
  "shortcut.newline": "New line in the message",
  "time.now": "now",
  "time.today": "Today",
  "time.yesterday": "Yesterday",
};

export type Key = keyof typeof en;

const ru: Record<Key, string> = {
  "app.title": "Консоль",
  "app.brand": "Служба поддержки",
  "app.loading": "Загрузка…",
  "app.retry": "Повторить",
  "app.close": "Закрыть",
  "app.cancel": "Отмена",
  "app.save": "Сохранить",
  "app.saved": "Сохранено",
  "app.error": "Что-то пошло не так: {message}",
  "app.admin": "Администрирование",
  "app.logout": "Выйти",
  "app.language": "Язык",
  "app.notificationsEnable": "Включить уведомления на рабочем столе",
  "app.notificationsBlocked": "Уведомления заблокированы в этом браузере",
  "app.shortcuts": "Горячие клавиши",
  "locale.en": "English",
  "locale.ru": "Русский",
  "connection.connecting": "Подключение…",
  "connection.offline": "Связь потеряна. Переподключаемся…",
  "connection.unauthorized": "Сеанс завершён. Войдите снова.",
  "connection.noAccess": "У вас пока нет доступа ни к одному каналу. Попросите администратора добавить вас в команду.",
  "folder.mine": "Мои",
  "folder.unassigned": "Без исполнителя",
  "folder.all": "Все",
  "folder.resolved": "Решённые",
  "folder.conversations": "Диалоги",
  "folder.teams": "Команды",
  "folder.labels": "Метки",
  "folder.operators": "Операторы",
  "folder.team": "Команда: {name}",
  "folder.label": "Метка: {name}",
  "filter.status": "Статус",
  "filter.open": "Открытые",
  "filter.pending": "Ожидающие",
  "filter.all": "Все статусы",
  "list.empty": "Здесь пока нет диалогов.",
  "list.emptyHint": "Новые чаты появятся здесь, как только посетители напишут.",
  "list.loadMore": "Загрузить ещё",
  "list.outgoing": "Ответ команды",
  "list.note": "Заметка: ",
  "list.noMessages": "Сообщений пока нет",
  "list.queue": "В очереди: №{position}",
  "search.placeholder": "Поиск по сообщениям и контактам",
  "search.conversations": "Диалоги",
  "search.contacts": "Контакты",
  "search.none": "По запросу «{query}» ничего не найдено.",
  "search.clear": "Очистить поиск",
  "status.open": "Открыт",
  "status.pending": "Ожидает",
  "status.resolved": "Решён",
  "priority.label": "Приоритет",
  "priority.none": "Без приоритета",
  "priority.low": "Низкий",
  "priority.medium": "Средний",
  "priority.high": "Высокий",
  "priority.urgent": "Срочный",
  "presence.online": "В сети",
  "presence.away": "Отошёл",
  "presence.offline": "Не в сети",
  "presence.label": "Ваш статус",
  "conversation.none": "Выберите диалог",
  "conversation.noneHint": "Выберите диалог слева или дождитесь нового: он появится здесь сразу.",
  "conversation.resolve": "Решить",
  "conversation.reopen": "Открыть снова",
  "conversation.markPending": "Отметить как ожидающий",
  "conversation.markOpen": "Отметить как открытый",
  "conversation.moreActions": "Другие действия",
  "conversation.assign": "Назначить",
  "conversation.assignee": "Исполнитель",
  "conversation.unassigned": "Не назначен",
  "conversation.team": "Команда",
  "conversation.noTeam": "Без команды",
  "conversation.inbox": "Канал",
  "conversation.gone": "Этот диалог вам больше не виден (он передан: {team}).",
  "conversation.loadingMessages": "Загружаем сообщения…",
  "conversation.earlier": "Показать предыдущие сообщения",
  "conversation.number": "Диалог №{id}",
  "conversation.started": "Начат {time}",
  "assign.title": "Назначить диалог",
  "assign.toMe": "Назначить себе",
  "assign.operators": "Операторы",
  "assign.teams": "Команды",
  "assign.toTeam": "Передать в команду {name}",
  "assign.backToQueue": "Вернуть в очередь команды",
  "assign.note": "Заметка при передаче (видна только операторам)",
  "assign.filter": "Найти оператора или команду",
  "assign.done": "Назначено: {name}",
  "assign.load": "открытых: {count}",
  "message.note": "Заметка",
  "message.sending": "Отправка…",
  "message.failed": "Не отправлено: {reason}",
  "message.retry": "Повторить",
  "message.discard": "Удалить",
  "message.seen": "Прочитано",
  "message.system": "Система",
  "message.visitor": "Посетитель",
  "composer.reply": "Ответ",
  "composer.note": "Заметка",
  "composer.replyPlaceholder": "Напишите ответ… «/» — шаблоны ответов",
  "composer.notePlaceholder": "Заметка для коллег… «@» — упомянуть коллегу. Посетитель её не увидит.",
  "composer.noteWarning": "Заметка: её видят только операторы",
  "composer.send": "Отправить",
  "composer.addNote": "Добавить заметку",
  "composer.hint": "Enter — отправить · Shift+Enter — новая строка",
  "composer.canned": "Шаблоны ответов",
  "composer.cannedNone": "Нет шаблона для «/{query}».",
  "composer.cannedPersonal": "Личный",
  "composer.cannedTeam": "Командный",
  "composer.mentions": "Упомянуть коллегу",
  "composer.willNotify": "Получат уведомление: {names}",
  "composer.resolvedHint": "Диалог решён. Ответ снова откроет его для посетителя.",
  "typing.one": "{name} печатает…",
  "typing.note": "{name} пишет заметку…",
  "contact.title": "Контакт",
  "contact.name": "Имя",
  "contact.email": "Эл. почта",
  "contact.phone": "Телефон",
  "contact.vip": "VIP",
  "contact.vipHint": "VIP-клиент",
  "contact.notes": "Заметки",
  "contact.notesPlaceholder": "Заметки о контакте для команды",
  "contact.page": "Текущая страница",
  "contact.pageUnknown": "Неизвестно",
  "contact.past": "Прошлые диалоги",
  "contact.pastNone": "Других диалогов нет.",
  "contact.conversation": "Диалог",
  "contact.labels": "Метки",
  "contact.addLabel": "Добавить метку",
  "contact.removeLabel": "Убрать метку {name}",
  "contact.noLabels": "Меток нет",
  "contact.unnamed": "Посетитель без имени",
  "contact.edit": "Изменить",
  "notifications.title": "Уведомления",
  "notifications.none": "Уведомлений пока нет.",
  "notifications.mention": "{name} упомянул(а) вас в диалоге №{id}",
  "notifications.assigned": "{name} назначил(а) вам диалог №{id}",
  "notifications.teamTransfer": "{name} передал(а) диалог №{id} вашему отделу",
  "notifications.keyAccount": "Ваш ключевой клиент ждёт в диалоге №{id}",
  "notifications.reassigned": "Диалог №{id} передан коллеге: вы не ответили",
  "notifications.other": "Новое в диалоге №{id}",
  "notifications.markRead": "Отметить прочитанным",
  "alert.newConversation": "Новый диалог",
  "alert.newMessage": "Новое сообщение: {name}",
  "alert.mention": "{name} упомянул(а) вас",
  "alert.assigned": "{name} назначил(а) вам диалог",
  "alert.teamTransfer": "Диалог передан вашему отделу",
  "alert.keyAccount": "Ваш ключевой клиент ждёт",
  "alert.reassigned": "Диалог передан коллеге",
  "shortcut.next": "Следующий диалог",
  "shortcut.previous": "Предыдущий диалог",
  "shortcut.focusComposer": "Написать ответ",
  "shortcut.focusNote": "Написать заметку",
  "shortcut.resolve": "Решить или открыть снова",
  "shortcut.search": "Поиск",
  "shortcut.help": "Показать горячие клавиши",
  "shortcut.send": "Отправить сообщение",
  "shortcut.newline": "Новая строка в сообщении",
  "time.now": "сейчас",
  "time.today": "Сегодня",
  "time.yesterday": "Вчера",
};

type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const plurals: Record<Locale, Record<"plural.unread" | "plural.unreadConversations" | "plural.conversations", PluralForms>> = {
  en: {
    "plural.unread": { one: "{count} unread message", other: "{count} unread messages" },
    "plural.conversations": { one: "{count} conversation", other: "{count} conversations" },
    "plural.unreadConversations": { one: "{count} conversation with unread messages", other: "{count} conversations with unread messages" },
  },
  ru: {
    "plural.unread": {
      one: "{count} непрочитанное сообщение",
      few: "{count} непрочитанных сообщения",
      many: "{count} непрочитанных сообщений",
      other: "{count} непрочитанного сообщения",
    },
    "plural.conversations": {
      one: "{count} диалог",
      few: "{count} диалога",
      many: "{count} диалогов",
      other: "{count} диалога",
    },
    "plural.unreadConversations": {
      one: "{count} диалог с непрочитанными сообщениями",
      few: "{count} диалога с непрочитанными сообщениями",
      many: "{count} диалогов с непрочитанными сообщениями",
      other: "{count} диалога с непрочитанными сообщениями",
    },
  },
};

export type PluralKey = keyof (typeof plurals)["en"];

const catalogues: Record<Locale, Record<Key, string>> = { en, ru };

let current: Locale = "en";

export function setLocale(locale: Locale): void {
  current = locale;
}

export function getLocale(): Locale {
  return current;
}

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "ru";
}

/** The stored choice if any, else the first of the browser's languages we have, else English. */
export function detectLocale(languages: readonly string[], stored: string | null): Locale {
  if (isLocale(stored)) return stored;
  for (const language of languages) {
    const base = language.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

function fill(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? formatParam(params[name]) : whole,
  );
}

function formatParam(value: string | number): string {
  return typeof value === "number" ? formatNumber(value) : value;
}

export function t(key: Key, params?: Record<string, string | number>): string {
  return fill(catalogues[current][key] ?? en[key], params);
}

export function tn(key: PluralKey, count: number, params?: Record<string, string | number>): string {
  const forms = plurals[current][key];
  const rule = new Intl.PluralRules(current).select(count);
  return fill(forms[rule] ?? forms.other, { count, ...params });
}

/** Every key of the English catalogue (for tests). */
export function keys(): Key[] {
  return Object.keys(en) as Key[];
}

export function catalogue(locale: Locale): Record<Key, string> {
  return catalogues[locale];
}

// --- Intl -------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const id = `${current}|${timeZone ?? ""}|${JSON.stringify(options)}`;
  let format = formatters.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(current, { ...options, ...(timeZone ? { timeZone } : {}) });
    formatters.set(id, format);
  }
  return format;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(current).format(value);
}

export function formatTime(iso: string, timeZone?: string): string {
  return dateFormat({ hour: "2-digit", minute: "2-digit" }, timeZone).format(new Date(iso));
}

export function formatDateTime(iso: string, timeZone?: string): string {
  return dateFormat({ dateStyle: "medium", timeStyle: "short" }, timeZone).format(new Date(iso));
}

function dayStart(date: Date, timeZone?: string): string {
  return dateFormat({ year: "numeric", month: "2-digit", day: "2-digit" }, timeZone).format(date);
}

/** "Today", "Yesterday" or the date, for the separators between days of messages. */
export function formatDay(iso: string, now: number, timeZone?: string): string {
  const date = new Date(iso);
  const today = new Date(now);
  if (dayStart(date, timeZone) === dayStart(today, timeZone)) return t("time.today");
  if (dayStart(date, timeZone) === dayStart(new Date(now - 86_400_000), timeZone)) return t("time.yesterday");
  const sameYear = date.getUTCFullYear() === today.getUTCFullYear();
  return dateFormat(sameYear ? { day: "numeric", month: "long" } : { day: "numeric", month: "long", year: "numeric" }, timeZone).format(date);
}

/** A short age for list rows: "now", "5 min ago"-style, then the date. */
export function formatRelative(iso: string, now: number, timeZone?: string): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return t("time.now");
  const relative = new Intl.RelativeTimeFormat(current, { numeric: "auto", style: "short" });
  if (seconds < 3600) return relative.format(-Math.max(1, Math.round(seconds / 60)), "minute");
  if (seconds < 86_400) return relative.format(-Math.round(seconds / 3600), "hour");
  if (seconds < 7 * 86_400) return relative.format(-Math.round(seconds / 86_400), "day");
  return dateFormat({ day: "numeric", month: "short" }, timeZone).format(new Date(iso));
}

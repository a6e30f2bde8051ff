/**
 * What the panel shows, worked out from the state of the other parts at each change: open or
 * closed, the header (who answers, the queue, when the team is back), the connection banner,
 * the away notice, the messages, the pre-chat form or the composer, the resolved notice and the
 * rating card, the email card, the unread badge (and the host page's `unread` event), and the
 * inbox's colour. The view (view.ts) draws; this decides.
 */
import type { ClientStatus } from "../protocol/client";
import type { Boot } from "./boot";
import type { EmailCard } from "./forms";
import type { I18n } from "./i18n";
import type { VisitorStore } from "./storage";
import { type ChatState, type InboxInfo, type Row, STALE_MS } from "./store";
import { CONTACT_FIELDS, type ContactField, initials, onColor, safeColor, shade } from "./validate";
import type { HeaderInfo } from "./view";
import type { CsatState } from "./view-cards";

/** The parts of view.ts the panel drives. */
export interface PanelView {
  setOpen(open: boolean): void;
  setHeader(info: HeaderInfo): void;
  setBanner(text: string | null): void;
  setIntro(author: string, greeting: string | null): void;
  setNotice(text: string | null): void;
  renderRows(rows: Row[], scroll: boolean): void;
  setTyping(name: string | null): void;
  setComposer(visible: boolean): void;
  setBadge(count: number): void;
}

/** The cards the panel drives (view-cards.ts). */
export interface PanelCards {
  showPrechat(fields: readonly ContactField[], required: readonly string[], values: Partial<Record<ContactField, string>>): void;
  hidePrechat(): void;
  setResolved(show: boolean): void;
  setCsat(state: CsatState | null): void;
  setEmailCard(state: EmailCard): void;
}

/** What the panel reads from the connection (connection.ts). */
export interface PanelLine {
  readonly inbox: InboxInfo | null;
  readonly unavailable: boolean;
  readonly status: ClientStatus;
  readonly connected: boolean;
}

export interface PanelDeps {
  i18n: I18n;
  store: VisitorStore;
  view: PanelView;
  cards: PanelCards;
  state: ChatState;
  line: PanelLine;
  /** The email the visitor can be answered by, or "" (forms.ts). */
  knownEmail(): string;
  emit: Boot["emit"];
  /** Where the theme's variables go (the wrapper in the shadow root). */
  style: Pick<CSSStyleDeclaration, "setProperty" | "removeProperty">;
  /** Whether the browser says it is offline. */
  offline(): boolean;
}

export class Panel {
  opened = false;
  /** The rating card: asked once the conversation is resolved, thanks (and a comment box)
   * once rated, thanks alone once commented. */
  private csat: CsatState | null = null;
  /** The visitor wrote while nobody was online: the email card stays. */
  private emailAsked = false;
  private unreadShown = -1;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: PanelDeps) {}

  /** Opens or closes the panel; answers whether that changed anything. */
  setOpen(open: boolean): boolean {
    if (this.opened === open) return false;
    this.opened = open;
    this.deps.view.setOpen(open);
    this.deps.store.panelOpen = open;
    this.deps.emit(open ? "open" : "close");
    return true;
  }

  /** Another conversation: its rating is asked afresh. */
  conversationSwitched(): void {
    this.csat = null;
  }

  rated(): void {
    this.csat = "thanks";
  }

  commented(): void {
    this.csat = "commented";
  }

  applyColor(color: string | null): void {
    const { style } = this.deps;
    if (!color) {
      for (const name of ["--hd-accent", "--hd-accent-2", "--hd-on-accent"]) style.removeProperty(name);
      return;
    }
    style.setProperty("--hd-accent", color);
    style.setProperty("--hd-accent-2", shade(color, 0.18));
    style.setProperty("--hd-on-accent", onColor(color));
  }

  /** A session's inbox colour: shown, and kept for the launcher of the next page. */
  sessionColor(raw: string | undefined): void {
    const color = safeColor(raw);
    this.deps.store.update({ color: color ?? undefined });
    this.applyColor(color);
  }

  render(scroll = false): void {
    const { i18n: t, view, cards, state, line } = this.deps;
    const inbox = line.inbox;
    const conversation = state.conversation;
    const open = state.isOpen ? conversation : null;
    const online = Boolean(inbox?.online || open?.assignee);
    // Outside business hours: when the team is back, in the visitor's language and zone.
    const reopening = inbox?.open === false && inbox.next_open_at ? t.formatReopening(new Date(inbox.next_open_at)) : null;
    const title = inbox?.name || t.t("title");
    let subtitle: string;
    if (line.unavailable) subtitle = t.t("unavailable");
    else if (!inbox) subtitle = t.t("connecting");
    else if (open?.assignee) subtitle = t.t("assigned", { name: open.assignee.name });
    else if (reopening) subtitle = reopening;
    else if (open?.queue_position) subtitle = t.t("queue", { n: open.queue_position });
    else subtitle = inbox.online ? t.t("onlineHint") : t.t("away");
    view.setHeader({
      title,
      subtitle,
      online: online && !line.unavailable,
      avatar: initials(open?.assignee?.name || title) || "?",
    });

    const connected = line.connected;
    let banner: string | null = null;
    if (line.unavailable) banner = t.t("unavailable");
    else if (this.deps.offline()) banner = t.t("offline");
    else if (line.status === "offline" && !connected) banner = t.t("reconnecting");
    view.setBanner(banner);

    view.setIntro(title, inbox?.greeting || null);
    let notice: string | null = null;
    if (inbox && !inbox.online && !open?.assignee) notice = reopening ? t.t("closedNotice", { back: reopening }) : t.t("awayNotice");
    view.setNotice(notice);
    view.renderRows(state.rows(Date.now(), connected), scroll);
    view.setTyping(state.typing);

    const saved = this.deps.store.load();
    const fields = (inbox?.prechat_fields ?? []).filter((f): f is ContactField => (CONTACT_FIELDS as readonly string[]).includes(f));
    const needPrechat = fields.length > 0 && !saved.prechatDone && state.conversationId === null && state.pending.length === 0;
    if (needPrechat) cards.showPrechat(fields, inbox?.prechat_required ?? [], {});
    else cards.hidePrechat();
    view.setComposer(!needPrechat && !line.unavailable);

    const resolved = conversation !== null && conversation.status === "resolved";
    cards.setResolved(resolved && state.pending.length === 0);
    if (resolved && saved.rated !== conversation.id && this.csat === null) this.csat = "ask";
    cards.setCsat(resolved || (this.csat !== null && this.csat !== "ask") ? this.csat : null);

    const knownEmail = this.deps.knownEmail();
    const wrote = state.pending.length > 0 || (state.log?.messages().some((m) => m.author.kind === "visitor") ?? false);
    if (inbox && !inbox.online && wrote) this.emailAsked = true;
    if (knownEmail && this.emailAsked) cards.setEmailCard({ saved: knownEmail });
    else if (this.emailAsked && !knownEmail) cards.setEmailCard({ ask: true });
    else cards.setEmailCard(null);

    const unread = this.opened ? 0 : state.unread();
    view.setBadge(unread);
    if (unread !== this.unreadShown) {
      this.unreadShown = unread;
      this.deps.emit("unread", unread);
    }
    if (!connected && state.pending.some((item) => !item.error)) this.scheduleStaleCheck();
  }

  /** Unacked sends turn "failed" (with Retry) once they have waited long while disconnected. */
  private scheduleStaleCheck(): void {
    if (this.staleTimer) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      this.render();
    }, STALE_MS / 3);
  }
}

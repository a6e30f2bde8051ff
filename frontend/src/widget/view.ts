/**
 * The panel's DOM, built with createElement and filled with textContent (message bodies go
 * through the shared linkify's element builder): no HTML string is ever parsed. The view keeps
 * no state of its own beyond element caches; panel.ts tells it what to show, the cards under
 * the messages are view-cards.ts, a message's files view-files.ts, the image lightbox
 * lightbox.ts, and the composer (its text, its files, the send button) view-composer.ts.
 */
import { appendBody } from "../shared/linkify";
import type { UploadItem } from "../shared/uploads";
import type { Boot } from "./boot";
import { icon, ICON_CLOSE } from "./css";
import { el } from "./dom";
import type { I18n, Params } from "./i18n";
import { Lightbox } from "./lightbox";
import type { MessageRow, Row } from "./store";
import type { Key } from "./strings";
import type { ContactField } from "./validate";
import { Cards } from "./view-cards";
import { type ComposerHandlers, ComposerView } from "./view-composer";
import { filesNode } from "./view-files";

export interface ViewHandlers extends ComposerHandlers {
  retry(clientId: string): void;
  close(): void;
  prechat(values: Partial<Record<ContactField, string>>): void;
  email(value: string): void;
  rate(stars: number): void;
  comment(text: string): void;
}

export interface HeaderInfo {
  title: string;
  subtitle: string;
  online: boolean;
  avatar: string;
}

const BOTTOM_SLACK = 80;

export class View {
  readonly panel: HTMLElement;
  private readonly i18n: I18n;
  private readonly boot: Boot;
  private readonly h: ViewHandlers;
  private readonly title = el("h2", "title");
  private readonly subtitle = el("span");
  private readonly dot = el("span", "dot");
  private readonly avatar = el("div", "avatar");
  private readonly banner = el("div", "banner");
  private readonly scroller = el("div", "scroll");
  private readonly intro = el("div", "row first last intro");
  private readonly introWho = el("div", "who");
  private readonly introBubble = el("div", "bubble");
  private readonly notice = el("div", "notice");
  private readonly log = el("div", "log");
  private readonly typing = el("div", "typing");
  private readonly typingWho = el("div", "who");
  /** The pre-chat form, the resolved notice, the rating and the email card (view-cards.ts). */
  readonly cards: Cards;
  private readonly composer: ComposerView;
  private readonly lightbox: Lightbox;
  private readonly rows = new Map<string, HTMLElement>();

  constructor(boot: Boot, i18n: I18n, handlers: ViewHandlers) {
    this.boot = boot;
    this.i18n = i18n;
    this.h = handlers;
    const t = (key: Key) => i18n.t(key);
    this.cards = new Cards(i18n, handlers, {
      setComposer: (visible) => this.setComposer(visible),
      nearBottom: () => this.nearBottom(),
      scrollToBottom: () => this.scrollToBottom(),
    });

    this.title.id = "hd-title";
    const close = el("button", "icon-btn", icon(document, ICON_CLOSE));
    close.type = "button";
    close.setAttribute("aria-label", t("closePanel"));
    close.addEventListener("click", () => handlers.close());
    this.dot.setAttribute("aria-hidden", "true");
    this.avatar.setAttribute("aria-hidden", "true");
    const head = el(
      "header",
      "head",
      this.avatar,
      el("div", "titles", this.title, el("p", "sub", this.dot, this.subtitle)),
      close,
    );

    this.banner.hidden = true;
    this.banner.setAttribute("role", "status");
    this.intro.append(this.introWho, this.introBubble);
    this.notice.hidden = true;
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-label", t("conversation"));
    this.typing.hidden = true;
    this.typing.setAttribute("aria-live", "polite");
    const dots = el("div", "dots", el("i"), el("i"), el("i"));
    dots.setAttribute("aria-hidden", "true");
    this.typing.append(this.typingWho, dots);
    this.scroller.append(this.intro, this.notice, this.log, this.typing, this.cards.root);

    this.composer = new ComposerView(i18n, handlers);
    this.lightbox = new Lightbox(i18n);
    this.panel = el(
      "section",
      "panel",
      head,
      this.banner,
      this.scroller,
      this.composer.error,
      this.composer.chips.root,
      this.composer.form,
      this.composer.dropHint,
      this.lightbox.root,
    );
    this.composer.listenForDrops(this.panel);
    this.panel.id = "hd-panel";
    this.panel.hidden = true;
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-labelledby", this.title.id);
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        handlers.close();
      }
    });
    boot.frame.appendChild(this.panel);
    boot.launcher.setAttribute("aria-controls", this.panel.id);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  setOpen(open: boolean): void {
    const launcher = this.boot.launcher;
    const focusInside = this.boot.root.activeElement !== null && this.panel.contains(this.boot.root.activeElement);
    this.panel.hidden = !open;
    this.boot.frame.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", this.i18n.t(open ? "close" : "open"));
    if (open) this.scrollToBottom();
    else if (focusInside) launcher.focus();
  }

  /** Focus where the visitor will type: the first empty pre-chat field, or the composer. */
  focusInput(): void {
    const field = this.cards.firstField();
    if (field) field.focus({ preventScroll: true });
    else this.composer.focus();
  }

  setHeader(info: HeaderInfo): void {
    this.title.textContent = info.title;
    this.subtitle.textContent = info.subtitle;
    this.dot.classList.toggle("away", !info.online);
    this.avatar.textContent = info.avatar;
    this.panel.setAttribute("aria-label", info.title);
  }

  setBanner(text: string | null): void {
    this.banner.hidden = !text;
    this.banner.textContent = text ?? "";
  }

  setIntro(author: string, greeting: string | null): void {
    this.intro.hidden = !greeting;
    this.introWho.textContent = author;
    this.introBubble.textContent = "";
    if (greeting) appendBody(this.introBubble, greeting);
  }

  setNotice(text: string | null): void {
    this.notice.hidden = !text;
    this.notice.textContent = text ?? "";
  }

  setTyping(name: string | null): void {
    const near = this.nearBottom();
    this.typing.hidden = !name;
    this.typingWho.textContent = name ? this.i18n.t("typing", { name }) : "";
    if (name && near) this.scrollToBottom();
  }

  setComposer(visible: boolean): void {
    this.composer.setVisible(visible);
  }

  setComposerError(key: Key | null, params?: Params): void {
    this.composer.setError(key, params);
  }

  /** The composer's files changed: their chips, and whether the message may go. */
  setFiles(items: readonly UploadItem[], busy: boolean, ready: boolean): void {
    this.composer.setFiles(items, busy, ready);
  }

  setBadge(count: number): void {
    const badge = this.boot.badge;
    badge.hidden = count <= 0;
    badge.textContent = count > 0 ? this.i18n.formatBadge(count) : "";
    const label = this.i18n.t(this.isOpen ? "close" : "open");
    this.boot.launcher.setAttribute("aria-label", count > 0 ? `${label}. ${this.i18n.tn("unread", count)}` : label);
  }

  /** Draws the messages, reusing the element of every row already shown (by key). */
  renderRows(rows: Row[], scroll: boolean): void {
    const near = scroll || this.nearBottom();
    const wanted = new Set<string>();
    let index = 0;
    for (const row of rows) {
      wanted.add(row.key);
      let node = this.rows.get(row.key);
      if (!node) {
        node = row.kind === "day" ? el("div", "day") : this.messageNode(row);
        this.rows.set(row.key, node);
      }
      if (row.kind === "day") node.textContent = this.i18n.formatDay(row.date);
      else this.updateMessage(node, row);
      const current = this.log.children[index];
      if (current !== node) this.log.insertBefore(node, current ?? null);
      index += 1;
    }
    for (const [key, node] of this.rows) {
      if (!wanted.has(key)) {
        node.remove();
        this.rows.delete(key);
      }
    }
    if (near) this.scrollToBottom();
  }

  private messageNode(row: MessageRow): HTMLElement {
    const bubble = el("div", "bubble");
    appendBody(bubble, row.body);
    // files alone: no empty bubble
    bubble.hidden = !row.body.trim() && row.attachments.length > 0;
    const node = el("div", "row", el("div", "who"), bubble, el("div", "meta"));
    return node;
  }

  /** A message's files, drawn again only when they change (a sent file's link is renewed). */
  private updateFiles(node: HTMLElement, row: MessageRow): void {
    const signature = row.attachments.map((attachment) => `${attachment.id}:${attachment.url}`).join(" ");
    if ((node.dataset.files ?? "") === signature) return;
    node.dataset.files = signature;
    node.querySelector(":scope > .files")?.remove();
    if (!row.attachments.length) return;
    const files = filesNode(row.attachments, {
      i18n: this.i18n,
      base: this.boot.config.origin,
      openImage: (href, name, opener) => this.lightbox.open(href, name, opener),
    });
    node.insertBefore(files, node.lastElementChild);
  }

  private updateMessage(node: HTMLElement, row: MessageRow): void {
    node.className = "row";
    const classes = node.classList;
    if (row.kind === "system") classes.add("system");
    if (row.mine) classes.add("mine");
    if (row.first) classes.add("first");
    if (row.last) classes.add("last");
    if (row.state) classes.add(row.state);
    node.dataset.author = row.author?.kind ?? "visitor";
    if (row.state) node.dataset.status = row.state;
    else delete node.dataset.status;
    this.updateFiles(node, row);
    const who = node.firstElementChild as HTMLElement;
    const meta = node.lastElementChild as HTMLElement;
    const showWho = !row.mine && row.first && row.kind !== "system";
    who.hidden = !showWho;
    who.textContent = showWho ? row.author?.name || this.i18n.t("operator") : "";
    meta.textContent = "";
    const showMeta = row.kind !== "system" && (row.last || row.showState);
    meta.hidden = !showMeta;
    if (!showMeta) return;
    if (row.state === "failed") {
      const retry = el("button", "link-btn", this.i18n.t("retry"));
      retry.type = "button";
      retry.addEventListener("click", () => row.clientId && this.h.retry(row.clientId));
      meta.append(el("span", "bad", this.i18n.t("failed")), retry);
      return;
    }
    const time = el("time", "", this.i18n.formatTime(row.at));
    time.dateTime = row.at.toISOString();
    meta.append(time);
    if (row.mine && row.showState && row.state) {
      meta.append(el("span", "", "·"), el("span", "state", this.i18n.t(row.state)));
    }
  }

  private nearBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < BOTTOM_SLACK;
  }

  scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

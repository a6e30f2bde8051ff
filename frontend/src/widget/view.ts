/**
 * The panel's DOM, built with createElement and filled with textContent (message bodies go
 * through the shared linkify's element builder): no HTML string is ever parsed. The view keeps
 * no state of its own beyond element caches; panel.ts tells it what to show, the cards under
 * the messages are view-cards.ts, files (a message's, the composer's chips) view-files.ts, and
 * the image lightbox lightbox.ts. Files come by the paperclip, a paste into the composer, or a
 * drop on the open panel.
 */
import { carriesFiles, filesOf } from "../shared/dropped-files";
import { appendBody } from "../shared/linkify";
import type { UploadItem } from "../shared/uploads";
import type { Boot } from "./boot";
import { icon, ICON_CLOSE, ICON_SEND } from "./css";
import { el } from "./dom";
import type { I18n, Params } from "./i18n";
import { Lightbox } from "./lightbox";
import type { MessageRow, Row } from "./store";
import type { Key } from "./strings";
import type { ContactField } from "./validate";
import { Cards } from "./view-cards";
import { Chips, filesNode, ICON_CLIP } from "./view-files";

export interface ViewHandlers {
  /** Answers true when the message was taken (the composer is then cleared). */
  send(body: string): boolean;
  retry(clientId: string): void;
  /** Files chosen, pasted or dropped: they upload at once. */
  attach(files: File[]): void;
  removeFile(key: string): void;
  close(): void;
  input(text: string): void;
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
  private readonly composer = el("form", "composer");
  private readonly textarea = el("textarea", "ta");
  private readonly sendButton = el("button", "send");
  private readonly composerError = el("div", "ferr");
  private readonly attachButton = el("button", "attach");
  private readonly picker = el("input");
  private readonly chips: Chips;
  private readonly dropHint = el("div", "drop");
  private readonly lightbox: Lightbox;
  private readonly rows = new Map<string, HTMLElement>();
  /** The composer's files: one still uploading, at least one uploaded. */
  private files = { busy: false, ready: false };
  private dragDepth = 0;

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

    this.textarea.rows = 1;
    this.textarea.placeholder = t("composer");
    this.textarea.setAttribute("aria-label", t("composerLabel"));
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener("input", () => {
      this.autosize();
      this.composerError.textContent = "";
      this.updateSend();
      handlers.input(this.textarea.value);
    });
    // A pasted image (or any file) is attached; pasted text goes in as usual.
    this.textarea.addEventListener("paste", (event) => {
      const files = filesOf(event.clipboardData);
      if (files.length === 0) return;
      if (!event.clipboardData?.types.includes("text/plain")) event.preventDefault();
      handlers.attach(files);
    });
    this.attachButton.type = "button";
    this.attachButton.setAttribute("aria-label", t("attach"));
    this.attachButton.title = t("attach");
    this.attachButton.append(icon(document, ICON_CLIP));
    this.attachButton.addEventListener("click", () => this.picker.click());
    this.picker.type = "file";
    this.picker.multiple = true;
    this.picker.hidden = true;
    this.picker.tabIndex = -1;
    this.picker.addEventListener("change", () => {
      const files = Array.from(this.picker.files ?? []);
      this.picker.value = "";
      if (files.length) handlers.attach(files);
      this.textarea.focus({ preventScroll: true });
    });
    this.chips = new Chips(i18n, (key) => {
      handlers.removeFile(key);
      this.textarea.focus({ preventScroll: true });
    });
    this.sendButton.type = "submit";
    this.sendButton.disabled = true;
    this.sendButton.setAttribute("aria-label", t("send"));
    this.sendButton.append(icon(document, ICON_SEND));
    this.composerError.setAttribute("role", "alert");
    this.composer.append(this.attachButton, this.picker, this.textarea, this.sendButton);
    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.lightbox = new Lightbox(i18n);
    this.dropHint.hidden = true;
    this.dropHint.setAttribute("aria-hidden", "true");
    this.dropHint.append(icon(document, ICON_CLIP), el("span", "", t("dropFiles")));
    this.panel = el(
      "section",
      "panel",
      head,
      this.banner,
      this.scroller,
      this.composerError,
      this.chips.root,
      this.composer,
      this.dropHint,
      this.lightbox.root,
    );
    this.listenForDrops();
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
    (this.cards.firstField() ?? this.textarea).focus({ preventScroll: true });
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
    this.composer.hidden = !visible;
    this.chips.root.hidden = !visible || this.chips.root.childElementCount === 0;
  }

  setComposerError(key: Key | null, params?: Params): void {
    this.composerError.textContent = key ? this.i18n.t(key, params) : "";
  }

  /** The composer's files changed: their chips, and whether the message may go. */
  setFiles(items: readonly UploadItem[], busy: boolean, ready: boolean): void {
    this.chips.render(items);
    if (this.composer.hidden) this.chips.root.hidden = true;
    this.files = { busy, ready };
    this.updateSend();
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

  // --- composer -------------------------------------------------------------------------------

  private submit(): void {
    const body = this.textarea.value;
    if (!this.canSend()) return;
    if (this.h.send(body)) {
      this.textarea.value = "";
      this.updateSend();
      this.autosize();
    }
  }

  /** Text or an uploaded file, and no upload still running. */
  private canSend(): boolean {
    return !this.files.busy && (this.textarea.value.trim() !== "" || this.files.ready);
  }

  private updateSend(): void {
    this.sendButton.disabled = !this.canSend();
  }

  /** Files dragged over the open panel: a hint covers it; dropped, they are attached. */
  private listenForDrops(): void {
    const accepts = (event: DragEvent) => carriesFiles(event.dataTransfer) && !this.composer.hidden;
    const show = (on: boolean) => {
      this.dropHint.hidden = !on;
      this.panel.classList.toggle("dragging", on);
    };
    this.panel.addEventListener("dragenter", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      this.dragDepth += 1;
      show(true);
    });
    this.panel.addEventListener("dragover", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    });
    this.panel.addEventListener("dragleave", (event) => {
      if (!accepts(event)) return;
      this.dragDepth = Math.max(0, this.dragDepth - 1);
      if (this.dragDepth === 0) show(false);
    });
    this.panel.addEventListener("drop", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      this.dragDepth = 0;
      show(false);
      const files = filesOf(event.dataTransfer);
      if (files.length) this.h.attach(files);
      this.textarea.focus({ preventScroll: true });
    });
  }

  private autosize(): void {
    const area = this.textarea;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 128)}px`;
  }

  private nearBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < BOTTOM_SLACK;
  }

  scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

/**
 * The panel's DOM, built with createElement and filled with textContent (message bodies go
 * through the shared linkify's element builder): no HTML string is ever parsed. The view keeps no state of
 * its own beyond element caches; the controller (widget.ts) tells it what to show.
 */
import type { Boot } from "./boot";
import { icon, ICON_CLOSE, ICON_SEND } from "./css";
import type { I18n } from "./i18n";
import { appendBody } from "../shared/linkify";
import type { MessageRow, Row } from "./store";
import type { Key } from "./strings";
import type { ContactField } from "./validate";

export interface ViewHandlers {
  /** Answers true when the message was taken (the composer is then cleared). */
  send(body: string): boolean;
  retry(clientId: string): void;
  close(): void;
  input(text: string): void;
  prechat(values: Partial<Record<ContactField, string>>): void;
  email(value: string): void;
  rate(stars: number): void;
}

export interface HeaderInfo {
  title: string;
  subtitle: string;
  online: boolean;
  avatar: string;
}

type Child = Node | string | null | undefined | false;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child) node.append(child);
  }
  return node;
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
  private readonly cards = el("div");
  private readonly composer = el("form", "composer");
  private readonly textarea = el("textarea", "ta");
  private readonly sendButton = el("button", "send");
  private readonly composerError = el("div", "ferr");
  private readonly rows = new Map<string, HTMLElement>();
  private prechatCard: HTMLElement | null = null;
  private emailCard: HTMLElement | null = null;
  private csatCard: HTMLElement | null = null;
  private resolvedNotice: HTMLElement | null = null;

  constructor(boot: Boot, i18n: I18n, handlers: ViewHandlers) {
    this.boot = boot;
    this.i18n = i18n;
    this.h = handlers;
    const t = (key: Key) => i18n.t(key);

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
    this.scroller.append(this.intro, this.notice, this.log, this.typing, this.cards);

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
      this.sendButton.disabled = !this.textarea.value.trim();
      handlers.input(this.textarea.value);
    });
    this.sendButton.type = "submit";
    this.sendButton.disabled = true;
    this.sendButton.setAttribute("aria-label", t("send"));
    this.sendButton.append(icon(document, ICON_SEND));
    this.composerError.setAttribute("role", "alert");
    this.composer.append(this.textarea, this.sendButton);
    this.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.panel = el("section", "panel", head, this.banner, this.scroller, this.composerError, this.composer);
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
    const field = this.prechatCard?.querySelector<HTMLInputElement>("input");
    (field ?? this.textarea).focus({ preventScroll: true });
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
  }

  setComposerError(key: Key | null): void {
    this.composerError.textContent = key ? this.i18n.t(key) : "";
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
    const node = el("div", "row", el("div", "who"), bubble, el("div", "meta"));
    return node;
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
    const [who, , meta] = Array.from(node.children) as HTMLElement[];
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

  // --- cards ----------------------------------------------------------------------------------

  showPrechat(fields: readonly ContactField[], required: readonly string[], values: Partial<Record<ContactField, string>>): void {
    if (this.prechatCard) return;
    const t = (key: Key) => this.i18n.t(key);
    const form = el("form", "card prechat");
    form.noValidate = true;
    form.append(el("h3", "", t("prechatTitle")), el("p", "", t("prechatIntro")));
    const types: Record<ContactField, [string, string]> = {
      name: ["text", "name"],
      email: ["email", "email"],
      phone: ["tel", "tel"],
    };
    for (const field of fields) {
      const id = `hd-f-${field}`;
      const label = el("label", "", t(field));
      label.htmlFor = id;
      if (!required.includes(field)) label.append(" ", el("span", "", `(${t("optional")})`));
      const input = el("input", "input");
      input.id = id;
      input.name = field;
      input.type = types[field][0];
      input.autocomplete = types[field][1] as AutoFill;
      input.value = values[field] ?? "";
      input.required = required.includes(field);
      const error = el("div", "ferr");
      error.id = `${id}-err`;
      input.setAttribute("aria-describedby", error.id);
      form.append(el("div", "field", label, input, error));
    }
    const submit = el("button", "btn wide", t("start"));
    submit.type = "submit";
    const formError = el("div", "ferr");
    formError.setAttribute("role", "alert");
    form.append(submit, formError);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values: Partial<Record<ContactField, string>> = {};
      for (const field of fields) values[field] = (form.elements.namedItem(field) as HTMLInputElement).value.trim();
      this.h.prechat(values);
    });
    this.prechatCard = form;
    this.cards.prepend(form);
    this.setComposer(false);
  }

  /** Field problems (catalogue keys), or a whole-form one under "form"; busy disables submit. */
  prechatState(problems: Partial<Record<ContactField | "form", Key>>, busy = false): void {
    const form = this.prechatCard;
    if (!form) return;
    let first: HTMLInputElement | null = null;
    for (const input of Array.from(form.querySelectorAll("input"))) {
      const problem = problems[input.name as ContactField];
      input.setAttribute("aria-invalid", String(Boolean(problem)));
      const error = form.querySelector(`#${input.id}-err`);
      if (error) error.textContent = problem ? this.i18n.t(problem) : "";
      if (problem && !first) first = input;
    }
    const submit = form.querySelector("button");
    if (submit) submit.disabled = busy;
    const formError = form.lastElementChild;
    if (formError) formError.textContent = problems.form ? this.i18n.t(problems.form) : "";
    first?.focus();
  }

  hidePrechat(): void {
    this.prechatCard?.remove();
    this.prechatCard = null;
    this.setComposer(true);
  }

  /** The offline email card: asking, done (the address shown), or gone. */
  setEmailCard(state: { ask: true; problem?: Key | null; busy?: boolean } | { saved: string } | null): void {
    const t = (key: Key) => this.i18n.t(key);
    if (!state) {
      this.emailCard?.remove();
      this.emailCard = null;
      return;
    }
    const near = this.nearBottom();
    if (!this.emailCard) {
      this.emailCard = el("div", "card email");
      this.cards.append(this.emailCard);
    }
    const card = this.emailCard;
    if ("saved" in state) {
      card.textContent = "";
      card.append(el("p", "done", this.i18n.t("emailSaved", { email: state.saved })));
      return;
    }
    let form = card.querySelector("form");
    if (!form) {
      card.textContent = "";
      const input = el("input", "input");
      input.type = "email";
      input.name = "email";
      input.autocomplete = "email";
      input.placeholder = "you@example.com";
      input.setAttribute("aria-label", t("email"));
      input.id = "hd-offline-email";
      const error = el("div", "ferr");
      error.id = "hd-offline-email-err";
      input.setAttribute("aria-describedby", error.id);
      const save = el("button", "btn", t("emailSave"));
      save.type = "submit";
      form = el("form", "", el("div", "inline", input, save), error);
      form.noValidate = true;
      const formRef = form;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.h.email((formRef.elements.namedItem("email") as HTMLInputElement).value.trim());
      });
      card.append(el("h3", "", t("emailAsk")), form);
    }
    const input = form.querySelector("input") as HTMLInputElement;
    input.setAttribute("aria-invalid", String(Boolean(state.problem)));
    (form.querySelector(".ferr") as HTMLElement).textContent = state.problem ? t(state.problem) : "";
    (form.querySelector("button") as HTMLButtonElement).disabled = Boolean(state.busy);
    if (state.problem) input.focus();
    if (near) this.scrollToBottom();
  }

  setResolved(show: boolean): void {
    if (!show) {
      this.resolvedNotice?.remove();
      this.resolvedNotice = null;
      return;
    }
    if (this.resolvedNotice) return;
    this.resolvedNotice = el("div", "notice", this.i18n.t("resolved"));
    this.cards.prepend(this.resolvedNotice);
  }

  /** The rating card: "ask", "thanks" or gone. */
  setCsat(state: "ask" | "thanks" | null): void {
    if (!state) {
      this.csatCard?.remove();
      this.csatCard = null;
      return;
    }
    const near = this.nearBottom();
    if (!this.csatCard) {
      this.csatCard = el("div", "card csat");
      this.cards.append(this.csatCard);
    }
    const card = this.csatCard;
    card.textContent = "";
    if (state === "thanks") {
      card.append(el("p", "done", this.i18n.t("thanks")));
      return;
    }
    const stars = el("div", "stars");
    stars.setAttribute("role", "group");
    stars.setAttribute("aria-label", this.i18n.t("rate"));
    for (let n = 1; n <= 5; n++) {
      const star = el("button", "star", "★");
      star.type = "button";
      star.setAttribute("aria-label", this.i18n.t("stars", { n }));
      star.addEventListener("click", () => this.h.rate(n));
      star.addEventListener("mouseenter", () => stars.querySelectorAll(".star").forEach((s, i) => s.classList.toggle("on", i < n)));
      stars.append(star);
    }
    stars.addEventListener("mouseleave", () => stars.querySelectorAll(".star").forEach((s) => s.classList.remove("on")));
    card.append(el("h3", "", this.i18n.t("rate")), stars);
    if (near) this.scrollToBottom();
  }

  // --- composer -------------------------------------------------------------------------------

  private submit(): void {
    const body = this.textarea.value;
    if (!body.trim()) return;
    if (this.h.send(body)) {
      this.textarea.value = "";
      this.sendButton.disabled = true;
      this.autosize();
    }
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

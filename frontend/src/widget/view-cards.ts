/**
 * The cards under the messages: the pre-chat form, the resolved notice, the rating and the
 * offline email card. Built with createElement and filled with textContent, like the rest of
 * the view (view.ts); what they show is decided by panel.ts and forms.ts.
 */
import { el } from "./dom";
import type { EmailCard, FieldProblems } from "./forms";
import type { I18n } from "./i18n";
import type { Key } from "./strings";
import type { ContactField } from "./validate";

export interface CardHandlers {
  prechat(values: Partial<Record<ContactField, string>>): void;
  email(value: string): void;
  rate(stars: number): void;
  comment(text: string): void;
}

/** The rating card's states: the stars, then thanks with an optional comment, then thanks. */
export type CsatState = "ask" | "thanks" | "commented";

/** What the cards need of the view around them. */
export interface CardHost {
  setComposer(visible: boolean): void;
  nearBottom(): boolean;
  scrollToBottom(): void;
}

export class Cards {
  readonly root = el("div");
  private prechatCard: HTMLElement | null = null;
  private emailCard: HTMLElement | null = null;
  private csatCard: HTMLElement | null = null;
  private csatShown: CsatState | null = null;
  private resolvedNotice: HTMLElement | null = null;

  constructor(
    private readonly i18n: I18n,
    private readonly h: CardHandlers,
    private readonly host: CardHost,
  ) {}

  private appendCard(className: string): HTMLElement {
    const card = el("div", className);
    this.root.append(card);
    return card;
  }

  /** The pre-chat form's first field, while the form is shown. */
  firstField(): HTMLInputElement | null {
    return this.prechatCard?.querySelector<HTMLInputElement>("input") ?? null;
  }

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
    this.root.prepend(form);
    this.host.setComposer(false);
  }

  /** Field problems (catalogue keys), or a whole-form one under "form"; busy disables submit. */
  prechatState(problems: FieldProblems, busy = false): void {
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
    this.prechatCard = remove(this.prechatCard);
    this.host.setComposer(true);
  }

  /** The offline email card: asking, done (the address shown), or gone. */
  setEmailCard(state: EmailCard): void {
    const t = (key: Key) => this.i18n.t(key);
    if (!state) {
      this.emailCard = remove(this.emailCard);
      return;
    }
    const near = this.host.nearBottom();
    const card = (this.emailCard = this.emailCard ?? this.appendCard("card email"));
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
    if (near) this.host.scrollToBottom();
  }

  setResolved(show: boolean): void {
    if (!show) {
      this.resolvedNotice = remove(this.resolvedNotice);
      return;
    }
    if (this.resolvedNotice) return;
    this.resolvedNotice = el("div", "notice", this.i18n.t("resolved"));
    this.root.prepend(this.resolvedNotice);
  }

  /** The rating card: the stars, thanks with a comment box, thanks alone, or gone. Built
   * again only when its state changes, so a comment being typed stays. */
  setCsat(state: CsatState | null): void {
    if (!state) {
      this.csatCard = remove(this.csatCard);
      this.csatShown = null;
      return;
    }
    if (state === this.csatShown && this.csatCard) return;
    this.csatShown = state;
    const near = this.host.nearBottom();
    const card = (this.csatCard = this.csatCard ?? this.appendCard("card csat"));
    card.textContent = "";
    if (state === "ask") card.append(el("h3", "", this.i18n.t("rate")), this.stars());
    else card.append(el("p", "done", this.i18n.t("thanks")));
    if (state === "thanks") card.append(this.commentForm());
    if (near) this.host.scrollToBottom();
  }

  private stars(): HTMLElement {
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
    return stars;
  }

  private commentForm(): HTMLFormElement {
    const form = el("form", "field comment");
    const label = el("label", "", this.i18n.t("commentAsk"));
    const box = el("textarea", "input comment-box");
    box.id = "hd-csat-comment";
    label.htmlFor = box.id;
    box.rows = 2;
    box.maxLength = 2000;
    const send = el("button", "btn", this.i18n.t("commentSend"));
    send.type = "submit";
    form.append(label, box, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (text) this.h.comment(text);
    });
    return form;
  }
}

/** Takes a card out of the panel; answers null, for the field that held it. */
function remove(card: HTMLElement | null): null {
  card?.remove();
  return null;
}

/**
 * The visitor's details and the forms that ask for them: the pre-chat form, the email to be
 * answered by while nobody is online, the details a host page gives with `identify()`, and the
 * rating of a resolved conversation. Details given before there is a session are sent once one
 * starts.
 */
import { ApiError, type ContactFields, type Identity, type WidgetApi } from "./api";
import type { IdentifyData } from "./boot";
import type { Saved, VisitorStore } from "./storage";
import type { Key } from "./strings";
import { CONTACT_FIELDS, type ContactField, contactProblems } from "./validate";

export type FieldProblems = Partial<Record<ContactField | "form", Key>>;
export type EmailCard = { ask: true; problem?: Key | null; busy?: boolean } | { saved: string } | null;

/** The cards the forms change (view-cards.ts). */
export interface FormsCards {
  prechatState(problems: FieldProblems, busy?: boolean): void;
  hidePrechat(): void;
  setEmailCard(state: EmailCard): void;
}

export interface FormsDeps {
  api: WidgetApi;
  store: VisitorStore;
  cards: FormsCards;
  /** Gives the composer (or the pre-chat form) the focus. */
  focusInput(): void;
  token(): string | null;
  /** The fields the inbox's pre-chat form requires. */
  required(): readonly string[];
  conversationId(): number | null;
  /** The visitor rated the conversation (the card says thanks and offers a comment). */
  rated(): void;
  /** The visitor sent a comment with the rating (the card says thanks). */
  commented(): void;
  changed(): void;
}

const text = (value: unknown) => (typeof value === "string" ? value.trim() : "");

/** A signed identity from `identify()` (external_id and hash), or null. */
export function identityOf(data: IdentifyData): Identity | null {
  if (!text(data.external_id) || !text(data.hash)) return null;
  return { external_id: text(data.external_id), hash: text(data.hash), name: text(data.name), email: text(data.email) };
}

export class ContactForms {
  /** The email the visitor gave (in this browser). */
  private email: string | null;
  /** The stars given to the current conversation (a comment is sent with them). */
  private stars: number | null = null;
  /** The contact's email on the server: null until asked (`loadKnownEmail`). */
  private serverEmail: string | null = null;
  /** Details given before there was a session. */
  private later: ContactFields | null = null;

  constructor(
    saved: Saved,
    private readonly deps: FormsDeps,
  ) {
    this.email = saved.email ?? null;
  }

  /** The email the visitor can be answered by, or "". */
  get knownEmail(): string {
    return this.email || this.serverEmail || "";
  }

  /** A session has started: the details given before go out, and the server's email is asked. */
  sessionStarted(): void {
    if (this.later) {
      const fields = this.later;
      this.later = null;
      void this.updateContact(fields).catch(() => undefined);
    }
    if (!this.email && this.serverEmail === null) void this.loadKnownEmail();
  }

  /** Another tab of the site was given the email. */
  adopt(saved: Saved): void {
    if (saved.email) this.email = saved.email;
  }

  /** `identify()` without a signed identity: the contact details, if they are well-formed. */
  identify(data: IdentifyData): void {
    const fields: ContactFields = {};
    for (const field of CONTACT_FIELDS) if (text(data[field])) fields[field] = text(data[field]);
    if (!Object.keys(fields).length || Object.keys(contactProblems(fields, [])).length) return;
    if (fields.email) this.rememberEmail(fields.email);
    void this.updateContact(fields).catch(() => undefined);
  }

  async submitPrechat(values: Partial<Record<ContactField, string>>): Promise<void> {
    const { cards } = this.deps;
    const problems = contactProblems(values, this.deps.required());
    if (Object.keys(problems).length) {
      cards.prechatState(problems);
      return;
    }
    const fields: ContactFields = {};
    for (const field of CONTACT_FIELDS) if (values[field]) fields[field] = values[field];
    cards.prechatState({}, true);
    try {
      if (Object.keys(fields).length) await this.updateContact(fields);
    } catch (error) {
      const known = error instanceof ApiError ? Object.keys(error.fields) : [];
      const field = CONTACT_FIELDS.find((name) => known.includes(name));
      const problem = field === "email" ? "badEmail" : field === "phone" ? "badPhone" : null;
      cards.prechatState(field && problem ? { [field]: problem } : { form: "saveFailed" });
      return;
    }
    if (fields.email) this.rememberEmail(fields.email);
    this.deps.store.update({ prechatDone: true });
    cards.hidePrechat();
    this.deps.changed();
    this.deps.focusInput();
  }

  async submitEmail(value: string): Promise<void> {
    const { cards } = this.deps;
    const problems = contactProblems({ email: value }, ["email"]);
    if (problems.email) {
      cards.setEmailCard({ ask: true, problem: problems.email });
      return;
    }
    cards.setEmailCard({ ask: true, busy: true });
    try {
      await this.updateContact({ email: value });
    } catch (error) {
      cards.setEmailCard({ ask: true, problem: error instanceof ApiError && error.status === 400 ? "badEmail" : "saveFailed" });
      return;
    }
    this.rememberEmail(value);
    this.deps.changed();
  }

  async rate(stars: number): Promise<void> {
    const token = this.deps.token();
    const conversation = this.deps.conversationId();
    if (!token || conversation === null) return;
    this.stars = stars;
    this.deps.rated();
    this.deps.store.update({ rated: conversation });
    this.deps.changed();
    try {
      await this.deps.api.csat(token, stars);
    } catch {
      /* a lost rating is not worth an error */
    }
  }

  /** A comment after the stars: the rating sent again with it (a second rating replaces the
   * first). */
  async comment(text: string): Promise<void> {
    const token = this.deps.token();
    if (!token || this.stars === null) return;
    this.deps.commented();
    this.deps.changed();
    try {
      await this.deps.api.csat(token, this.stars, text);
    } catch {
      /* as with the rating itself */
    }
  }

  private async updateContact(fields: ContactFields): Promise<ContactFields> {
    const token = this.deps.token();
    if (!token) {
      this.later = { ...this.later, ...fields };
      return fields;
    }
    return this.deps.api.contact(token, fields);
  }

  private rememberEmail(email: string): void {
    this.email = email;
    this.deps.store.update({ email, prechatDone: true });
  }

  /** The email the helpdesk already has for this visitor (given on another device, say), so
   * the widget does not ask for it again while nobody is online. */
  private async loadKnownEmail(): Promise<void> {
    const token = this.deps.token();
    if (!token) return;
    this.serverEmail = "";
    try {
      const contact = await this.deps.api.contactGet(token);
      if (token !== this.deps.token()) return;
      this.serverEmail = contact.email ?? "";
      if (this.serverEmail) this.deps.changed();
    } catch {
      this.serverEmail = null; // asked again with the next session
    }
  }
}

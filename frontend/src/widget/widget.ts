/**
 * widget.js: the panel and its live connection, loaded by loader.js on first open or when the
 * page is idle. This module puts the parts together and answers the host page's API
 * (window.HelpdeskWidget): connection.ts (the session and the socket, over the shared protocol
 * client; fallback.ts when websockets are blocked), conversation.ts (the messages, marks and
 * events, over the state in store.ts), composer.ts (what the visitor writes), the files the
 * composer carries (shared/uploads.ts: uploaded at once, over api.ts), forms.ts (pre-chat,
 * email, rating), panel.ts (what the panel shows), view.ts (the DOM).
 */
import { MAX_FILES } from "../shared/attachments";
import { UploadError } from "../shared/upload";
import { UploadQueue } from "../shared/uploads";
import { WidgetApi } from "./api";
import type { Boot, IdentifyData, PublicApi, WidgetHandle } from "./boot";
import { Composer } from "./composer";
import { Connection } from "./connection";
import { ConversationSync } from "./conversation";
import { adoptCss } from "./css";
import { ContactForms, identityOf } from "./forms";
import { I18n } from "./i18n";
import { Panel } from "./panel";
import { VisitorStore } from "./storage";
import { PANEL_CSS } from "./styles";
import { View } from "./view";

export class WidgetController implements WidgetHandle {
  private readonly view: View;
  private readonly conversation: ConversationSync;
  private readonly connection: Connection;
  private readonly composer: Composer;
  private readonly forms: ContactForms;
  private readonly panel: Panel;

  constructor(boot: Boot) {
    const config = boot.config;
    const i18n = new I18n(config.locale);
    const store = new VisitorStore(config.inboxKey);
    const api = new WidgetApi(config.origin, config.locale);
    adoptCss(boot.root, PANEL_CSS);
    const uploads = new UploadQueue<File>({
      upload: async (file, progress, signal) => {
        if (!this.connection.token) await this.connection.start();
        const token = this.connection.token;
        if (!token) throw new UploadError(0, "no_session", "");
        return api.upload(token, file, progress, signal);
      },
      // the server's words; the widget's own when its answer could not be read
      describe: (error) =>
        error instanceof UploadError && error.message ? error.message : i18n.t(error instanceof UploadError && error.status === 413 ? "fileTooLarge" : "uploadFailed"),
      changed: () => view.setFiles(uploads.items, uploads.busy, uploads.attachments.length > 0),
    });
    const view = new View(boot, i18n, {
      send: (body) => {
        const taken = this.composer.send(body, uploads.attachments);
        if (taken) uploads.clear();
        return taken;
      },
      retry: (clientId) => this.composer.retry(clientId),
      attach: (files) => {
        view.setComposerError(null);
        if (uploads.add(files) > 0) view.setComposerError("tooManyFiles", { n: MAX_FILES });
      },
      removeFile: (key) => uploads.remove(key),
      close: () => this.close(),
      input: (text) => this.composer.typing(text),
      prechat: (values) => void this.forms.submitPrechat(values),
      email: (value) => void this.forms.submitEmail(value),
      rate: (stars) => void this.forms.rate(stars),
      comment: (text) => void this.forms.comment(text),
    });
    this.view = view;
    const changed = (scroll = false) => this.panel.render(scroll);
    const saved = store.load();
    const conversation = new ConversationSync(saved, {
      store,
      emit: (event, payload) => boot.emit(event, payload),
      send: (frame) => this.connection.send(frame),
      messagesAfter: (id, afterSeq) => (this.connection.token ? api.messagesAfter(this.connection.token, id, afterSeq) : null),
      seeing: () => this.panel.opened && document.visibilityState !== "hidden",
      operatorName: () => i18n.t("operator"),
      switched: () => this.panel.conversationSwitched(),
      changed,
    });
    this.conversation = conversation;
    const state = conversation.state;
    this.connection = new Connection({
      api,
      store,
      inboxKey: config.inboxKey,
      origin: config.origin,
      locale: i18n.locale,
      token: saved.token ?? null,
      identity: config.identity,
      page: () => ({ url: location.href, title: document.title }),
      conversation,
      session: (session, sameVisitor) => {
        conversation.applySession(session, sameVisitor);
        this.panel.sessionColor(session.inbox.color);
        this.forms.sessionStarted();
      },
      resend: () => this.composer.resend(),
      wanted: () => state.pending.length > 0 || this.panel.opened,
      changed,
    });
    const line = this.connection;
    this.composer = new Composer({
      state,
      line,
      savePending: () => conversation.savePending(),
      setError: (problem) => view.setComposerError(problem),
      changed,
    });
    this.forms = new ContactForms(saved, {
      api,
      store,
      cards: view.cards,
      focusInput: () => view.focusInput(),
      token: () => line.token,
      required: () => line.inbox?.prechat_required ?? [],
      conversationId: () => state.conversationId,
      rated: () => this.panel.rated(),
      commented: () => this.panel.commented(),
      changed,
    });
    this.panel = new Panel({
      i18n,
      store,
      view,
      cards: view.cards,
      state,
      line,
      knownEmail: () => this.forms.knownEmail,
      emit: (event, payload) => boot.emit(event, payload),
      style: boot.frame.style,
      offline: () => typeof navigator !== "undefined" && navigator.onLine === false,
    });
    if (saved.color) this.panel.applyColor(saved.color);

    window.addEventListener("online", () => line.wake());
    window.addEventListener("offline", () => changed());
    document.addEventListener("visibilitychange", () => conversation.markRead());
    window.addEventListener("storage", (event) => {
      if (!store.isOwnEvent(event)) return;
      const other = store.load();
      conversation.adoptReadMark(other);
      this.forms.adopt(other);
      changed();
    });

    if (line.token || state.pending.length) void line.start();
    changed();
    if (store.panelOpen) this.open();
  }

  // --- the host page's API (window.HelpdeskWidget) --------------------------------------------

  open(): void {
    this.panel.setOpen(true);
    this.connection.opened();
    this.panel.render();
    this.conversation.markRead();
    this.view.focusInput();
  }

  close(): void {
    if (!this.panel.opened) return;
    this.composer.setTypingOut(false);
    this.panel.setOpen(false);
    this.panel.render();
  }

  toggle(): void {
    if (this.panel.opened) this.close();
    else this.open();
  }

  identify(data: IdentifyData): void {
    if (!data || typeof data !== "object") return;
    const identity = identityOf(data);
    if (identity) this.connection.identify(identity);
    else this.forms.identify(data);
  }
}

export function mountWidget(boot: Boot): WidgetHandle {
  return new WidgetController(boot);
}

const api = (window as unknown as { HelpdeskWidget?: PublicApi }).HelpdeskWidget;
if (api && typeof api._attach === "function") api._attach(mountWidget);

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ClientStatus } from "../src/protocol/client";
import type { EmailCard } from "../src/widget/forms";
import { I18n } from "../src/widget/i18n";
import { Panel, type PanelCards, type PanelLine, type PanelView } from "../src/widget/panel";
import { ChatState, type InboxInfo, type Row, STALE_MS } from "../src/widget/store";
import type { ContactField } from "../src/widget/validate";
import type { HeaderInfo } from "../src/widget/view";
import { conversationOf, inbox, memoryStore, operatorMessage, visitorMessage } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T10:00:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

/** The view and its cards as the panel drives them: the last value of each part. */
class FakeView implements PanelView, PanelCards {
  open: boolean | null = null;
  header: HeaderInfo | null = null;
  banner: string | null = null;
  notice: string | null = null;
  rows: Row[] = [];
  renders = 0;
  typing: string | null = null;
  prechat: ContactField[] | null = null;
  composer = true;
  resolved = false;
  csat: "ask" | "thanks" | null = null;
  emailCard: EmailCard = null;
  badge = 0;

  setOpen(open: boolean): void {
    this.open = open;
  }
  setHeader(info: HeaderInfo): void {
    this.header = info;
  }
  setBanner(text: string | null): void {
    this.banner = text;
  }
  setIntro(): void {}
  setNotice(text: string | null): void {
    this.notice = text;
  }
  renderRows(rows: Row[]): void {
    this.rows = rows;
    this.renders += 1;
  }
  setTyping(name: string | null): void {
    this.typing = name;
  }
  showPrechat(fields: readonly ContactField[]): void {
    this.prechat = [...fields];
  }
  hidePrechat(): void {
    this.prechat = null;
  }
  setComposer(visible: boolean): void {
    this.composer = visible;
  }
  setResolved(show: boolean): void {
    this.resolved = show;
  }
  setCsat(state: "ask" | "thanks" | null): void {
    this.csat = state;
  }
  setEmailCard(state: EmailCard): void {
    this.emailCard = state;
  }
  setBadge(count: number): void {
    this.badge = count;
  }
}

function setup() {
  const i18n = new I18n("en", "UTC");
  const store = memoryStore();
  const view = new FakeView();
  const state = new ChatState();
  const line: { -readonly [K in keyof PanelLine]: PanelLine[K] } = { inbox: null, unavailable: false, status: "connecting" as ClientStatus, connected: false };
  const emitted: [string, unknown][] = [];
  const style = new Map<string, string>();
  let email = "";
  let offline = false;
  const panel = new Panel({
    i18n,
    store,
    view,
    cards: view,
    state,
    line,
    knownEmail: () => email,
    emit: (event, payload) => emitted.push([event, payload]),
    style: { setProperty: (name: string, value: string | null) => void style.set(name, value ?? ""), removeProperty: (name: string) => (style.delete(name), "") },
    offline: () => offline,
  });
  const online = (fields: Partial<InboxInfo> = {}) => {
    line.inbox = inbox(fields);
    line.status = "online";
    line.connected = true;
  };
  return { i18n, store, view, state, line, emitted, style, panel, online, setEmail: (value: string) => (email = value), setOffline: (value: boolean) => (offline = value) };
}

describe("widget panel: the header and the banners", () => {
  it("says what is going on, from connecting to who answers", () => {
    const t = setup();
    const subtitle = () => {
      t.panel.render();
      return t.view.header?.subtitle;
    };
    expect(subtitle()).toBe(t.i18n.t("connecting"));
    expect(t.view.header).toMatchObject({ title: t.i18n.t("title"), online: false });
    t.online();
    expect(subtitle()).toBe(t.i18n.t("onlineHint"));
    expect(t.view.header).toMatchObject({ title: "Acme", online: true, avatar: "A" });
    t.state.setConversation({ ...conversationOf(1), queue_position: 3 });
    expect(subtitle()).toBe(t.i18n.t("queue", { n: 3 }));
    t.state.setConversation({ ...conversationOf(1), assignee: { name: "Olga Smirnova" } });
    expect(subtitle()).toBe(t.i18n.t("assigned", { name: "Olga Smirnova" }));
    expect(t.view.header?.avatar).toBe("OS");
    t.line.unavailable = true;
    expect(subtitle()).toBe(t.i18n.t("unavailable"));
    expect(t.view.composer).toBe(false);
  });

  it("says when a closed team is back, and asks to leave a message meanwhile", () => {
    const t = setup();
    t.online({ online: false, open: false, next_open_at: "2026-11-26T09:00:00Z" });
    t.panel.render();
    const back = t.i18n.formatReopening(new Date("2026-11-26T09:00:00Z"));
    expect(t.view.header?.subtitle).toBe(back);
    expect(t.view.notice).toBe(t.i18n.t("closedNotice", { back }));
    t.online({ online: false });
    t.panel.render();
    expect(t.view.notice).toBe(t.i18n.t("awayNotice"));
  });

  it("shows a banner while offline or reconnecting, none while the REST fallback works", () => {
    const t = setup();
    t.online();
    t.panel.render();
    expect(t.view.banner).toBeNull();
    t.line.status = "offline";
    t.line.connected = false;
    t.panel.render();
    expect(t.view.banner).toBe(t.i18n.t("reconnecting"));
    t.line.connected = true;
    t.panel.render();
    expect(t.view.banner).toBeNull();
    t.setOffline(true);
    t.panel.render();
    expect(t.view.banner).toBe(t.i18n.t("offline"));
  });
});

describe("widget panel: forms and cards", () => {
  it("shows the pre-chat form before the first message, in place of the composer", () => {
    const t = setup();
    t.online({ prechat_fields: ["name", "email", "shoe size"] });
    t.panel.render();
    expect(t.view.prechat).toEqual(["name", "email"]);
    expect(t.view.composer).toBe(false);
    t.store.update({ prechatDone: true });
    t.panel.render();
    expect([t.view.prechat, t.view.composer]).toEqual([null, true]);
  });

  it("asks for a rating once the conversation is resolved, thanks after it, and asks afresh for the next", () => {
    const t = setup();
    t.online();
    t.state.setConversation(conversationOf(1, "resolved"));
    t.panel.render();
    expect([t.view.resolved, t.view.csat]).toEqual([true, "ask"]);
    t.panel.rated();
    t.panel.render();
    expect(t.view.csat).toBe("thanks");
    t.panel.conversationSwitched();
    t.store.update({ rated: 1 });
    t.panel.render();
    expect(t.view.csat).toBeNull();
  });

  it("asks for an email once the visitor has written while nobody is online, and shows the one it has", () => {
    const t = setup();
    t.online({ online: false });
    t.panel.render();
    expect(t.view.emailCard).toBeNull();
    t.state.add(visitorMessage(1, 1));
    t.panel.render();
    expect(t.view.emailCard).toEqual({ ask: true });
    t.setEmail("ann@example.com");
    t.online({ online: true });
    t.panel.render();
    expect(t.view.emailCard).toEqual({ saved: "ann@example.com" });
  });
});

describe("widget panel: open, badge, colour", () => {
  it("opens and closes once each, keeping it for the tab and telling the host page", () => {
    const t = setup();
    expect(t.panel.setOpen(true)).toBe(true);
    expect(t.panel.setOpen(true)).toBe(false);
    expect([t.view.open, t.store.panelOpen]).toEqual([true, true]);
    expect(t.panel.setOpen(false)).toBe(true);
    expect(t.store.panelOpen).toBe(false);
    expect(t.emitted).toEqual([["open", undefined], ["close", undefined]]);
  });

  it("counts unread replies on the badge while closed, telling the host page of each change", () => {
    const t = setup();
    t.online();
    t.panel.render();
    t.state.add(operatorMessage(1, 1));
    t.state.add(operatorMessage(2, 2));
    t.panel.render();
    t.panel.render();
    expect(t.view.badge).toBe(2);
    t.panel.setOpen(true);
    t.panel.render();
    expect(t.view.badge).toBe(0);
    expect(t.emitted.filter(([event]) => event === "unread")).toEqual([["unread", 0], ["unread", 2], ["unread", 0]]);
  });

  it("themes the panel with the inbox colour, kept for the next page; a bad one is dropped", () => {
    const t = setup();
    t.panel.sessionColor("#2563EB");
    expect(t.store.load().color).toBe("#2563eb");
    expect(Object.fromEntries(t.style)).toEqual({ "--hd-accent": "#2563eb", "--hd-accent-2": expect.any(String), "--hd-on-accent": "#ffffff" });
    t.panel.sessionColor("red; background: url(x)");
    expect(t.store.load().color).toBeUndefined();
    expect(t.style.size).toBe(0);
  });

  it("draws a send that waits without a connection again, so it can turn failed", () => {
    const t = setup();
    t.state.queue("c1", "hello", Date.now());
    t.panel.render();
    const renders = t.view.renders;
    vi.advanceTimersByTime(STALE_MS / 3);
    expect(t.view.renders).toBe(renders + 1);
  });
});

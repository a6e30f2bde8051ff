/**
 * The tag a site embeds (contract section 2):
 *   <script src="https://HELPDESK/widget/v1/loader.js" data-inbox-key="KEY" async></script>
 * It stays tiny: it draws the launcher inside a shadow root, offers `window.HelpdeskWidget`,
 * and loads widget.js (the panel, the protocol client) on first open or when the page is idle.
 * Calls made before widget.js arrives are queued and replayed to it.
 */
import type { Boot, IdentifyData, PublicApi, WidgetFactory, WidgetHandle } from "./boot";
import { adoptCss, icon, ICON_CHAT, ICON_CLOSE } from "./css";
import { LAUNCHER_CSS } from "./launcher-css";
import { LAUNCHER_STRINGS } from "./launcher-strings";
import { embedLocale } from "./locale";
import { browserStorage, storageKey } from "./storage";

type Handler = (payload: unknown) => void;
type Call = [keyof WidgetHandle, IdentifyData?];

(() => {
  const win = window as unknown as { HelpdeskWidget?: PublicApi };
  if (win.HelpdeskWidget && win.HelpdeskWidget.version) return; // embedded twice
  const script = (document.currentScript ?? document.querySelector("script[data-inbox-key]")) as HTMLScriptElement | null;
  const inboxKey = script?.dataset.inboxKey;
  if (!script || !inboxKey) return;
  const data = script.dataset;
  const locale = embedLocale(data.locale, navigator);
  const strings = LAUNCHER_STRINGS[locale];
  const handlers: Record<string, Handler[]> = {};
  const queue: Call[] = [];
  let widget: WidgetHandle | null = null;
  let loading = false;
  let boot: Boot | null = null;

  const config = {
    origin: new URL(script.src).origin,
    widgetUrl: new URL("widget.js", script.src).href,
    inboxKey,
    locale,
    identity:
      data.externalId && data.hash
        ? { external_id: data.externalId, hash: data.hash, name: data.name ?? "", email: data.email ?? "" }
        : null,
  };

  const load = () => {
    if (loading) return;
    loading = true;
    const tag = document.createElement("script");
    tag.src = config.widgetUrl;
    tag.async = true;
    if (script.nonce) tag.nonce = script.nonce;
    (document.head || document.documentElement).appendChild(tag);
  };

  const call = (name: keyof WidgetHandle, arg?: IdentifyData) => {
    if (widget) widget[name](arg as IdentifyData);
    else {
      queue.push([name, arg]);
      load();
    }
  };

  const api: PublicApi = {
    version: "1",
    open: () => call("open"),
    close: () => call("close"),
    identify: (fields) => call("identify", fields),
    on(event, handler) {
      if (typeof handler === "function") (handlers[event] ||= []).push(handler);
      return api;
    },
    off(event, handler) {
      handlers[event] = (handlers[event] || []).filter((h) => h !== handler);
      return api;
    },
    _attach(factory: WidgetFactory) {
      if (widget || !boot) return;
      widget = factory(boot);
      for (const [name, arg] of queue.splice(0)) widget[name](arg as IdentifyData);
    },
  };
  win.HelpdeskWidget = api;

  const mount = () => {
    const host = document.createElement("div");
    host.setAttribute("data-helpdesk-widget", "");
    const root = host.attachShadow({ mode: "open" });
    adoptCss(root, LAUNCHER_CSS);
    const frame = document.createElement("div");
    frame.className = "hd";
    let saved: { color?: unknown } = {};
    try {
      saved = JSON.parse(browserStorage()?.getItem(storageKey(inboxKey)) || "{}");
    } catch {
      /* no saved colour */
    }
    if (typeof saved.color === "string" && /^#[0-9a-f]{6}$/i.test(saved.color)) {
      frame.style.setProperty("--hd-accent", saved.color);
    }
    const launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-label", strings.open);
    launcher.setAttribute("aria-expanded", "false");
    launcher.append(icon(document, ICON_CHAT, "i-chat"), icon(document, ICON_CLOSE, "i-close"));
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    launcher.appendChild(badge);
    launcher.addEventListener("click", () => (widget ? widget.toggle() : call("open")));
    launcher.addEventListener("pointerenter", load, { once: true });
    launcher.addEventListener("focus", load, { once: true });
    frame.appendChild(launcher);
    root.appendChild(frame);
    (document.body || document.documentElement).appendChild(host);
    boot = {
      config,
      root,
      frame,
      launcher,
      badge,
      emit(event, payload) {
        for (const handler of handlers[event] || []) {
          try {
            handler(payload);
          } catch (error) {
            setTimeout(() => {
              throw error; // reported like any page error, without stopping the widget
            });
          }
        }
      },
    };
    const idle = (window as { requestIdleCallback?: (fn: () => void, options: { timeout: number }) => void }).requestIdleCallback;
    if (idle) idle(load, { timeout: 3000 });
    else setTimeout(load, 1500);
  };

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();

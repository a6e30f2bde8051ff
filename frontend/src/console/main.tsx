/** The console's entry point: reads the bootstrap data block of templates/console.html,
 * builds the store, the API client and the controller, and renders the app. */

import { render } from "preact";

import { Alerts } from "./alerts";
import { Api, csrfFromCookie } from "./api";
import { Controller } from "./controller";
import { Drafts } from "./drafts";
import { detectLocale, getLocale, setLocale } from "./i18n";
import { storedLocale } from "./navigation";
import { localStorageOrNull, readDataBlock } from "../shared/page";
import { ConsoleStore } from "./store";
import type { ConsoleConfig } from "./types";
import { App } from "./views/App";

function boot(): void {
  const config = readDataBlock<ConsoleConfig>("console-config");
  const storage = localStorageOrNull();
  setLocale(detectLocale(navigator.languages ?? [navigator.language], storedLocale(storage)));
  document.documentElement.lang = getLocale();
  const store = new ConsoleStore(config.me, config.operators, config.teams);
  store.pageVisible = !document.hidden;
  const api = new Api({
    base: config.urls.api,
    csrfToken: () => csrfFromCookie(document.cookie) ?? config.csrf_token,
    language: () => getLocale(),
    onUnauthenticated: () => location.assign(`/login/?next=${encodeURIComponent(location.pathname + location.hash)}`),
  });
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const controller = new Controller({
    config,
    store,
    api,
    drafts: new Drafts(config.me.id, storage),
    alerts: new Alerts(),
    socketUrl: `${scheme}//${location.host}${config.urls.socket}`,
    storage,
  });
  const root = document.getElementById("console-root");
  if (!root) throw new Error("console-root is missing");
  root.textContent = "";
  render(<App controller={controller} />, root);
  controller.start();
}

boot();

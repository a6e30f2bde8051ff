/** The console: four columns (folders, list, conversation, contact), or the folders and a
 * channel's posts (Posts.tsx) or, for admins, the webhooks (Webhooks.tsx), both in the same
 * two-column frame; a connection banner, toasts, keyboard shortcuts and the shortcuts overlay.
 * Re-renders once per animation frame at most, however many frames arrive. */

import { useEffect, useState } from "preact/hooks";

import type { Controller } from "../controller";
import { t } from "../i18n";
import { shortcutFor, SHORTCUT_HELP } from "../shortcuts";
import { ContactPane } from "./ContactPane";
import { ControllerContext, useController } from "./context";
import { ConversationPane } from "./ConversationPane";
import { CloseIcon } from "./icons";
import { ListPane } from "./ListPane";
import { PostsView } from "./Posts";
import { Sidebar } from "./Sidebar";
import { WebhooksView } from "./Webhooks";

function ConnectionBanner() {
  const { store } = useController();
  if (store.connection === "online" || (store.connection === "connecting" && !store.welcomed)) return null;
  const text =
    store.connection === "unauthorized"
      ? t(store.noAccess ? "connection.noAccess" : "connection.unauthorized")
      : store.connection === "connecting" ? t("connection.connecting") : t("connection.offline");
  return (
    <div class="connection-banner" role="status" data-testid="connection-banner">
      {text}
    </div>
  );
}

function Toasts() {
  const controller = useController();
  return (
    <div class="toasts" aria-live="assertive">
      {controller.store.toasts.map((toast) => (
        <div key={toast.id} class={`toast toast-${toast.kind}`} role={toast.kind === "error" ? "alert" : "status"}>
          <span>{toast.text}</span>
          <button type="button" class="icon-button small" aria-label={t("app.close")} onClick={() => controller.navigation.dismissToast(toast.id)}>
            <CloseIcon size={13} />
          </button>
        </div>
      ))}
    </div>
  );
}

function ShortcutsHelp() {
  const controller = useController();
  return (
    <div class="overlay" onClick={() => controller.navigation.toggleHelp(false)}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={t("app.shortcuts")} data-testid="shortcuts-help" onClick={(event) => event.stopPropagation()}>
        <header>
          <h2>{t("app.shortcuts")}</h2>
          <button type="button" class="icon-button" aria-label={t("app.close")} onClick={() => controller.navigation.toggleHelp(false)}>
            <CloseIcon />
          </button>
        </header>
        <dl class="shortcut-list">
          {SHORTCUT_HELP.map((item) => (
            <div key={item.label}>
              <dt>
                {item.keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </dt>
              <dd>{t(item.label)}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.closest("input, textarea, select, [contenteditable='true']") !== null;
}

/** Input that shows the operator is at the console (the idle watch). */
const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;

export function App({ controller }: { controller: Controller }) {
  const { store } = controller;
  const [, setVersion] = useState(0);

  useEffect(() => {
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      setVersion(store.version);
    };
    const unsubscribe = store.subscribe(() => {
      if (scheduled) return;
      scheduled = true;
      // A hidden tab gets no animation frames, but its title (the unread count) must update.
      if (document.hidden) setTimeout(flush, 200);
      else requestAnimationFrame(flush);
    });
    const tick = setInterval(() => {
      if (store.tick(Date.now()) || !document.hidden) store.changed();
    }, 15_000);
    const typingSweep = setInterval(() => {
      if (store.tick(Date.now())) store.changed();
    }, 2000);
    return () => {
      unsubscribe();
      clearInterval(tick);
      clearInterval(typingSweep);
    };
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event, isTextField(event.target));
      if (!action) return;
      if (action === "escape") {
        if (controller.navigation.helpOpen) controller.navigation.toggleHelp(false);
        return;
      }
      // The Posts and Webhooks views show no conversation: only the help is at hand there.
      if (store.view !== "conversations" && action !== "help") return;
      event.preventDefault();
      switch (action) {
        case "next":
          controller.navigation.move(1);
          break;
        case "previous":
          controller.navigation.move(-1);
          break;
        case "focusComposer":
          controller.composer.requestFocus("reply");
          break;
        case "focusNote":
          controller.composer.requestFocus("note");
          break;
        case "resolve":
          void controller.actions.toggleResolved();
          break;
        case "search":
          controller.navigation.focusSearch();
          break;
        case "help":
          controller.navigation.toggleHelp();
          break;
      }
    };
    const unlock = () => controller.alerts.unlock();
    const onVisibility = () => controller.setPageVisible(!document.hidden);
    const onInput = () => controller.idle.activity();
    for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { passive: true, capture: true });
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", unlock, { passive: true });
    window.addEventListener("keydown", unlock, { passive: true });
    document.addEventListener("visibilitychange", onVisibility);
    const onOnline = () => controller.client.reconnectNow();
    window.addEventListener("online", onOnline);
    return () => {
      for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
      controller.idle.stop();
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", unlock);
      window.removeEventListener("keydown", unlock);
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("online", onOnline);
    };
  }, []);

  useEffect(() => controller.navigation.updateTitle());

  return (
    <ControllerContext.Provider value={controller}>
      <div class={`console${store.view !== "conversations" ? " posts-mode" : store.selected !== null ? " has-selection" : ""}`}>
        <ConnectionBanner />
        <Sidebar />
        {store.view === "posts" ? (
          <PostsView />
        ) : store.view === "webhooks" ? (
          <WebhooksView />
        ) : (
          <>
            <ListPane />
            <ConversationPane />
            <ContactPane />
          </>
        )}
        <Toasts />
        {controller.navigation.helpOpen ? <ShortcutsHelp /> : null}
      </div>
    </ControllerContext.Provider>
  );
}

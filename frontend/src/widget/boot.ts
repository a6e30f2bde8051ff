/** What the loader hands to the widget when widget.js arrives (the only coupling of the two). */
import type { Identity } from "./api";
import type { Locale } from "./locale";

export interface EmbedConfig {
  /** The helpdesk's origin (where loader.js came from): REST and websocket go there. */
  origin: string;
  /** The URL of widget.js, next to loader.js. */
  widgetUrl: string;
  inboxKey: string;
  locale: Locale;
  identity: Identity | null;
}

export interface IdentifyData {
  external_id?: string;
  hash?: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface Boot {
  config: EmbedConfig;
  /** The open shadow root every element of the widget lives in. */
  root: ShadowRoot;
  /** The wrapper inside the shadow root (theme variables are set on it). */
  frame: HTMLElement;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  /** Calls the host page's `on(event, fn)` handlers. */
  emit(event: string, payload?: unknown): void;
}

export interface WidgetHandle {
  open(): void;
  close(): void;
  toggle(): void;
  identify(data: IdentifyData): void;
}

export type WidgetFactory = (boot: Boot) => WidgetHandle;

/** `window.HelpdeskWidget`, the host page's API (contract section 2), plus the hand-over. */
export interface PublicApi {
  open(): void;
  close(): void;
  identify(data: IdentifyData): void;
  on(event: string, handler: (payload: unknown) => void): PublicApi;
  off(event: string, handler: (payload: unknown) => void): PublicApi;
  readonly version: string;
  /** Called by widget.js once loaded. */
  _attach(factory: WidgetFactory): void;
}

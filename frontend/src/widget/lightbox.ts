/**
 * An image at full size over the panel (inside the shadow root, like everything of the widget):
 * a modal dialog that Escape, its close button or a click outside the image closes, after which
 * the focus goes back to the preview that opened it. Its keys stay in it (Escape closes the
 * image, not the panel).
 */
import { icon, ICON_CLOSE } from "./css";
import { el } from "./dom";
import type { I18n } from "./i18n";

export class Lightbox {
  readonly root = el("div", "lightbox");
  private readonly image = el("img");
  private readonly caption = el("figcaption");
  private readonly closeButton = el("button", "lb-close", icon(document, ICON_CLOSE));
  private opener: HTMLElement | null = null;

  constructor(i18n: I18n) {
    const figure = el("figure", "lb-figure", this.image, this.caption);
    figure.addEventListener("click", (event) => event.stopPropagation());
    this.closeButton.type = "button";
    this.closeButton.setAttribute("aria-label", i18n.t("closeImage"));
    this.closeButton.addEventListener("click", (event) => {
      event.stopPropagation();
      this.close();
    });
    this.root.hidden = true;
    this.root.setAttribute("role", "dialog");
    this.root.setAttribute("aria-modal", "true");
    this.root.append(this.closeButton, figure);
    this.root.addEventListener("click", () => this.close());
    this.root.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      } else if (event.key === "Tab") {
        event.preventDefault(); // the close button is all there is to focus
        this.closeButton.focus();
      }
    });
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  open(href: string, name: string, opener: HTMLElement): void {
    this.opener = opener;
    this.image.src = href;
    this.image.alt = name;
    this.caption.textContent = name;
    this.root.setAttribute("aria-label", name);
    this.root.hidden = false;
    this.closeButton.focus({ preventScroll: true });
  }

  close(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.image.removeAttribute("src");
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected) opener.focus({ preventScroll: true });
  }
}

/** Styles into a shadow root, never into the page: a constructable stylesheet where the browser
 * has them (allowed by a host page's strict CSP), a <style> inside the shadow root otherwise. */
export function adoptCss(root: ShadowRoot, text: string): void {
  try {
    if ("adoptedStyleSheets" in root && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    }
  } catch {
    /* fall through to <style> */
  }
  const style = root.ownerDocument.createElement("style");
  style.textContent = text;
  root.appendChild(style);
}

const SVG = "http://www.w3.org/2000/svg";

/** A 24×24 icon from one path (built as elements, decorative: hidden from screen readers). */
export function icon(doc: Document, path: string, className = ""): SVGSVGElement {
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  if (className) svg.setAttribute("class", className);
  const shape = doc.createElementNS(SVG, "path");
  shape.setAttribute("d", path);
  svg.appendChild(shape);
  return svg;
}

export const ICON_CHAT =
  "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM7 9h10v2H7V9zm7 5H7v-2h7v2zm3-6H7V6h10v2z";
export const ICON_CLOSE =
  "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";
export const ICON_SEND = "M3.4 20.4 20.85 12.9a1 1 0 0 0 0-1.8L3.4 3.6a.99.99 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z";
export const ICON_DOWN = "M7.41 8.59 12 13.17l4.59-4.58L18 10l-6 6-6-6 1.41-1.41z";

/** The host element and the launcher. `:host` rules are `!important` so that the host page's
 * rules, even `* { all: unset; display: none !important }`, lose to them (for important
 * declarations the shadow tree's context wins). No rem units: they follow the page's root. */
export const LAUNCHER_CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;inset:auto 0 0 auto!important;width:0!important;height:0!important;margin:0!important;padding:0!important;border:0!important;z-index:2147483000!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;clip-path:none!important;pointer-events:auto!important;overflow:visible!important}
.hd{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;color:#1b1f24;-webkit-font-smoothing:antialiased;text-align:left;direction:ltr}
.hd *,.hd *::before,.hd *::after{box-sizing:border-box}
.launcher{all:unset;box-sizing:border-box;position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;background:var(--hd-accent,#2563eb);color:var(--hd-on-accent,#fff);box-shadow:0 6px 20px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.12);cursor:pointer;display:flex;align-items:center;justify-content:center;transition:transform .16s ease,box-shadow .16s ease}
.launcher:hover{transform:scale(1.06);box-shadow:0 8px 26px rgba(15,23,42,.26),0 2px 6px rgba(15,23,42,.12)}
.launcher:focus-visible{outline:3px solid var(--hd-accent,#2563eb);outline-offset:3px}
.launcher svg{width:28px;height:28px;fill:currentColor;transition:transform .2s ease}
.launcher .i-close{display:none}
.launcher[aria-expanded=true] .i-chat{display:none}
.launcher[aria-expanded=true] .i-close{display:block;transform:rotate(90deg)}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#d92d20;color:#fff;border:2px solid #fff;font:700 12px/18px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;text-align:center}
.badge[hidden]{display:none}
@media (prefers-reduced-motion:reduce){.hd *{animation:none!important;transition:none!important}}
`;

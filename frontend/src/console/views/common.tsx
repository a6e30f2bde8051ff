/** Pieces used across the panes: avatars, presence dots, pop-overs, message bodies. */

import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

import { LINK_REL, LINK_TARGET } from "../../shared/linkify";
import { colorIndex, initials } from "../format";
import { t } from "../i18n";
import { bodySegments } from "../mentions";

export function Avatar({ name, seed, size = "md", status }: { name: string; seed: number | string; size?: "sm" | "md" | "lg"; status?: string }) {
  return (
    <span class={`avatar avatar-${size} avatar-c${colorIndex(seed)}`} aria-hidden="true">
      {initials(name)}
      {status ? <span class={`presence-dot presence-${status}`} /> : null}
    </span>
  );
}

export function PresenceDot({ status }: { status: string }) {
  const label = status === "online" ? t("presence.online") : status === "away" ? t("presence.away") : t("presence.offline");
  return <span class={`presence-dot inline presence-${status}`} title={label} role="img" aria-label={label} />;
}

/** A message body: text as text nodes, links and mentions as elements built here. */
export function Body({ text, mentions }: { text: string; mentions?: Set<string> }) {
  const parts = bodySegments(text, mentions);
  return (
    <>
      {parts.map((part, index) => {
        if (part.kind === "link") {
          return (
            <a key={index} href={part.href} target={LINK_TARGET} rel={LINK_REL}>
              {part.text}
            </a>
          );
        }
        if (part.kind === "mention") {
          return (
            <span key={index} class="mention">
              {part.text}
            </span>
          );
        }
        return part.text;
      })}
    </>
  );
}

/** A pop-over panel that closes on a click outside it or on Escape. */
export function Popover({ onClose, children, class: className = "", label }: { onClose: () => void; children: ComponentChildren; class?: string; label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onPointer = (event: MouseEvent) => {
      const node = ref.current;
      const trigger = node?.parentElement;
      if (node && trigger && !trigger.contains(event.target as Node)) onClose();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        onClose();
      }
    };
    document.addEventListener("mousedown", onPointer);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("mousedown", onPointer);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [onClose]);
  return (
    <div ref={ref} class={`popover ${className}`} role="dialog" aria-label={label}>
      {children}
    </div>
  );
}

export function Empty({ title, hint, icon }: { title: string; hint?: string; icon?: JSX.Element }) {
  return (
    <div class="empty">
      {icon ? <div class="empty-icon">{icon}</div> : null}
      <div class="empty-title">{title}</div>
      {hint ? <div class="empty-hint">{hint}</div> : null}
    </div>
  );
}

export function StatusPill({ status }: { status: string }) {
  const label = status === "open" ? t("status.open") : status === "pending" ? t("status.pending") : t("status.resolved");
  return <span class={`pill pill-${status}`}>{label}</span>;
}

export function PriorityMark({ priority }: { priority: string }) {
  if (priority === "none") return null;
  const label =
    priority === "urgent" ? t("priority.urgent") : priority === "high" ? t("priority.high") : priority === "medium" ? t("priority.medium") : t("priority.low");
  return (
    <span class={`priority priority-${priority}`} title={`${t("priority.label")}: ${label}`}>
      {label}
    </span>
  );
}

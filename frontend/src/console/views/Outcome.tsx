/** How a conversation ended: the outcome chosen in the resolve menu (one click; a sale asks its
 * amount), the labels beside it, and the marks the header and the contact's history show (the
 * outcome, the sale's amount, the visitor's rating). */

import { useState } from "preact/hooks";

import { type Key, formatMoney, t } from "../i18n";
import { type Conversation, type Csat, OUTCOMES, type Outcome } from "../types";
import { Labels } from "./Labels";
import { useController } from "./context";
import { CheckIcon, StarIcon } from "./icons";

const AMOUNT = /^[0-9]{1,12}(\.[0-9]{1,2})?$/;

function outcomeLabel(outcome: Outcome): string {
  return t(`outcome.${outcome}` as Key);
}

/** The resolve menu's outcome section: resolves with the outcome clicked, or, once resolved,
 * replaces the outcome of that resolve. */
export function OutcomeChoices({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const controller = useController();
  const [selling, setSelling] = useState(false);
  const [amount, setAmount] = useState(conversation.sale_amount ?? "");
  const [invalid, setInvalid] = useState(false);
  const resolved = conversation.status === "resolved";
  const choose = async (outcome: Outcome, saleAmount?: string) => {
    const done = await controller.actions.resolveAs(conversation.id, saleAmount === undefined ? { outcome } : { outcome, sale_amount: saleAmount });
    if (done) onDone();
  };
  const sell = () => {
    const value = amount.trim().replace(",", ".");
    if (!AMOUNT.test(value)) {
      setInvalid(true);
      return;
    }
    void choose("sale", value);
  };
  return (
    <div class="outcome-choices" data-testid="outcome-choices">
      <div class="popover-title">{resolved ? t("outcome.change") : t("outcome.resolveAs")}</div>
      {OUTCOMES.map((outcome) => (
        <button
          type="button"
          key={outcome}
          class={`popover-item${conversation.outcome === outcome ? " selected" : ""}`}
          data-testid={`outcome-${outcome}`}
          aria-expanded={outcome === "sale" ? selling : undefined}
          onClick={() => (outcome === "sale" ? setSelling(!selling) : void choose(outcome))}
        >
          <span class="grow">{outcomeLabel(outcome)}</span>
          {conversation.outcome === outcome ? <CheckIcon size={14} /> : null}
        </button>
      ))}
      {selling ? (
        <form
          class="sale-form"
          onSubmit={(event) => {
            event.preventDefault();
            sell();
          }}
        >
          <label class="field-label" for="sale-amount">
            {t("outcome.amount")}
          </label>
          <input
            id="sale-amount"
            class="input"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            maxLength={16}
            aria-invalid={invalid}
            aria-describedby={invalid ? "sale-amount-error" : undefined}
            data-testid="sale-amount"
            onInput={(event) => {
              setAmount(event.currentTarget.value);
              setInvalid(false);
            }}
            autoFocus
          />
          {invalid ? (
            <div id="sale-amount-error" class="field-error" role="alert">
              {t("outcome.amountInvalid")}
            </div>
          ) : null}
          <button type="submit" class="button button-success" data-testid="sale-save">
            {t("outcome.saveSale")}
          </button>
        </form>
      ) : null}
      <div class="popover-title">{t("outcome.labels")}</div>
      <Labels conversation={conversation} listId="resolve-label-suggestions" />
    </div>
  );
}

/** The outcome of the last resolve (and the sale's amount), where there is one. */
export function OutcomeMark({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  if (!conversation.outcome) return null;
  const currency = controller.config.currency ?? "RUB";
  const amount = conversation.outcome === "sale" && conversation.sale_amount ? ` · ${formatMoney(conversation.sale_amount, currency)}` : "";
  return (
    <span class={`outcome outcome-${conversation.outcome}`} data-testid="outcome-mark" title={t("outcome.title")}>
      {outcomeLabel(conversation.outcome)}
      {amount}
    </span>
  );
}

/** The visitor's rating: stars, with the comment on hover and for screen readers. */
export function CsatMark({ csat }: { csat: Csat | null | undefined }) {
  if (!csat) return null;
  const label = csat.comment ? t("csat.withComment", { rating: csat.rating, comment: csat.comment }) : t("csat.label", { rating: csat.rating });
  return (
    <span class={`csat csat-${csat.rating >= 4 ? "good" : csat.rating <= 2 ? "bad" : "fair"}`} data-testid="csat-mark" title={label} aria-label={label} role="img">
      <StarIcon size={12} />
      {csat.rating}
    </span>
  );
}

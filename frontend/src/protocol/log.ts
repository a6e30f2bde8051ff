/**
 * One conversation's messages as a client knows them: deduplicated by id (a known id may
 * replace its message: an update), ordered by seq, with the watermark `lastSeq` below which
 * nothing is missing.
 *
 * A visitor never sees private notes, so their seqs leave gaps. A gap is first a suspicion (a
 * live frame may have been dropped); `settleThrough(seq)` records that the server was asked and
 * whatever is still missing up to `seq` was a note.
 */

import type { Attachment } from "../shared/attachments";

export interface Author {
  kind: "visitor" | "operator" | "bot" | "system";
  id: number | null;
  name: string;
}

export interface Message {
  id: number;
  conversation: number;
  seq: number;
  author: Author;
  body: string;
  private: boolean;
  attachments: Attachment[];
  client_id: string | null;
  created_at: string;
  /** When its author changed it in their channel (a Telegram edit); operators' objects only. */
  edited_at?: string | null;
  /** Removed from the Telegram group it was posted in (operators still see it, marked). */
  hidden?: boolean;
  /** An operator's reply that leaves through a channel (Telegram): how far it got. */
  delivery?: Delivery | null;
  /** Why its delivery failed. */
  delivery_error?: string | null;
}

export type Delivery = "pending" | "sent" | "failed";

export class ConversationLog {
  readonly conversation: number;
  private bySeq = new Map<number, Message>();
  private ids = new Set<number>();
  private watermark: number;

  constructor(conversation: number, lastSeq = 0) {
    this.conversation = conversation;
    this.watermark = lastSeq;
  }

  /** The highest seq with nothing unknown below it: what `hello` and `after_seq` resume from. */
  get lastSeq(): number {
    return this.watermark;
  }

  /** The highest seq seen at all. */
  get highestSeq(): number {
    let highest = this.watermark;
    for (const seq of this.bySeq.keys()) highest = Math.max(highest, seq);
    return highest;
  }

  /** Adds a message; answers false for one already known (a duplicate delivery). */
  add(message: Message): boolean {
    if (message.conversation !== this.conversation) return false;
    if (this.ids.has(message.id)) return false;
    this.ids.add(message.id);
    this.bySeq.set(message.seq, message);
    this.advance();
    return true;
  }

  /** A message already known (by id) has changed (its delivery moved on, it was edited or
   * hidden): it takes the old one's place, at the old one's seq. Answers false for one not known
   * (`add` is for those) or of another conversation. */
  replace(message: Message): boolean {
    if (message.conversation !== this.conversation || !this.ids.has(message.id)) return false;
    for (const [seq, known] of this.bySeq) {
      if (known.id !== message.id) continue;
      this.bySeq.set(seq, seq === message.seq ? message : { ...message, seq });
      return true;
    }
    return false;
  }

  /** True when a seq above the watermark is known but one between is not. */
  get hasGap(): boolean {
    return this.highestSeq > this.watermark;
  }

  /** The server answered everything up to `seq`: what is still missing there was a note. */
  settleThrough(seq: number): void {
    if (seq > this.watermark) this.watermark = seq;
    this.advance();
  }

  messages(): Message[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  private advance(): void {
    while (this.bySeq.has(this.watermark + 1)) this.watermark += 1;
  }
}

/**
 * One conversation's messages as a client knows them: deduplicated by id, ordered by seq,
 * with the watermark `lastSeq` below which nothing is missing.
 *
 * A visitor never sees private notes, so their seqs leave gaps. A gap is first a suspicion (a
 * live frame may have been dropped); `settleThrough(seq)` records that the server was asked and
 * whatever is still missing up to `seq` was a note.
 */

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
  attachments: unknown[];
  client_id: string | null;
  created_at: string;
}

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

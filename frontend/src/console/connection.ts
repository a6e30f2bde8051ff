/**
 * The console's socket: the shared protocol client on /ws/console/v1/ (the session cookie
 * authenticates), its status in the store, the idle watch's frames (and `hello` says so when a
 * console reconnects while idle, so that it does not make its operator online), a 4401
 * refusal, and the frames into the store (frames.ts), whose effects the controller performs;
 * an error frame becomes a toast.
 */

import { type Frame, ProtocolClient, type SocketLike } from "../protocol/client";
import type { Effect } from "./frames";
import { IdleWatch } from "./idle";
import type { ConsoleStore } from "./store";

export interface ConnectionDeps {
  socketUrl: string;
  store: ConsoleStore;
  /** Asks the server who the operator is: an ended session goes to the login page (the API
   * client does that on its 401), so an answer means the session is valid. */
  me(): Promise<unknown>;
  toast(text: string, kind: "error" | "info"): void;
  run(effects: Effect[]): void;
  /** Tests pass a fake socket. */
  socketFactory?: (url: string) => SocketLike;
}

export class ConsoleConnection {
  readonly client: ProtocolClient;
  /** Tells the server when this console goes idle and when it is used again. */
  readonly idle: IdleWatch;

  constructor(private readonly deps: ConnectionDeps) {
    const { store } = deps;
    this.idle = new IdleWatch((idle) => this.client.send({ type: "idle", idle }), !store.pageVisible);
    this.client = new ProtocolClient({
      url: deps.socketUrl,
      socketFactory: deps.socketFactory,
      // a console reconnecting while idle must not make its operator online
      hello: () => (this.idle.idle ? { type: "hello", idle: true } : { type: "hello" }),
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => {
        store.setConnection(status);
        if (status === "unauthorized") this.signInAgain();
      },
    });
  }

  onFrame(frame: Frame): void {
    if (frame.type === "error") {
      if (typeof frame.message === "string" && frame.code !== "rate_limited") this.deps.toast(frame.message, "error");
      return;
    }
    this.deps.run(this.deps.store.applyFrame(frame));
  }

  /** A read mark, over the socket (unacknowledged). */
  markRead(conversation: number, seq: number): void {
    this.client.send({ type: "read", conversation, seq });
  }

  /** The socket was closed for good (4401): an ended session goes back to the login page; a
   * valid one has no inbox to work in. */
  private signInAgain(): void {
    this.deps.me().then(
      () => {
        this.deps.store.noAccess = true;
        this.deps.store.changed();
      },
      () => undefined,
    );
  }
}

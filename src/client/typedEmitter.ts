import { EventEmitter } from 'node:events';

/** An EventEmitter whose event names and payloads are checked against a map type. */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many listeners (a CLI, an extension view, tests) is normal; the default warning at 10 is noise.
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.emitter.on(name, listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.emitter.once(name, listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void): this {
    this.emitter.off(name, listener);
    return this;
  }

  protected emit<K extends keyof Events & string>(name: K, payload: Events[K]): void {
    // Node throws on an 'error' event nobody listens to; ours are reports, not exceptions.
    if (name === 'error' && this.emitter.listenerCount(name) === 0) return;
    this.emitter.emit(name, payload);
  }
}

/**
 * The base class of every tiepdan element (as Shoelace's `ShoelaceElement`), for what each of them used to
 * repeat: the server's address, the language it speaks and its words in it, and the one event convention
 * (`tiepdan-*`, bubbling, composed; see events.ts). A failed call is told to the page by failure.ts's
 * `reportFailure`, a function rather than a method so the elements that never call it (the room) do not carry it.
 * `unit` stays on the elements that take one (registration, lookup, schedule, schedule-editor): here it would
 * add an attribute to the seven that do not.
 */
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { Lang } from '@tiepdan/core';
import { emit, type TiepdanEventDetails, type TiepdanEventName } from './events.js';
import { resolveLang } from './lang.js';
import { VERSION } from './version.js';

/**
 * An element's words: its table in a language. A table that downloads a language on demand (shared/strings.ts)
 * also has `load`, which returns a promise while that language is on its way and undefined once it is here.
 */
export type WordsTable<S> = ((lang: Lang) => S) & { load?: (lang: Lang) => Promise<unknown> | undefined };

export abstract class TiepdanElement<S = unknown> extends LitElement {
  /** Compared by `define` when a page loads two copies of the script. */
  static readonly version = VERSION;

  @property() server = '';
  /** Mirrors the `lang` attribute so a change re-renders; without a valid own value the closest ancestor's decides. */
  @property({ attribute: 'lang' }) language: string | undefined;

  /** The element's words table (its strings.ts), looked up in the language it speaks. */
  protected abstract readonly strings: WordsTable<S>;

  /** The language this element speaks: its own `lang`, else the closest ancestor's, else Vietnamese. */
  get speaks(): Lang {
    return this.language === 'en' || this.language === 'vi' ? this.language : resolveLang(this);
  }

  /** Its words in that language. */
  protected get s(): S {
    return this.strings(this.speaks);
  }

  /**
   * Holds an update while the words of the language it speaks are downloading, so the element renders once, in
   * that language (Lit's own hook for this; `updateComplete` waits for it too). A failed download renders the
   * Vietnamese fallback.
   */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const words = this.strings.load?.(this.speaks);
    if (!words) return super.scheduleUpdate();
    return words.then(() => super.scheduleUpdate());
  }

  protected emit<K extends TiepdanEventName>(name: K, detail: TiepdanEventDetails[K]): boolean {
    return emit(this, name, detail);
  }
}

import type { InlineKeyboardButtonJson, InlineKeyboardJson, KeyboardButtonJson, ReplyKeyboardJson } from '@botplatform/contracts';
import { CallbackDataTooLongError, fitsCallbackData } from '../routing/callback-data.js';

/**
 * Buttons under a message, built like grammY's: `new InlineKeyboard().text('Buy', buttons.encode('buy', id)).row()`.
 * Callback data is checked against Telegram's 64 bytes as each button is added.
 */
export class InlineKeyboard {
  private readonly rows: InlineKeyboardButtonJson[][] = [[]];

  /** A button that sends `data` back to this service when pressed. */
  text(label: string, data: string): this {
    if (!fitsCallbackData(data)) throw new CallbackDataTooLongError(data);
    return this.add({ text: label, callbackData: data });
  }

  url(label: string, url: string): this {
    return this.add({ text: label, url });
  }

  /** The pay button of an invoice; it must come first. */
  pay(label: string): this {
    return this.add({ text: label, pay: true });
  }

  row(): this {
    if (this.rows.at(-1)!.length > 0) this.rows.push([]);
    return this;
  }

  get isEmpty(): boolean {
    return this.rows.every((row) => row.length === 0);
  }

  toJson(): InlineKeyboardJson {
    return { rows: this.rows.filter((row) => row.length > 0).map((buttons) => ({ buttons })) };
  }

  private add(button: InlineKeyboardButtonJson): this {
    this.rows.at(-1)!.push(button);
    return this;
  }
}

/** Buttons in place of the member's keyboard: each sends its text as a message. */
export class ReplyKeyboard {
  private readonly rows: KeyboardButtonJson[][] = [[]];
  private oneTime = false;
  private resize = true;

  text(label: string): this {
    this.rows.at(-1)!.push({ text: label });
    return this;
  }

  /** A button that shares the member's phone number. */
  requestContact(label: string): this {
    this.rows.at(-1)!.push({ text: label, requestContact: true });
    return this;
  }

  row(): this {
    if (this.rows.at(-1)!.length > 0) this.rows.push([]);
    return this;
  }

  /** Hidden after the first press. */
  once(): this {
    this.oneTime = true;
    return this;
  }

  /** Keeps Telegram's full-height keyboard instead of fitting it to the buttons. */
  fullHeight(): this {
    this.resize = false;
    return this;
  }

  toJson(): ReplyKeyboardJson {
    return { rows: this.rows.filter((row) => row.length > 0).map((buttons) => ({ buttons })), oneTime: this.oneTime, resize: this.resize };
  }
}

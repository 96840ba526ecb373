import { describe, expect, it } from '@jest/globals';
import type { Message } from 'grammy/types';
import type { ConversationEvent } from './sandbox-events.js';
import { SandboxStore } from './sandbox-store.js';
import { copyWireObject } from './wire-objects.js';

function textMessage(messageId: number, chatId: number, text: string): Message {
  return {
    message_id: messageId,
    date: 1_764_600_000,
    chat: { id: chatId, type: 'private', first_name: 'Ann' },
    text,
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
  } as Message;
}

describe('SandboxStore', () => {
  it('tells a conversation listener only its conversation, and every-conversation listeners everything', () => {
    const store = new SandboxStore();
    const first = store.privateConversation(1, 100);
    const second = store.privateConversation(1, 200);
    const ofFirst: ConversationEvent[] = [];
    const ofAll: ConversationEvent[] = [];
    store.subscribeToConversation(first.key, (event) => ofFirst.push(event));
    store.subscribe((event) => ofAll.push(event));

    store.appendMessage(first, { kind: 'user', userId: 100 }, (id) => textMessage(id, 100, '/start'));
    store.appendMessage(second, { kind: 'user', userId: 200 }, (id) => textMessage(id, 200, '/start'));

    expect(ofFirst.map((event) => event.conversationKey)).toEqual([first.key]);
    expect(ofAll.map((event) => event.conversationKey)).toEqual([first.key, second.key]);
  });

  it('lets a conversation listener unsubscribe while the event is being told, without skipping the others', () => {
    const store = new SandboxStore();
    const conversation = store.privateConversation(1, 100);
    const told: string[] = [];
    const unsubscribeFirst = store.subscribeToConversation(conversation.key, () => {
      told.push('first');
      unsubscribeFirst();
    });
    store.subscribeToConversation(conversation.key, () => told.push('second'));

    store.appendMessage(conversation, { kind: 'user', userId: 100 }, (id) => textMessage(id, 100, 'one'));
    store.appendMessage(conversation, { kind: 'user', userId: 100 }, (id) => textMessage(id, 100, 'two'));

    expect(told).toEqual(['first', 'second', 'second']);
  });

  it('keeps the timeline copy of a sent message as it was when the stored one is edited', () => {
    const store = new SandboxStore();
    const conversation = store.privateConversation(1, 100);
    const stored = store.appendMessage(conversation, { kind: 'user', userId: 100 }, (id) => textMessage(id, 100, 'before'));

    stored.message.text = 'after';
    stored.message.entities![0].length = 5;
    store.markEdited(conversation, stored);

    expect(conversation.timeline.map((entry) => [entry.kind, entry.message.text, entry.message.entities?.[0].length])).toEqual([
      ['sent', 'before', 6],
      ['edited', 'after', 5],
    ]);
  });
});

describe('copyWireObject', () => {
  it('copies nested objects and arrays deeply and keeps the JSON values', () => {
    const original = { id: 1, ok: true, none: null, text: 'x', nested: { list: [1, { deep: 'y' }], empty: [] } };
    const copy = copyWireObject(original);

    expect(copy).toEqual(original);
    expect(copy.nested).not.toBe(original.nested);
    expect(copy.nested.list[1]).not.toBe(original.nested.list[1]);
    (copy.nested.list[1] as { deep: string }).deep = 'changed';
    expect(original.nested.list[1]).toEqual({ deep: 'y' });
  });
});

// The sandbox's web chat: pick a bot and a simulated user (or group), chat, press buttons, pay,
// block the bot. New bot messages arrive over Server-Sent Events; no framework, no build step.

const api = {
  async get(path) {
    const response = await fetch(`/sandbox/api${path}`);
    return readJson(response);
  },
  async post(path, body) {
    const response = await fetch(`/sandbox/api${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return readJson(response);
  },
};

async function readJson(response) {
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

const $ = (id) => document.getElementById(id);
const state = { world: null, botId: null, chatId: null, events: null, typingTimer: null, blocked: false };

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => (toast.hidden = true), 4000);
}

function formatStars(currency, amount) {
  // ★ rather than the ⭐ emoji: it renders even where no emoji font is installed (headless CI).
  return currency === 'XTR' ? `★ ${amount}` : `${(amount / 100).toFixed(2)} ${currency}`;
}

/** Renders text with Telegram entities (UTF-16 offsets, like JS strings) as DOM nodes. */
function renderEntities(text, entities = []) {
  const root = document.createDocumentFragment();
  const boundaries = new Set([0, text.length]);
  for (const entity of entities) {
    boundaries.add(entity.offset);
    boundaries.add(entity.offset + entity.length);
  }
  const points = [...boundaries].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i];
    const to = points[i + 1];
    let node = document.createTextNode(text.slice(from, to));
    const covering = entities.filter((entity) => entity.offset <= from && entity.offset + entity.length >= to);
    for (const entity of covering) node = wrapEntity(entity, node);
    root.append(node);
  }
  return root;
}

function wrapEntity(entity, inner) {
  const tags = {
    bold: 'b',
    italic: 'i',
    underline: 'u',
    strikethrough: 's',
    code: 'code',
    pre: 'pre',
    blockquote: 'blockquote',
    expandable_blockquote: 'blockquote',
  };
  if (tags[entity.type]) return el(tags[entity.type], {}, inner);
  if (entity.type === 'spoiler') return el('span', { class: 'spoiler' }, inner);
  if (entity.type === 'text_link') return el('a', { href: entity.url, target: '_blank', rel: 'noreferrer' }, inner);
  if (entity.type === 'url') return el('a', { href: inner.textContent, target: '_blank', rel: 'noreferrer' }, inner);
  return inner;
}

function renderMessage(view) {
  const { message, fromBot, hasInvoice } = view;
  const classes = ['message', fromBot ? 'from-bot' : 'from-user'];
  const body = [];

  if (message.successful_payment) {
    const payment = message.successful_payment;
    classes.push('service');
    body.push(
      el('span', {
        text:
          `Payment of ${formatStars(payment.currency, payment.total_amount)} for "${payment.invoice_payload}" succeeded` +
          (payment.is_recurring && !payment.is_first_recurring ? ' (subscription renewal)' : ''),
      }),
    );
  } else if (message.refunded_payment) {
    classes.push('service');
    body.push(el('span', { text: `Refunded ${formatStars('XTR', message.refunded_payment.total_amount)}` }));
  } else if (message.invoice) {
    const invoice = message.invoice;
    body.push(
      el('div', { class: 'invoice', 'data-testid': 'invoice' }, [
        el('div', { class: 'title', text: invoice.title }),
        el('div', { text: invoice.description }),
        hasInvoice && fromBot
          ? el('button', {
              type: 'button',
              'data-testid': 'pay-button',
              text: `Pay ${formatStars(invoice.currency, invoice.total_amount)}`,
              onclick: () => pay(message.message_id),
            })
          : null,
      ]),
    );
  } else if (message.photo) {
    const largest = message.photo[message.photo.length - 1];
    body.push(el('img', { src: `/sandbox/api/file?bot=${state.botId}&file_id=${encodeURIComponent(largest.file_id)}`, alt: 'photo' }));
  } else if (message.document) {
    body.push(el('div', { text: `📎 ${message.document.file_name ?? 'document'}` }));
  }
  if (message.text !== undefined) body.push(el('div', { class: 'text', 'data-testid': 'message-text' }, renderEntities(message.text, message.entities)));
  if (message.caption) body.push(el('div', { class: 'text' }, renderEntities(message.caption, message.caption_entities)));

  const keyboard = message.reply_markup?.inline_keyboard;
  if (keyboard?.length) {
    body.push(
      el(
        'div',
        { class: 'inline-keyboard' },
        keyboard.map((row) =>
          el(
            'div',
            { class: 'row' },
            row.map((button) => {
              if (button.url) return el('a', { href: button.url, target: '_blank', rel: 'noreferrer', text: button.text });
              return el('button', { type: 'button', 'data-testid': 'inline-button', text: button.text, onclick: () => press(message.message_id, button) });
            }),
          ),
        ),
      ),
    );
  }
  const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  body.push(el('span', { class: 'meta', text: `${message.edit_date ? 'edited ' : ''}${time}` }));
  return el('li', { class: classes.join(' '), 'data-testid': fromBot ? 'bot-message' : 'user-message', 'data-message-id': message.message_id }, body);
}

function renderReplyKeyboard(markup) {
  const container = $('reply-keyboard');
  container.replaceChildren();
  container.hidden = !markup;
  if (!markup) return;
  for (const row of markup.keyboard) {
    container.append(
      el(
        'div',
        { class: 'row' },
        row.map((button) => {
          const text = typeof button === 'string' ? button : button.text;
          return el('button', { type: 'button', text, onclick: () => send(text) });
        }),
      ),
    );
  }
}

async function refreshConversation() {
  if (!state.botId || !state.chatId) return;
  const view = await api.get(`/conversation?bot=${state.botId}&chat=${state.chatId}`);
  const list = $('messages');
  list.replaceChildren(...view.messages.map(renderMessage));
  if (view.messages.length === 0) list.append(el('li', { class: 'empty', text: 'No messages yet. Say /start.' }));
  list.scrollTop = list.scrollHeight;
  renderReplyKeyboard(view.replyKeyboard);
  state.blocked = view.blocked;
  $('blocked-badge').hidden = !view.blocked;
  $('block-button').textContent = view.blocked ? 'Unblock bot' : 'Block bot';
  $('composer-input').disabled = view.blocked;
}

function listen() {
  state.events?.close();
  if (!state.botId || !state.chatId) return;
  const events = new EventSource(`/sandbox/api/events?bot=${state.botId}&chat=${state.chatId}`);
  events.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === 'chat_action') {
      $('typing').hidden = false;
      clearTimeout(state.typingTimer);
      // Telegram shows a chat action for about five seconds or until the next message.
      state.typingTimer = setTimeout(() => ($('typing').hidden = true), 5000);
      return;
    }
    if (data.type === 'message' && data.fromBot) $('typing').hidden = true;
    if (data.type === 'callback_answer') return;
    void refreshConversation();
  };
  state.events = events;
}

function currentChatLabel() {
  const bot = state.world.bots.find((b) => b.id === state.botId);
  const user = state.world.users.find((u) => u.id === state.chatId);
  const group = state.world.groups.find((g) => g.id === state.chatId);
  return `${user ? user.firstName : group ? group.title : '—'} ↔ @${bot ? bot.username : '—'}`;
}

async function loadWorld() {
  state.world = await api.get('/state');
  const params = new URLSearchParams(location.search);
  const botSelect = $('bot-select');
  const chatSelect = $('chat-select');
  botSelect.replaceChildren(...state.world.bots.map((bot) => el('option', { value: bot.id, text: `@${bot.username}` })));
  const chatOptions = [
    ...state.world.users.map((user) => el('option', { value: user.id, text: user.username ? `${user.firstName} (@${user.username})` : user.firstName })),
    ...state.world.groups.map((group) => el('option', { value: group.id, text: `👥 ${group.title}` })),
  ];
  chatSelect.replaceChildren(...chatOptions);
  state.botId = Number(params.get('bot') ?? state.botId ?? state.world.bots[0]?.id) || null;
  state.chatId = Number(params.get('chat') ?? state.chatId ?? state.world.users[0]?.id) || null;
  if (state.botId) botSelect.value = String(state.botId);
  if (state.chatId) chatSelect.value = String(state.chatId);
  $('clock').textContent = new Date(state.world.now * 1000).toLocaleString();
  $('api-root').textContent = location.origin;
  await selectChat();
}

async function selectChat() {
  state.botId = Number($('bot-select').value) || null;
  state.chatId = Number($('chat-select').value) || null;
  const url = new URL(location.href);
  if (state.botId) url.searchParams.set('bot', state.botId);
  if (state.chatId) url.searchParams.set('chat', state.chatId);
  history.replaceState(null, '', url);
  $('chat-title').textContent = currentChatLabel();
  $('block-button').disabled = !(state.chatId > 0);
  listen();
  await refreshConversation();
}

function actingUser() {
  if (state.chatId > 0) return state.chatId;
  const group = state.world.groups.find((g) => g.id === state.chatId);
  return group?.memberIds[0];
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    showToast(error.message);
  }
}

function send(text) {
  return run(() => api.post('/send', { bot: state.botId, chat: state.chatId, from: actingUser(), text }));
}

function press(messageId, button) {
  return run(async () => {
    const body = { bot: state.botId, chat: state.chatId, from: actingUser(), messageId };
    if (button.callback_data !== undefined) body.data = button.callback_data;
    else body.text = button.text;
    const result = await api.post('/press', body);
    if (result.kind === 'callback' && result.answer?.text) {
      if (result.answer.showAlert) alert(result.answer.text);
      else showToast(result.answer.text);
    }
    if (result.kind === 'pay') showPaymentOutcome(result.outcome);
  });
}

function pay(messageId) {
  return run(async () => {
    showToast('Waiting for the bot to confirm the order…');
    showPaymentOutcome(await api.post('/pay', { bot: state.botId, chat: state.chatId, from: actingUser(), messageId }));
  });
}

function showPaymentOutcome(outcome) {
  if (outcome.status === 'paid') showToast('Payment completed');
  else if (outcome.status === 'declined') showToast(`The bot declined: ${outcome.errorMessage}`);
  else if (outcome.status === 'timeout') showToast('The bot did not confirm the order in time');
  else if (outcome.status === 'insufficient_stars') showToast(`Not enough Stars (${outcome.balance}/${outcome.price})`);
}

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  void send(text);
});
$('bot-select').addEventListener('change', () => void selectChat());
$('chat-select').addEventListener('change', () => void selectChat());
$('block-button').addEventListener('click', () =>
  run(async () => {
    await api.post('/block', { bot: state.botId, chat: state.chatId, blocked: !state.blocked });
    await refreshConversation();
  }),
);
$('time-button').addEventListener('click', () =>
  run(async () => {
    const { renewals } = await api.post('/time', { days: 30 });
    showToast(`30 days passed; ${renewals.filter((r) => r.status === 'renewed').length} subscription(s) renewed`);
    await loadWorld();
  }),
);
$('new-user-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('new-user-name');
  const firstName = input.value.trim();
  if (!firstName) return;
  void run(async () => {
    const user = await api.post('/users', { firstName });
    input.value = '';
    const url = new URL(location.href);
    url.searchParams.set('chat', user.id);
    history.replaceState(null, '', url);
    await loadWorld();
  });
});

$('new-bot-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const usernameInput = $('new-bot-username');
  const nameInput = $('new-bot-name');
  const username = usernameInput.value.trim();
  if (!username) return;
  void run(async () => {
    const bot = await api.post('/bots', { username, firstName: nameInput.value.trim() });
    usernameInput.value = '';
    nameInput.value = '';
    // The token is what a bot process needs (and `npm run bot:add` registers with the platform).
    const tokenLine = $('new-bot-token');
    tokenLine.textContent = `@${bot.username} token: ${bot.token}`;
    tokenLine.hidden = false;
    const url = new URL(location.href);
    url.searchParams.set('bot', bot.id);
    history.replaceState(null, '', url);
    await loadWorld();
  });
});

void run(loadWorld);

/**
 * The support page's chat, served as `/s/chat.js` (the page's policy runs only scripts from
 * this origin). Words come from the page (data attributes, from its catalog); messages are
 * inserted as text, never as markup. It polls `./<code>/chat?after=ID` every few seconds.
 */
// i18n-ignore: browser script source; every word it shows comes from the page's data attributes
export const SUPPORT_CHAT_SCRIPT = `(() => {
  const box = document.getElementById('chat');
  if (!box) return;
  const code = box.dataset.code;
  const list = box.querySelector('[data-testid="support-chat-log"]');
  const form = box.querySelector('form');
  const input = form.querySelector('input');
  const error = box.querySelector('[data-testid="support-chat-error"]');
  const fmt = new Intl.DateTimeFormat(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
  let after = 0;
  const show = (m) => {
    after = Math.max(after, m.id);
    const li = document.createElement('li');
    li.className = 'msg ' + m.side;
    li.dataset.side = m.side;
    const who = document.createElement('strong');
    who.textContent = m.side === 'person' ? box.dataset.you : (m.from || box.dataset.technician);
    const at = document.createElement('time');
    at.textContent = ' ' + fmt.format(new Date(m.at)) + ' ';
    const text = document.createElement('span');
    text.textContent = m.text;
    li.append(who, at, text);
    list.append(li);
    li.scrollIntoView({ block: 'nearest' });
  };
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const res = await fetch('./' + code + '/chat?after=' + after, { headers: { accept: 'application/json' } });
      if (!res.ok) return;
      const body = await res.json();
      for (const m of body.messages) if (m.id > after) show(m);
      if (!body.open) { form.hidden = true; clearInterval(timer); }
    } catch {} finally { polling = false; }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.replace(/\\s+/g, ' ').trim();
    if (!text) return;
    error.hidden = true;
    const res = await fetch('./' + code + '/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }).catch(() => null);
    if (res && res.ok) { input.value = ''; await poll(); return; }
    const body = res ? await res.json().catch(() => null) : null;
    error.textContent = (body && body.error && body.error.message) || box.dataset.failed;
    error.hidden = false;
  });
  const timer = setInterval(poll, 3000);
  void poll();
})();
`;

/**
 * The support page before the person joined, served as `/s/support.js`: it asks every few
 * seconds whether an agent joined with the code (the chat route answers once one did, or
 * says the code expired) and then shows the page again, which now says who the person is
 * connected to. No words: the page has them.
 */
// i18n-ignore: browser script source; it shows no words
export const SUPPORT_PAGE_SCRIPT = `(() => {
  const box = document.querySelector('[data-join-watch]');
  if (!box) return;
  const code = box.dataset.code;
  const timer = setInterval(async () => {
    try {
      const res = await fetch('./' + code + '/chat?after=0', { headers: { accept: 'application/json' } });
      if (res.ok || res.status === 410) { clearInterval(timer); location.reload(); }
    } catch {}
  }, 3000);
})();
`;

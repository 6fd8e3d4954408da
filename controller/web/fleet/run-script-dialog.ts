/**
 * "Run a script": choose the script, the devices (the chosen ones, a tag or a
 * group), its parameters, how many at once, the per-device timeout and how long
 * offline devices may still get it; then the job page follows it live.
 */
import { ApiError, api } from '../connection/api.js';
import { el, icon, replaceChildren } from '../ui/dom.js';
import { fleetApi } from './fleet-api.js';
import type { JobTarget, Script } from './fleet-types.js';
import type { AppContext } from '../app/page.js';
import { wordsOf } from '../app/language.js';
import { runScriptCatalog } from './run-script-catalog.js';

const t = wordsOf(runScriptCatalog);

export interface RunDialogOptions {
  /** The devices chosen on the Fleet page, if any. */
  deviceIds: string[] | null;
  scriptId?: string;
}

type TargetKind = 'devices' | 'tag' | 'group';

/** Opens the dialog; it closes itself and goes to the new job's page once the job is created. */
export function openRunDialog(app: AppContext, options: RunDialogOptions): void {
  const chosen = options.deviceIds ?? [];

  const scriptSelect = el('select', { class: 'input', id: 'run-script', 'data-testid': 'run-script', required: true });
  const scriptInfo = el('p', { class: 'muted small script-info' });
  const params = el('div', { class: 'param-fields' });
  const targetKind = (kind: TargetKind, label: string, disabled: boolean) =>
    el('label', { class: 'radio' }, el('input', { type: 'radio', name: 'target', value: kind, disabled, 'data-testid': `target-${kind}` }), label);
  // Tags and groups come from the controller's facets (filled in below).
  const tagSelect = el('select', { class: 'input', 'aria-label': t('tag'), 'data-testid': 'target-tag-value' });
  const groupSelect = el('select', { class: 'input', 'aria-label': t('group'), 'data-testid': 'target-group-value' });
  const concurrency = el('input', { class: 'input', id: 'run-concurrency', type: 'number', min: 1, max: 100, value: 10, required: true });
  const timeout = el('input', { class: 'input', id: 'run-timeout', type: 'number', min: 1, max: 86_400, value: 60, required: true });
  const expiry = el('input', { class: 'input', id: 'run-expiry', type: 'number', min: 1, max: 10_080, value: 60, required: true });
  const reach = el('p', { class: 'run-reach', 'data-testid': 'run-reach' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'run-submit', disabled: true }, t('run'));
  const cancel = el('button', { class: 'btn btn-secondary', type: 'button' }, t('cancel'));

  const form = el('form', { class: 'dialog-form', novalidate: true },
    el('label', { class: 'field-label', for: 'run-script' }, t('script')), scriptSelect, scriptInfo,
    el('fieldset', { class: 'target-fieldset' },
      el('legend', { class: 'field-label' }, t('onWhich')),
      el('div', { class: 'target-row' }, targetKind('devices', chosen.length > 0 ? t('chosen', { count: chosen.length }) : t('chosenNone'), chosen.length === 0)),
      el('div', { class: 'target-row' }, targetKind('tag', t('everyTag'), true), tagSelect),
      el('div', { class: 'target-row' }, targetKind('group', t('everyGroup'), true), groupSelect)),
    params,
    el('div', { class: 'field-grid' },
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('atOnce')), concurrency, el('span', { class: 'muted small' }, t('atOnceHint'))),
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('timeout')), timeout, el('span', { class: 'muted small' }, t('timeoutHint'))),
      el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('expiry')), expiry, el('span', { class: 'muted small' }, t('expiryHint')))),
    reach, error,
    el('div', { class: 'dialog-actions' }, cancel, submit));
  const dialog = el('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': 'run-title', 'data-testid': 'run-dialog' },
    el('h2', { id: 'run-title', class: 'dialog-title' }, icon('terminal', 18), t('title')), form);

  let scripts: Script[] = [];
  const radios = () => Array.from(form.querySelectorAll<HTMLInputElement>('input[name=target]'));
  const kind = (): TargetKind | null => (radios().find((r) => r.checked)?.value as TargetKind | undefined) ?? null;
  const target = (): JobTarget | null => {
    const k = kind();
    if (k === 'devices') return { deviceIds: chosen };
    if (k === 'tag' && tagSelect.value) return { tag: tagSelect.value };
    if (k === 'group' && groupSelect.value) return { group: groupSelect.value };
    return null;
  };
  /** How many unrevoked devices a target reaches, and how many are online: the controller counts a tag or a group. */
  const reached = async (t: JobTarget | null): Promise<{ total: number; online: number }> => {
    if (!t) return { total: 0, online: 0 };
    if ('deviceIds' in t) return { total: t.deviceIds.length, online: t.deviceIds.filter((id) => app.store.get(id)?.online).length };
    const page = await api.devices({ kind: 'managed', revoked: 'false', limit: '1', ...('tag' in t ? { tag: t.tag } : { group: t.group }) });
    return { total: page.total, online: page.online };
  };
  const script = () => scripts.find((s) => s.id === scriptSelect.value);

  let asked = 0;
  const update = async () => {
    const mine = ++asked;
    let devices: { total: number; online: number };
    try {
      devices = await reached(target());
    } catch {
      devices = { total: 0, online: 0 };
    }
    if (mine !== asked) return;
    reach.textContent = devices.total === 0 ? t('chooseDevices')
      : devices.total > devices.online ? t('reachLater', { total: devices.total, online: devices.online, later: devices.total - devices.online })
      : t('reach', { total: devices.total, online: devices.online });
    submit.disabled = !script() || devices.total === 0;
    replaceChildren(submit, devices.total > 0 ? t('runOn', { count: devices.total }) : t('run'));
  };
  const showScript = () => {
    const s = script();
    scriptInfo.textContent = s ? `${s.description || s.title} · ${s.interpreter}` : '';
    if (s) timeout.value = String(s.timeoutSeconds);
    replaceChildren(params, ...(s?.parameters ?? []).map((p) =>
      el('label', { class: 'field' },
        el('span', { class: 'field-label' }, p.name),
        el('input', { class: 'input mono', type: 'text', name: `param-${p.name}`, value: p.default ?? '', 'data-param': p.name }),
        p.description ? el('span', { class: 'muted small' }, p.description) : null)));
    if (s && s.parameters.length > 0) params.prepend(el('span', { class: 'field-label params-title' }, t('parameters')));
    update();
  };

  scriptSelect.addEventListener('change', showScript);
  for (const node of [tagSelect, groupSelect]) node.addEventListener('change', update);
  form.addEventListener('change', () => void update());
  tagSelect.addEventListener('focus', () => ((radios().find((r) => r.value === 'tag')!.checked = true), void update()));
  groupSelect.addEventListener('focus', () => ((radios().find((r) => r.value === 'group')!.checked = true), void update()));
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const s = script();
    const chosenTarget = target();
    if (!s || !chosenTarget) return;
    const values: Record<string, string> = {};
    for (const input of Array.from(params.querySelectorAll<HTMLInputElement>('input[data-param]'))) values[input.dataset.param!] = input.value;
    submit.disabled = true;
    error.hidden = true;
    try {
      const { job } = await fleetApi.createJob({
        scriptId: s.id, target: chosenTarget, params: values,
        concurrency: clamp(concurrency.valueAsNumber, 1, 100, 10),
        timeoutSeconds: clamp(timeout.valueAsNumber, 1, 86_400, s.timeoutSeconds),
        expiresInMinutes: clamp(expiry.valueAsNumber, 1, 10_080, 60),
      });
      dialog.close();
      app.navigate(`#/jobs/${encodeURIComponent(job.id)}`);
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.message : t('startFailed');
      submit.disabled = false;
    }
  });

  // Chosen devices are the obvious target when there are some.
  const initial = radios().find((r) => !r.disabled);
  if (initial) initial.checked = true;
  document.body.appendChild(dialog);
  dialog.showModal();
  scriptSelect.append(el('option', { value: '' }, t('loadingScripts')));
  fleetApi.scripts().then(({ scripts: list }) => {
    scripts = [...list].sort((a, b) => a.name.localeCompare(b.name));
    replaceChildren(scriptSelect, el('option', { value: '' }, t('chooseScript')),
      ...scripts.map((s) => el('option', { value: s.id }, `${s.name} — ${s.title}`)));
    if (options.scriptId) scriptSelect.value = options.scriptId;
    showScript();
  }, (err: unknown) => {
    error.hidden = false;
    error.textContent = err instanceof ApiError ? err.message : t('scriptsFailed');
  });
  api.deviceFacets().then((facets) => {
    const fill = (select: HTMLSelectElement, kind: TargetKind, values: string[]) => {
      replaceChildren(select, ...values.map((v) => el('option', { value: v }, v)));
      const radio = radios().find((r) => r.value === kind);
      if (radio) radio.disabled = values.length === 0;
    };
    fill(tagSelect, 'tag', facets.tags.map((t) => t.value));
    fill(groupSelect, 'group', facets.groups.map((g) => g.value));
    if (!kind()) {
      const first = radios().find((r) => !r.disabled);
      if (first) first.checked = true;
    }
    void update();
  }, () => undefined);
  void update();
}

function clamp(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

import { describeTracedImage, type ActionTrace, type PushTrace } from './assemble-trace';
import { ruleLabel, viaLabels } from './trace-records';

/** The trace of one push as `acr-autopilot trace` prints it: verdict first, then the evidence. Pure. */
export function formatTrace(trace: PushTrace): string {
  const lines: string[] = [];
  const what = trace.image ? describeTracedImage(trace.image) : 'push (ingress facts not recorded)';
  lines.push(`${what}  (dedupe key ${trace.dedupeKey})`);
  lines.push(`verdict: ${trace.verdict.headline}`);
  for (const reason of trace.verdict.reasons) lines.push(`  - ${reason}`);

  lines.push('', 'received');
  if (trace.deliveries.length === 0) lines.push('  (no delivery recorded)');
  for (const delivery of trace.deliveries) {
    const region = delivery.region ? ` (${delivery.region})` : '';
    lines.push(
      `  ${delivery.at}  ${viaLabels[delivery.via]}${region}, event ${delivery.eventId}: ${delivery.result}`,
    );
  }
  if (trace.duplicatesDropped > 0) lines.push(`  ${trace.duplicatesDropped} duplicate(s) dropped`);

  if (trace.rules.length > 0 || trace.notes.length > 0) {
    lines.push('', 'rules');
    for (const rule of trace.rules) {
      lines.push(
        `  ${rule.matched ? 'matched ' : 'no match'}  ${ruleLabel(rule)}${rule.reason ? `: ${rule.reason}` : ''}`,
      );
    }
    for (const note of trace.notes) lines.push(`  note      ${note}`);
  }

  lines.push('', 'actions');
  if (trace.actions.length === 0) lines.push('  (none planned)');
  const rows = trace.actions.map(actionRow);
  const width = Math.max(0, ...rows.map((row) => row[0].length));
  const statusWidth = Math.max(0, ...rows.map((row) => row[1].length));
  for (const [name, status, detail] of rows) {
    lines.push(`  ${name.padEnd(width)}  ${status.padEnd(statusWidth)}  ${detail}`.trimEnd());
  }

  if (trace.timeline.length > 0) {
    lines.push('', 'timeline');
    for (const entry of trace.timeline) lines.push(`  ${entry.at}  ${entry.text}`);
  }
  return `${lines.join('\n')}\n`;
}

function actionRow(action: ActionTrace): [string, string, string] {
  const name = `${action.action}${action.target ? ` → ${action.target}` : ''}${action.after ? ' (after pin)' : ''}`;
  const attempts =
    action.attempts === 0
      ? ''
      : `${action.attempts} attempt(s)${action.retries > 0 ? `, ${action.retries} retried` : ''}`;
  const status =
    action.status === 'not-run' ? 'not run yet' : `${action.status}${attempts ? ` (${attempts})` : ''}`;
  const links = action.summary?.links
    ? Object.entries(action.summary.links)
        .filter(([name]) => name.endsWith('Url'))
        .map(([, url]) => url)
    : [];
  const detail = action.summary?.text ?? action.reason ?? '';
  const extra = links.filter((url) => !detail.includes(url));
  const replay = action.replay ? `replay: ${action.replay}` : '';
  return [name, status, [detail, ...extra, replay].filter(Boolean).join('  ')];
}

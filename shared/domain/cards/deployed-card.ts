import { shortDigest } from '../events/image-event';
import type { NotificationPayload } from '../messages/action-messages';
import { adaptiveCard, factSet, openUrl, textBlock, type AdaptiveCard } from './card-elements';
import { formatUtc, safeLink } from './card-text';
import { header, imageFact, imageLabel, pullReference, safe, type CardContext } from './card-parts';

type Deployed = Extract<NotificationPayload, { kind: 'deployed' }>;

/** Readable names of the config's deploy target types; unknown types are shown as they are. */
const targetTypeNames: Record<string, string> = {
  'github-workflow': 'GitHub Actions workflow',
  'github-dispatch': 'GitHub repository dispatch',
  'azure-pipelines': 'Azure Pipelines run',
  argocd: 'Argo CD application',
  'container-app': 'Azure Container App',
  webhook: 'Signed webhook',
};

/** Card for a deployment the app triggered. */
export function deployedCard(payload: Deployed, _context: CardContext): AdaptiveCard {
  const title = `Deployment triggered: ${payload.target}`;
  const runUrl = safeLink(payload.runUrl);
  return adaptiveCard(
    [
      header(title, imageLabel(payload.event), 'accent'),
      factSet([
        { title: 'Target', value: safe(payload.target) },
        { title: 'Type', value: safe(targetTypeNames[payload.targetType] ?? payload.targetType) },
        imageFact(payload.event),
        { title: 'Digest', value: safe(shortDigest(payload.event.digest)) },
        ...(payload.revision ? [{ title: 'Revision', value: safe(payload.revision) }] : []),
        ...(payload.commit ? [{ title: 'Pin commit', value: safe(payload.commit.slice(0, 12)) }] : []),
        { title: 'Pushed', value: formatUtc(payload.event.occurredAt) },
      ]),
      ...(payload.warning ? [textBlock(safe(payload.warning), { color: 'Warning' })] : []),
      ...(runUrl
        ? []
        : [textBlock('The target returned no run link; check it for progress.', { isSubtle: true })]),
      ...pullReference(payload.event),
    ],
    runUrl ? [openUrl('Open run', runUrl)] : [],
    title,
  );
}

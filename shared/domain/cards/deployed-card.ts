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
        { title: 'Pushed', value: formatUtc(payload.event.occurredAt) },
      ]),
      ...(runUrl
        ? []
        : [textBlock('The target returned no run link; check it for progress.', { isSubtle: true })]),
      ...pullReference(payload.event),
    ],
    runUrl ? [openUrl('Open run', runUrl)] : [],
    title,
  );
}

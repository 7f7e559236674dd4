import type { NotificationPayload } from '../messages/action-messages';
import {
  adaptiveCard,
  container,
  factSet,
  textBlock,
  type AdaptiveCard,
  type CardElement,
} from './card-elements';
import { count } from './card-text';
import { header, safe, type CardContext } from './card-parts';
import { andMore, capItems } from './fit-to-size';

type Retention = Extract<NotificationPayload, { kind: 'retention' }>;

/** "The repositories that lost most" shows at most this many per registry, even when more would fit. */
export const topRepositories = 10;

/** Card for a retention run: per registry what was kept, deleted and failed, and who lost most. */
export function retentionCard(payload: Retention, context: CardContext): AdaptiveCard {
  const sum = (key: 'kept' | 'deleted' | 'failed') =>
    payload.registries.reduce((total, registry) => total + registry[key], 0);
  const [kept, deleted, failed] = [sum('kept'), sum('deleted'), sum('failed')];
  const images = count(deleted, 'image');
  const title = payload.dryRun
    ? `Retention dry run: ${images} would be deleted`
    : `Retention applied: ${images} deleted${failed ? `, ${failed} failed` : ''}`;
  const subtitle = `${count(payload.registries.length, 'registry', 'registries')} · ${kept} kept`;

  const body: CardElement[] = [
    header(title, subtitle, failed ? 'warning' : payload.dryRun ? 'emphasis' : 'good'),
  ];
  body.push(
    textBlock(
      payload.dryRun
        ? 'Dry run: nothing was deleted. Set retention.dryRun to false in the config to apply the plan.'
        : `Applied: the images counted as deleted are gone.${failed ? ' Failed deletions stay until the next run.' : ''}`,
      { isSubtle: true },
    ),
  );
  if (payload.registries.length === 0)
    body.push(textBlock('No registry was in scope of a retention policy.'));
  const registries = capItems(payload.registries, context.listLimit);
  body.push(
    ...registries.shown.map((registry) => registryBlock(registry, payload.dryRun, context.listLimit)),
  );
  body.push(...andMore(registries.hidden, 'registry', 'registries'));
  return adaptiveCard(body, [], title);
}

function registryBlock(
  registry: Retention['registries'][number],
  dryRun: boolean,
  listLimit: number,
): CardElement {
  const losers = [...registry.repositories]
    .filter((repository) => repository.deleted > 0)
    .sort((a, b) => b.deleted - a.deleted || a.repository.localeCompare(b.repository));
  const top = capItems(losers, Math.min(listLimit, topRepositories));
  return container(
    [
      textBlock(safe(registry.registry), { weight: 'Bolder' }),
      factSet([
        { title: 'Kept', value: String(registry.kept) },
        { title: dryRun ? 'Would delete' : 'Deleted', value: String(registry.deleted) },
        { title: 'Failed', value: String(registry.failed) },
      ]),
      ...(top.shown.length
        ? [
            textBlock(dryRun ? 'Repositories that would lose most' : 'Repositories that lost most', {
              isSubtle: true,
              spacing: 'Small',
            }),
            factSet(
              top.shown.map((repository) => ({
                title: safe(repository.repository),
                value: String(repository.deleted),
              })),
            ),
            ...andMore(top.hidden, 'repository', 'repositories'),
          ]
        : []),
    ],
    { separator: true, spacing: 'Medium' },
  );
}

import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../../shared/adapters/teams/validate-card';
import { buildTeamsMessage } from '../../../../shared/domain/cards/build-teams-message';
import type { AdaptiveCard, CardElement } from '../../../../shared/domain/cards/card-elements';
import { messageBytes, teamsMessageLimitBytes } from '../../../../shared/domain/cards/fit-to-size';
import { cardOf, type WorkflowsEnvelope } from '../../../../shared/domain/cards/teams-message';
import { cardFixtureNames, loadCardFixture, loadFixtureOf } from '../../../helpers/card-fixtures';

const envelope = { mode: 'envelope' } as const;

function cardIn(message: unknown): AdaptiveCard {
  return cardOf(message) as AdaptiveCard;
}

/** Every TextBlock text and Fact title/value of a card, ShowCard cards included, in order. */
function texts(card: { body: CardElement[]; actions?: AdaptiveCard['actions'] }): string[] {
  const out: string[] = [];
  const visit = (element: CardElement): void => {
    if (element.type === 'TextBlock') out.push(element.text);
    else if (element.type === 'FactSet')
      for (const fact of element.facts) out.push(`${fact.title}: ${fact.value}`);
    else if (element.type === 'Container') element.items.forEach(visit);
    else for (const column of element.columns) column.items.forEach(visit);
  };
  card.body.forEach(visit);
  for (const action of card.actions ?? [])
    if (action.type === 'Action.ShowCard') out.push(...texts(action.card));
  return out;
}

const textOf = (message: unknown) => texts(cardIn(message)).join('\n');

describe('buildTeamsMessage', () => {
  it('has a fixture for every card kind', () => {
    const kinds = new Set(cardFixtureNames.map((name) => loadCardFixture(name).kind));
    expect([...kinds].sort()).toEqual([
      'deleted',
      'deployed',
      'failed',
      'pinned',
      'pushed',
      'pushed-burst',
      'retention',
    ]);
  });

  describe.each(cardFixtureNames)('%s', (name) => {
    const payload = loadCardFixture(name);

    it('is a valid Adaptive Card 1.4 in the Workflows envelope', () => {
      const message = buildTeamsMessage(payload, envelope);
      expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
      expect(messageBytes(message)).toBeLessThan(teamsMessageLimitBytes);
    });

    it('is a valid bare card in card mode', () => {
      const message = buildTeamsMessage(payload, { mode: 'card' });
      expect(validateTeamsMessage(message, 'card')).toEqual([]);
      expect(message).toEqual(cardIn(buildTeamsMessage(payload, envelope)));
    });

    it('matches its golden file', async () => {
      const message = buildTeamsMessage(payload, envelope);
      await expect(`${JSON.stringify(message, null, 2)}\n`).toMatchFileSnapshot(
        `./__snapshots__/${name}.json`,
      );
    });
  });

  it('wraps the card the way the Microsoft template flow reads it', () => {
    const message = buildTeamsMessage(loadCardFixture('pushed'), envelope) as WorkflowsEnvelope;
    expect(message).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: { type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } },
        },
      ],
    });
    expect(message.attachments).toHaveLength(1);
  });

  describe('pushed and deleted', () => {
    it('shows registry, repository, tag, short digest, media type, time and the full digest in monospace', () => {
      const payload = loadFixtureOf('pushed', 'pushed');
      const card = cardIn(buildTeamsMessage(payload, envelope));
      const text = texts(card).join('\n');
      expect(text).toContain('Registry: contosoprod.azurecr.io');
      expect(text).toContain('Repository: payments/api');
      expect(text).toContain('Tag: 1.14.2');
      expect(text).toContain(`Digest: ${payload.event.digest.slice(0, 'sha256:'.length + 12)}`);
      expect(text).toContain(
        'Media type: OCI image index (multi-platform) · application/vnd.oci.image.index.v1+json',
      );
      expect(text).toContain('Pushed: 2025-11-24 09:41:07 UTC');
      const monospace = JSON.stringify(card.body).match(
        /"text":"([^"]*)","wrap":true,"fontType":"Monospace"/,
      );
      expect(monospace?.[1]).toBe(`contosoprod.azurecr.io/payments/api@${payload.event.digest}`);
    });

    it('links to the registry in the Azure portal by login server', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('pushed'), envelope));
      expect(card.actions?.[0]).toMatchObject({
        type: 'Action.OpenUrl',
        title: 'Find registry in Azure portal',
      });
      const url = (card.actions?.[0] as { url: string }).url;
      expect(url.startsWith('https://portal.azure.com/#view/HubsExtension/ArgQueryBlade/query/')).toBe(true);
      expect(decodeURIComponent(url)).toContain("properties.loginServer =~ 'contosoprod.azurecr.io'");
    });

    it('deep-links the repository blade when the registry resource id is known', () => {
      const id =
        '/subscriptions/0000/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoprod';
      const message = buildTeamsMessage(loadCardFixture('pushed'), {
        mode: 'card',
        portalBaseUrl: 'https://portal.azure.us',
        registryResourceIds: { 'contosoprod.azurecr.io': id },
      }) as AdaptiveCard;
      expect(message.actions?.[0]).toEqual({
        type: 'Action.OpenUrl',
        title: 'Open repository in Azure portal',
        url: `https://portal.azure.us/#view/Microsoft_Azure_ContainerRegistries/RepositoryBlade/id/${encodeURIComponent(id)}/repository/payments%2Fapi`,
      });
    });

    it('says "deleted" and shows a digest-only delete without a tag', () => {
      const text = textOf(buildTeamsMessage(loadCardFixture('deleted'), envelope));
      expect(text).toContain('Image deleted: legacy/batch_worker@sha256:');
      expect(text).toContain('Tag: none (by digest)');
      expect(text).not.toContain('Media type');
    });

    it('names Helm charts as charts', () => {
      const payload = loadFixtureOf('pushed', 'pushed');
      const text = textOf(
        buildTeamsMessage({ ...payload, event: { ...payload.event, action: 'chart_push' } }, envelope),
      );
      expect(text).toContain('Helm chart pushed: payments/api:1.14.2');
    });

    it('escapes markdown in user-controlled text', () => {
      const payload = loadFixtureOf('pushed', 'pushed');
      const event = { ...payload.event, repository: 'team/*bold*', tag: '_v1_' };
      const text = textOf(buildTeamsMessage({ kind: 'pushed', event }, envelope));
      expect(text).toContain('Repository: team/\\*bold\\*');
      expect(text).toContain('Tag: \\_v1\\_');
    });
  });

  describe('pinned', () => {
    it('lists files as file:line with before and after, skipped references with reasons, and the PR link', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('pinned'), envelope));
      const text = texts(card).join('\n');
      expect(text).toContain('apps/payments/overlays/prod/kustomization.yaml:14');
      expect(text).toMatch(/− contosoprod\.azurecr\.io\/payments\/api:1\.14\.1\n\n {2}@sha256:[0-9a-f]{64}/);
      // A leading + is escaped so Teams shows it instead of starting a bullet list; the long reference
      // breaks before its digest instead of being cut at the card's edge.
      expect(text).toMatch(
        /^\\\+ contosoprod\.azurecr\.io\/payments\/api:1\.14\.2\n\n {2}@sha256:[0-9a-f]{64}$/m,
      );
      expect(text).not.toMatch(/^\+ /m);
      expect(text).toContain('apps/payments/base/deployment.yaml:31 — no $imagepolicy marker on this line');
      expect(text).toContain('Commit: 9f2c1e7a4b3d');
      expect(card.actions).toEqual([
        {
          type: 'Action.OpenUrl',
          title: 'Open pull request',
          url: 'https://github.com/contoso/fleet/pull/482',
        },
      ]);
    });

    it('summarizes why references were skipped, over every skip even when the list was cut', () => {
      const payload = loadFixtureOf('pinned', 'pinned');
      const kinds = (kind: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          file: `apps/${kind}-${i}.yaml`,
          line: 3,
          reason: kind,
          kind,
        }));
      const skipped = [...kinds('templated', 1), ...kinds('other-tag', 2)];
      expect(textOf(buildTeamsMessage({ ...payload, skipped }, envelope))).toContain(
        'Skipped references (3)\n3 mentions skipped: 2 other tag, 1 templated\n',
      );
      // The notification carries the summary over the whole list when the list had to be cut.
      const cut = {
        ...payload,
        skipped: skipped.slice(0, 1),
        skipSummary: '40 mentions skipped: 40 other tag',
      };
      expect(textOf(buildTeamsMessage(cut, envelope))).toContain('40 mentions skipped: 40 other tag');
      // Skips without kinds (older messages) get no summary line.
      expect(textOf(buildTeamsMessage(payload, envelope))).not.toContain('mentions skipped');
    });

    it('states a no-change outcome plainly', () => {
      const text = textOf(buildTeamsMessage(loadCardFixture('pinned-no-change'), envelope));
      expect(text).toContain('Already pinned: payments/api:1.14.2 in fleet');
      expect(text).toContain('No file needed a change');
    });

    it('links the commit of a direct push', () => {
      const payload = loadFixtureOf('pinned', 'pinned');
      const { pullRequestUrl: _pr, ...rest } = payload;
      const card = cardIn(
        buildTeamsMessage(
          { ...rest, result: 'committed', commitUrl: 'https://github.com/contoso/fleet/commit/9f2c1e7' },
          envelope,
        ),
      );
      expect(texts(card)[0]).toBe('Pinned payments/api:1.14.2 in fleet');
      expect(card.actions).toEqual([
        {
          type: 'Action.OpenUrl',
          title: 'Open commit',
          url: 'https://github.com/contoso/fleet/commit/9f2c1e7',
        },
      ]);
    });

    it('drops links that are not http(s)', () => {
      const payload = loadFixtureOf('pinned', 'pinned');
      const card = cardIn(buildTeamsMessage({ ...payload, pullRequestUrl: 'javascript:alert(1)' }, envelope));
      expect(card.actions).toBeUndefined();
    });

    it('keeps 500 changed files under 28 KB and says how many were left out', () => {
      const payload = loadFixtureOf('pinned', 'pinned');
      const [change] = payload.files;
      const files = Array.from({ length: 500 }, (_, i) => ({
        ...change!,
        file: `clusters/prod-${i}/apps/payments/kustomization.yaml`,
      }));
      const skipped = Array.from({ length: 120 }, (_, i) => ({
        file: `legacy/${i}.yaml`,
        reason: 'no marker',
      }));
      const message = buildTeamsMessage({ ...payload, files, skipped }, envelope);
      expect(messageBytes(message)).toBeLessThan(teamsMessageLimitBytes);
      expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
      const text = textOf(message);
      const shownFiles = (text.match(/clusters\/prod-\d+\//g) ?? []).length;
      expect(shownFiles).toBeGreaterThan(10);
      expect(text).toContain(`… and ${500 - shownFiles} more files`);
      expect(text).toContain('Changed (500)');
      expect(text).toMatch(/… and \d+ more skipped references/);
    });
  });

  describe('deployed', () => {
    it('shows target, type and the run link', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('deployed'), envelope));
      const text = texts(card).join('\n');
      expect(text).toContain('Deployment triggered: payments-prod');
      expect(text).toContain('Type: GitHub Actions workflow');
      expect(card.actions).toEqual([
        {
          type: 'Action.OpenUrl',
          title: 'Open run',
          url: 'https://github.com/contoso/payments/actions/runs/11843920173',
        },
      ]);
    });

    it('says so when the target returned no run link', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('deployed-no-run'), envelope));
      expect(texts(card).join('\n')).toContain('The target returned no run link');
      expect(card.actions).toBeUndefined();
    });
  });

  describe('retention', () => {
    it('says dry run in the title and lists per registry kept, would-delete and the biggest losers', () => {
      const text = textOf(buildTeamsMessage(loadCardFixture('retention-dry-run'), envelope));
      expect(text.split('\n')[0]).toBe('Retention dry run: 327 images would be deleted');
      expect(text).toContain('Dry run: nothing was deleted');
      expect(text).toContain('Kept: 412\nWould delete: 87\nFailed: 0');
      expect(text).toMatch(
        /payments\/api: 31\nweb\/storefront: 22\nci\/build\\?_cache: 19\ntools\/migrate: 15/,
      );
      expect(text).not.toContain('payments/worker');
    });

    it('says applied in the title, with failures', () => {
      const text = textOf(buildTeamsMessage(loadCardFixture('retention-applied'), envelope));
      expect(text.split('\n')[0]).toBe('Retention applied: 85 images deleted, 2 failed');
      expect(text).toContain('Deleted: 85\nFailed: 2');
    });

    it('shows at most ten repositories per registry', () => {
      const payload = loadFixtureOf('retention-applied', 'retention');
      const repositories = Array.from({ length: 25 }, (_, i) => ({
        repository: `team/repo-${i}`,
        deleted: 100 - i,
      }));
      const text = textOf(
        buildTeamsMessage(
          { ...payload, registries: [{ ...payload.registries[0]!, repositories }] },
          envelope,
        ),
      );
      expect(text).toContain('team/repo-9: 91');
      expect(text).not.toContain('team/repo-10:');
      expect(text).toContain('… and 15 more repositories');
    });

    it('caps hundreds of registries under 28 KB', () => {
      const registries = Array.from({ length: 400 }, (_, i) => ({
        registry: `registry-${i}.azurecr.io`,
        kept: i,
        deleted: 2 * i,
        failed: 0,
        repositories: Array.from({ length: 30 }, (_, j) => ({
          repository: `team-${j}/service-${j}`,
          deleted: j + 1,
        })),
      }));
      const message = buildTeamsMessage({ kind: 'retention', dryRun: false, registries }, envelope);
      expect(messageBytes(message)).toBeLessThan(teamsMessageLimitBytes);
      expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
      expect(textOf(message)).toMatch(/… and \d+ more registries/);
    });
  });

  describe('failed', () => {
    it('names the action, the error in one sentence, the attempts and the poison queue', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('failed'), envelope));
      const text = texts(card).join('\n');
      expect(text.split('\n')[0]).toBe('Pinning the digest failed: fleet · payments/api:1.14.2');
      expect(text).toContain(
        'git push to https://github.com/contoso/fleet.git was rejected: non-fast-forward (the branch moved while we were committing).\n',
      );
      expect(text).toContain('Attempts: 5');
      expect(text).toContain('Queue: moved to pin-requests-poison');
      expect(text).toContain('went to the poison queue pin-requests-poison');
      // The exact command that replays every parked message of this event, in a copyable block.
      expect(text).toContain(
        'Fix the cause, then replay it with:\nacr-autopilot poison requeue pin-requests --id 0c36936574fa27a43e677746139dde48\n',
      );
      expect(text).not.toMatch(/Storage Explorer|move the message back/);
      expect(card.actions?.[0]).toMatchObject({ type: 'Action.ShowCard', title: 'Show full error' });
    });

    it('says the queue will retry when the message is not poisoned yet', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('failed-retrying'), envelope));
      expect(texts(card).join('\n')).toContain('Queue: deploy-requests (will be retried)');
      expect(texts(card).join('\n')).not.toContain('acr-autopilot');
      expect(card.actions).toBeUndefined();
    });

    it('keeps a huge error message under 28 KB', () => {
      const payload = loadFixtureOf('failed', 'failed');
      const message = buildTeamsMessage({ ...payload, error: 'x'.repeat(200_000) }, envelope);
      expect(messageBytes(message)).toBeLessThan(teamsMessageLimitBytes);
      expect(validateTeamsMessage(message, 'envelope')).toEqual([]);
    });
  });

  describe('pushed-burst', () => {
    it('lists every push of the burst and its distinct digests', () => {
      const card = cardIn(buildTeamsMessage(loadCardFixture('pushed-burst'), envelope));
      const text = texts(card).join('\n');
      expect(text.split('\n')[0]).toBe('20 pushes to web/storefront');
      expect(text).toContain(
        'contosoprod.azurecr.io · 17 digests · 2025-11-24 09:41:00 UTC – 2025-11-24 09:41:26 UTC',
      );
      for (const tag of ['2025.11.24-4821', '2025.11', '2025', 'latest', 'pr-1804-amd64', 'pr-1819-amd64']) {
        expect(text).toContain(`${tag}: sha256:`);
      }
      expect(card.actions?.map((action) => action.title)).toEqual([
        'Show full digests',
        'Find registry in Azure portal',
      ]);
    });

    it('says how many pushes were counted but not stored', () => {
      const payload = loadFixtureOf('pushed-burst', 'pushed-burst');
      const text = textOf(buildTeamsMessage({ ...payload, total: 250 }, envelope));
      expect(text.split('\n')[0]).toBe('250 pushes to web/storefront');
      expect(text).toContain('… and 230 more pushes');
    });
  });
});
